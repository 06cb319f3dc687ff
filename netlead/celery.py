"""The Celery app. Tasks are thin (ids in, one service call); its settings are the
CELERY_* names in settings.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netlead.settings")

app = Celery("netlead")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
