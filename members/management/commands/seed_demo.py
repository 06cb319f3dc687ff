"""`manage.py seed_demo`: the fictional demo program (and optionally a staff login)."""

import time

from django.core.management.base import BaseCommand, CommandError

from members.demo import seed as services


class Command(BaseCommand):
    help = "Create the fictional demo program “Northwind Fellows” (deterministic for a seed)."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=120)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--slug", default=services.DEMO_SLUG)
        parser.add_argument("--name", default=services.DEMO_NAME)
        existing = parser.add_mutually_exclusive_group()
        existing.add_argument(
            "--replace", action="store_true", help="Delete and recreate a program with this slug."
        )
        existing.add_argument(
            "--skip-existing", action="store_true", help="Do nothing if the program exists."
        )
        parser.add_argument(
            "--login",
            metavar="USERNAME:PASSWORD",
            help="Also create a superuser who is staff of the program (for local use).",
        )

    def handle(self, *args, members, seed, slug, name, replace, skip_existing, login, **options):
        if members < 8:
            raise CommandError("--members must be at least 8.")
        started = time.perf_counter()
        try:
            program = services.demo_program_seed(
                slug=slug, name=name, members=members, seed=seed, replace=replace
            )
        except services.ProgramExists as exc:
            if not skip_existing:
                raise CommandError(f"{exc} Use --replace to recreate it.") from exc
            program = services.Program.objects.get(slug=slug)
            self.stdout.write(f"Program “{program.name}” already exists; left as it is.")
        else:
            elapsed = time.perf_counter() - started
            ties = program.relationships.count()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created “{program.name}” ({slug}): {members} members, "
                    f"{ties} ties over {program.rounds.count()} rounds in {elapsed:.1f} s."
                )
            )
        if login:
            username, sep, password = login.partition(":")
            if not sep or not username or not password:
                raise CommandError("--login takes USERNAME:PASSWORD.")
            services.staff_login_ensure(program=program, username=username, password=password)
