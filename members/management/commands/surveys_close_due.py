"""`manage.py surveys_close_due`: close every survey whose last day has passed."""

from django.core.management.base import BaseCommand

from members.surveys import services


class Command(BaseCommand):
    help = (
        "Close every survey whose closing date has passed and queue metrics for its round "
        "(what the beat schedule does; for cron or a deployment without beat)."
    )

    def handle(self, *args, **options):
        closed = services.surveys_close_due()
        for survey in closed:
            self.stdout.write(f"Closed “{survey.name}” ({survey.program.slug}).")
        self.stdout.write(f"{len(closed)} survey(s) closed.")
