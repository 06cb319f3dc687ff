import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import override_settings

from members.demo import seed as services
from netlead.celery import app as celery_app
from tests.factories import ProgramRoleFactory, UserFactory
from tests.metric_runs import compute_all_rounds

ROOT = Path(__file__).resolve().parent.parent

# pytest-xdist runs the suite in several processes ("gw0", "gw1", ...; unset without it).
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def pytest_xdist_auto_num_workers(config):
    """`-n auto` (pyproject.toml's addopts): the whole suite (`make test`, a bare `pytest`)
    gets one process per core, at most --maxprocesses. A run of chosen files or tests stays
    in this process: starting another Django for them costs more than it saves (give
    `-n 2` to spread them anyway)."""
    if config.args_source != pytest.Config.ArgsSource.TESTPATHS:
        return 0
    return None  # xdist's own count of cores


def _redis_of_this_process() -> None:
    """Under xdist, test process gwN uses Redis database REDIS_URL's + N (N < --maxprocesses):
    the real workers it starts, their queue, unacknowledged tasks and redelivery sweeps never
    meet another process's (each process's queue is named for its pid too, see settings.py)."""
    if settings.CELERY_TASK_ALWAYS_EAGER or not XDIST_WORKER.startswith("gw"):
        return
    url = urlsplit(settings.CELERY_BROKER_URL)
    if not url.scheme.startswith("redis"):
        return
    number = int(url.path.strip("/") or 0) + int(XDIST_WORKER[2:])
    broker = urlunsplit(url._replace(path=f"/{number}"))
    settings.CELERY_BROKER_URL = broker
    celery_app.conf.broker_url = broker
    # Worker processes read the broker from the environment (WorkerPool passes it on).
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        if os.environ.get(name):
            os.environ[name] = broker


_redis_of_this_process()


@pytest.fixture(autouse=True, scope="session")
def _media_root(tmp_path_factory):
    """Posters and staged imports are written under this test process's own folder, never
    into the repository's media/ nor where another xdist process sweeps its own files."""
    media = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=str(media)):
        yield media


@pytest.fixture(autouse=True)
def _celery_inline(request):
    """Tasks run inline unless a test asks for real worker processes."""
    if "celery_workers" in request.fixturenames:
        yield
        return
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Sign-in rate limits live in the cache: no test inherits another's attempts."""
    yield
    cache.clear()


@pytest.fixture
def demo_program(db):
    return services.demo_program_seed()


@pytest.fixture
def computed(demo_program):
    """The demo program with the metrics of every round computed."""
    compute_all_rounds(demo_program)
    return demo_program


@pytest.fixture
def staff_user(demo_program):
    user = UserFactory(username="staffer")
    ProgramRoleFactory(user=user, program=demo_program)
    return user


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


class WorkerPool:
    """Real `celery worker` processes on Redis, consuming a queue private to this test process
    (named for its pid, in its own Redis database under xdist)."""

    def __init__(self, tmp_path: Path):
        self.queue = settings.CELERY_TASK_DEFAULT_QUEUE
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen] = []
        db = connection.settings_dict
        self.env = os.environ | {
            "DATABASE_URL": (
                f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
                f"/{db['NAME']}"
            ),
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            # A killed worker's task becomes visible to the next worker after this long.
            "CELERY_VISIBILITY_TIMEOUT": "4",
            "CELERY_RESTORE_SWEEP_SECONDS": "1",
            "DEBUG": "true",
            "OMP_NUM_THREADS": "1",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        }

    def start(self) -> subprocess.Popen:
        (process,) = self.start_many(1)
        return process

    def start_many(self, count: int) -> list[subprocess.Popen]:
        """Start `count` workers at once (their imports overlap) and wait until all are ready."""
        started = []
        for _ in range(count):
            number = len(self.processes)
            name = f"{self.queue}-{number}-{uuid.uuid4().hex[:6]}@%h"
            log = self.tmp_path / f"worker-{number}.log"
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "netlead", "worker", "--pool=solo",
                 "--queues", self.queue, "--hostname", name,
                 "--without-gossip", "--without-mingle", "--loglevel=INFO"],
                cwd=ROOT, env=self.env, stdout=log.open("w"), stderr=subprocess.STDOUT,
            )  # fmt: skip
            self.processes.append(process)
            started.append((process, log))
        # Only a bound for a worker that never starts: the wait ends as soon as all are ready
        # (a few seconds; a minute or more when other processes load this machine).
        deadline = time.monotonic() + 180
        for process, log in started:
            while "ready." not in log.read_text():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"Celery worker did not start:\n{log.read_text()}")
                time.sleep(0.1)
        return [process for process, _ in started]

    def kill(self, process: subprocess.Popen) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()

    def logs(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.tmp_path.glob("worker-*.log")))


@pytest.fixture
def celery_workers(transactional_db, tmp_path):
    """Start real Celery workers (on Redis, against the test database) on demand.

    Skipped on the embedded default (no broker, SQLite) unless NETLEAD_REQUIRE_WORKER=1,
    which CI sets so that these tests can never silently skip there.
    """
    reason = None
    if settings.CELERY_TASK_ALWAYS_EAGER:
        reason = "no Celery broker configured (set REDIS_URL)"
    elif connection.vendor != "postgresql":
        reason = "real workers need a shared database server (set DATABASE_URL to PostgreSQL)"
    if reason:
        if os.environ.get("NETLEAD_REQUIRE_WORKER") == "1":
            pytest.fail(f"NETLEAD_REQUIRE_WORKER=1 but {reason}")
        pytest.skip(reason)
    pool = WorkerPool(tmp_path)
    celery_app.conf.task_always_eager = False
    try:
        yield pool
    finally:
        celery_app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
        pool.stop_all()


# Browser tests: Playwright driving Debian's Chromium (never a downloaded browser build).
CHROMIUM = os.environ.get("NETLEAD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole test session.

    Skipped when Chromium or Playwright is missing, unless NETLEAD_REQUIRE_BROWSER=1 (CI sets
    it), which turns the skip into a failure so browser tests can never silently vanish.
    """
    reason = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "Playwright for Python is not installed (pip install -e '.[dev]')"
    if reason is None and not Path(CHROMIUM).exists():
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if reason:
        if os.environ.get("NETLEAD_REQUIRE_BROWSER") == "1":
            pytest.fail(f"NETLEAD_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    # Playwright's sync API keeps an asyncio loop on this thread; Django would then refuse
    # ORM calls from the test body, which are synchronous and safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(request, browser):
    """A fresh browser page (own cookies) that records console errors in `page.console_errors`.

    Desktop by default; parametrize indirectly for a phone:
    `@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)`.
    `page.viewport_name` says which one a test got. Open more with `page.new_page()`."""
    name = getattr(request, "param", "desktop")
    contexts = []

    def new_page():
        context = browser.new_context(**VIEWPORTS[name])
        contexts.append(context)
        opened = context.new_page()
        opened.console_errors = []
        opened.on(
            "console",
            lambda message: message.type == "error" and opened.console_errors.append(message.text),
        )
        opened.on("pageerror", lambda error: opened.console_errors.append(str(error)))
        opened.viewport_name = name
        opened.new_page = new_page
        return opened

    yield new_page()
    for context in contexts:
        context.close()
