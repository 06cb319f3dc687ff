"""`manage.py program_create`: a new program, with a user as its first staff member."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from members.setup.services import ProgramRefused, program_create


class Command(BaseCommand):
    help = "Create a program and make USERNAME its staff (the first person who can set it up)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--slug", required=True, help="Short name in addresses: a-z, 0-9, -.")
        parser.add_argument("--staff", required=True, metavar="USERNAME")
        parser.add_argument("--description", default="")

    def handle(self, *args, name, slug, staff, description, **options):
        user = get_user_model().objects.filter(username=staff).first()
        if user is None:
            raise CommandError(
                f"No user “{staff}”. Create one with: manage.py createsuperuser, or sign up."
            )
        try:
            program = program_create(name=name, slug=slug, description=description, creator=user)
        except ProgramRefused as exc:
            raise CommandError("; ".join(f"{k}: {v}" for k, v in exc.errors.items())) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Created “{program.name}” ({program.slug}); {staff} is its staff.")
        )
