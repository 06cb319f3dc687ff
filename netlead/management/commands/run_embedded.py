"""`manage.py run_embedded`: runserver plus the in-process periodic timer (`make run`)."""

from django.conf import settings
from django.core.management.commands.runserver import Command as RunserverCommand

from netlead.periodic import periodic_timer_start


class Command(RunserverCommand):
    help = (
        "Run the development server and, when no broker is configured, the beat schedule "
        "in-process (surveys close at their deadline, stale files are swept)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--tick",
            type=float,
            default=60.0,
            help="Seconds between checks for due periodic work (default 60).",
        )

    def inner_run(self, *args, **options):
        # inner_run runs only in the process that serves requests (the autoreloader's child),
        # so one timer runs per server, and a code reload starts a fresh one.
        if settings.CELERY_TASK_ALWAYS_EAGER:
            periodic_timer_start(tick_seconds=options["tick"])
            self.stdout.write("Periodic work (surveys closing, sweeps) runs in this process.")
        else:
            self.stdout.write("A broker is configured: periodic work is beat's job (`make beat`).")
        super().inner_run(*args, **options)
