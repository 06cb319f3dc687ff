"""The Celery app and its beat schedule. Tasks are thin (ids in, one service call); their
settings are the CELERY_* names in settings.py."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netlead.settings")

app = Celery("netlead")
app.config_from_object("django.conf:settings", namespace="CELERY")

# Tasks live beside the services they call, in sub-packages: Celery's default discovery only
# looks at `<installed app>.tasks`, so every package with a tasks.py is named here
# (tests/test_schedule.py fails when a new one is missing).
TASK_PACKAGES = [
    "members.surveys",
    "members.imports",
    "networkmaps.runs",
    "networkmaps.maps",
]
app.autodiscover_tasks(TASK_PACKAGES)

# issue 18: metric runs are the heavy work. With NETLEAD_HEAVY_QUEUE set (e.g.
# "netlead-heavy"), a run, the blocks of a split run and their reduce go to that queue, so
# that heavy workers (`celery worker --queues netlead-heavy`, on any machine with the same
# broker and database URLs) take them and survey e-mails never wait behind a 100k run.
# Unset, everything shares the default queue and any worker takes any task.
HEAVY_QUEUE = os.environ.get("NETLEAD_HEAVY_QUEUE", "")
HEAVY_TASKS = (
    "networkmaps.metric_run_execute",
    "networkmaps.path_block_compute",
    "networkmaps.metric_run_reduce",
    "networkmaps.path_sweep_check",
)
if HEAVY_QUEUE:
    app.conf.task_routes = {name: {"queue": HEAVY_QUEUE} for name in HEAVY_TASKS}

# Periodic work runs here, never from a page view. Tasks are named by string so this file
# imports no app code. The embedded default (no broker) runs the same entries from an
# in-process timer instead (netlead/periodic.py, started by `manage.py run_embedded`).
app.conf.beat_schedule = {
    # A survey closes once its last day has passed in TIME_ZONE; checking every quarter hour
    # closes it (and queues its metrics) soon after midnight.
    "surveys-close-due": {"task": "members.surveys_close_due", "schedule": crontab(minute="*/15")},
    # Reminders staff scheduled (a date and time on the survey page): sent within 5 minutes.
    "survey-reminders-send-due": {
        "task": "members.survey_reminders_send_due",
        "schedule": crontab(minute="*/5"),
    },
    # Stale staged import files and stored posters: hourly is plenty, off the quarter hours.
    "imports-sweep": {"task": "members.imports_sweep", "schedule": crontab(minute=7)},
    "posters-sweep": {"task": "networkmaps.posters_sweep", "schedule": crontab(minute=37)},
}
