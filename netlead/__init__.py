"""netlead: map, measure and weave the networks of leadership-development programs."""

from netlead.celery import app as celery_app

__all__ = ["celery_app"]
