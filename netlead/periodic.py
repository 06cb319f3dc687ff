"""The embedded default's stand-in for Celery beat: the beat schedule, run in-process."""

from __future__ import annotations

import datetime
import logging
import threading

from celery.schedules import schedule as every
from django.db import connections

from netlead.celery import TASK_PACKAGES, app

log = logging.getLogger(__name__)


def periodic_run_due(*, last_run: dict[str, datetime.datetime]) -> list[str]:
    """Run, here and now, each beat entry that is due; returns the task names it ran.

    `last_run` maps entry names to when they last ran and is updated; an entry that never
    ran is due at once, so starting the app after a deadline closes the survey straight away.
    A failing task is logged and tried again at its next time, like beat would."""
    # Import every tasks.py the app lists, as a worker does at start-up (without the worker's
    # full system check, which is not worth repeating every tick).
    app.autodiscover_tasks(TASK_PACKAGES, force=True)
    ran = []
    for key, entry in app.conf.beat_schedule.items():
        when = entry["schedule"]
        if isinstance(when, datetime.timedelta | int | float):
            when = every(when, app=app)
        last = last_run.get(key)
        if last is not None and not when.is_due(last).is_due:
            continue
        last_run[key] = when.now()
        task = app.tasks.get(entry["task"])
        if task is None:
            log.warning("Periodic task %s is not registered; skipped.", entry["task"])
            continue
        try:
            task.apply(args=entry.get("args", ()), kwargs=entry.get("kwargs", {}), throw=True)
        except Exception:
            log.exception("Periodic task %s failed.", entry["task"])
        else:
            log.info("Periodic task %s ran.", entry["task"])
        ran.append(entry["task"])
    return ran


def periodic_timer_start(*, tick_seconds: float = 60.0) -> threading.Event:
    """Start a daemon thread that calls `periodic_run_due` every `tick_seconds`.

    Returns an event that stops the thread when set. Only for the embedded default, where
    there is no broker and so no beat; with a broker run `celery -A netlead beat` instead."""
    stop = threading.Event()

    def loop() -> None:
        last_run: dict[str, datetime.datetime] = {}
        while True:
            periodic_run_due(last_run=last_run)
            # This thread's own connections: do not hold the SQLite file between ticks.
            connections.close_all()
            if stop.wait(tick_seconds):
                return

    threading.Thread(target=loop, name="netlead-periodic", daemon=True).start()
    return stop
