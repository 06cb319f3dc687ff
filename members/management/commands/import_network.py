"""`manage.py import_network`: import members and ties from files into a program."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from members.imports.services import network_import
from members.models import Program


class Command(BaseCommand):
    help = (
        "Import members and ties from CSV, Excel (Kumu, Gephi or netlead columns), GEXF or "
        "GraphML files. "
        "Any problem imports nothing; --dry-run shows what would change."
    )

    def add_arguments(self, parser):
        parser.add_argument("--program", required=True, metavar="SLUG")
        parser.add_argument("--members", required=True, metavar="FILE", type=Path)
        parser.add_argument("--ties", metavar="FILE", type=Path)
        parser.add_argument(
            "--round", metavar="NAME", help="Round for ties that name none (default: current)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Report, change nothing.")

    def handle(self, *args, program, members, ties, round, dry_run, **options):
        found = Program.objects.filter(slug=program).first()
        if found is None:
            raise CommandError(f"No program with slug “{program}”.")
        for path in (members, ties):
            if path is not None and not path.is_file():
                raise CommandError(f"No such file: {path}")

        report = network_import(
            program=found, members_file=members, ties_file=ties, round_name=round, dry_run=dry_run
        )
        for note in report.notes:
            self.stdout.write(f"Note: {note}")
        if report.problems:
            for problem in report.problems:
                self.stderr.write(str(problem))
            count = len(report.problems)
            raise CommandError(f"{count} problem{'s' if count != 1 else ''}; nothing was imported.")
        for line in report.summary():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported into “{found.name}” ({program})."))
