"""The beat schedule names only tasks that exist, and Celery finds every tasks module."""

from pathlib import Path

import pytest

from netlead.celery import TASK_PACKAGES, app

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def registered():
    app.autodiscover_tasks(TASK_PACKAGES, force=True)
    return set(app.tasks)


def test_every_tasks_module_is_in_the_autodiscovered_packages():
    found = {
        ".".join(path.relative_to(ROOT).parent.parts)
        for app_dir in ("members", "networkmaps")
        for path in (ROOT / app_dir).rglob("tasks.py")
    }
    assert found <= set(TASK_PACKAGES)


@pytest.mark.parametrize("entry", sorted(app.conf.beat_schedule))
def test_beat_schedule_names_a_registered_task(entry, registered):
    assert app.conf.beat_schedule[entry]["task"] in registered
