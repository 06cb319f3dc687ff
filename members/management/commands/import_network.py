"""`manage.py import_network`: import members and ties from files into a program."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from members.imports.services import network_import
from members.imports.weights import RULES
from members.models import Program


def _date(value: str) -> str:
    try:
        return datetime.date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise CommandError(f"--round-date should be YYYY-MM-DD, not “{value}”.") from exc


class Command(BaseCommand):
    help = (
        "Import members and ties from CSV, Excel (Kumu, Gephi or netlead columns), GEXF, "
        "GraphML or a plain edge list. New rounds need a date (a round_date column, GEXF "
        "spells, or --round-date); new relationship types whose pairs name each other need "
        "a direction (a direction column, or --directed/--undirected). "
        "Any problem imports nothing; --dry-run shows what would change."
    )

    def add_arguments(self, parser):
        parser.add_argument("--program", required=True, metavar="SLUG")
        parser.add_argument(
            "--members", metavar="FILE", type=Path, help="Members (or the whole network)."
        )
        parser.add_argument("--ties", metavar="FILE", type=Path, help="Ties, or an edge list.")
        parser.add_argument(
            "--round", metavar="NAME", help="Round for ties that name none (default: current)."
        )
        parser.add_argument(
            "--round-date", metavar="YYYY-MM-DD", default="", help="Date of new rounds the "
            "file does not date.",
        )  # fmt: skip
        parser.add_argument(
            "--directed", metavar="TYPE", action="append", default=[],
            help="Make this new relationship type directed (repeatable).",
        )  # fmt: skip
        parser.add_argument(
            "--undirected", metavar="TYPE", action="append", default=[],
            help="Make this new relationship type undirected (repeatable).",
        )  # fmt: skip
        parser.add_argument(
            "--weights", choices=RULES, default=RULES[0],
            help="How weights outside 1–5 become strengths: linear rescale (default) or "
            "quantiles.",
        )  # fmt: skip
        parser.add_argument("--dry-run", action="store_true", help="Report, change nothing.")

    def handle(self, *args, program, members, ties, round, dry_run, **options):
        found = Program.objects.filter(slug=program).first()
        if found is None:
            raise CommandError(
                f"No program with slug “{program}”. Create it first: "
                f'manage.py program_create "Name" --slug {program} --staff USERNAME'
            )
        if members is None and ties is None:
            raise CommandError("Give --members FILE, --ties FILE, or both.")
        for path in (members, ties):
            if path is not None and not path.is_file():
                raise CommandError(f"No such file: {path}")
        directions = dict.fromkeys(options["directed"], True)
        directions |= dict.fromkeys(options["undirected"], False)
        report = network_import(
            program=found,
            members_file=members,
            ties_file=ties,
            round_name=round,
            round_date=_date(options["round_date"]) if options["round_date"] else "",
            directions=directions,
            weight_rule=options["weights"],
            dry_run=dry_run,
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
