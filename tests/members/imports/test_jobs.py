"""Import jobs: the page's upload is previewed and written by a worker task, shows its
progress while it waits, and its staged files go when it ends, on erasure and when stale."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import InterfaceError, OperationalError
from django.urls import reverse
from django.utils import timezone

from members.imports import services, staging, tasks
from members.imports.report import ImportReport
from members.models import ImportJob, Relationship
from tests.factories import ProgramFactory, ProgramRoleFactory, RoundFactory, UserFactory
from tests.members.imports.test_import import MEMBERS_CSV, TIES_CSV

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def program():
    program = ProgramFactory(slug="lakeside")
    RoundFactory(program=program, name="Baseline", is_current=True)
    return program


@pytest.fixture
def staff(client, program):
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program)
    client.force_login(user)
    client.user = user
    return client


def uploads():
    return {
        "members_file": SimpleUploadedFile("members.csv", MEMBERS_CSV.encode()),
        "ties_file": SimpleUploadedFile("ties.csv", TIES_CSV.encode()),
        "round_name": "",
    }


def test_without_a_worker_yet_the_page_shows_the_queued_job_and_polls_it(
    staff, program, monkeypatch
):
    sent = []
    monkeypatch.setattr(tasks.import_run, "delay", sent.append)
    url = reverse("members:import", args=[program.slug])
    response = staff.post(url, uploads())
    job = ImportJob.objects.get()
    assert sent == [job.pk] and job.status == ImportJob.Status.QUEUED
    page = response.content.decode()
    assert f'hx-get="{url}?job={job.token}"' in page and "<progress" in page
    assert response.context["token"] is None  # nothing to confirm yet

    tasks.import_run(job.pk)  # the worker
    poll = staff.get(url, {"job": job.token}, HTTP_HX_REQUEST="true")
    assert "Preview: nothing has been changed yet" in poll.content.decode()
    assert "hx-get" not in poll.content.decode()  # finished: polling stops
    assert poll.context["token"] == job.token

    confirm = staff.post(url, {"token": job.token, "action": "confirm"})
    assert confirm.status_code == 302 and confirm["Location"].endswith(f"?job={job.token}")
    tasks.import_run(job.pk)
    done = staff.get(confirm["Location"])
    assert "Imported" in done.content.decode()
    assert Relationship.objects.filter(program=program).count() == 3
    assert not (staging.staging_root() / job.folder).exists()


def test_another_persons_job_is_not_shown_or_confirmable(staff, program, client):
    url = reverse("members:import", args=[program.slug])
    job = ImportJob.objects.get(pk=staff.post(url, uploads()).context["job"].pk)
    other = UserFactory()
    ProgramRoleFactory(user=other, program=program)
    client.force_login(other)
    assert b"expired or is not yours" in client.get(url, {"job": job.token}, follow=True).content
    response = client.post(url, {"token": job.token, "action": "confirm"}, follow=True)
    assert b"expired or is not yours" in response.content
    assert not Relationship.objects.filter(program=program).exists()


def test_the_write_rechecks_what_changed_since_the_preview(staff, program):
    url = reverse("members:import", args=[program.slug])
    job = staff.post(url, uploads()).context["job"]
    # Meanwhile someone else imports the same members.
    services.network_import(
        program=program, members_file=SimpleUploadedFile("m.csv", MEMBERS_CSV.encode())
    )
    response = staff.post(url, {"token": job.token, "action": "confirm"})
    assert "The program changed since your preview" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED
    assert ImportReport.from_json(job.report).tallies["members"].created == 0
    assert not Relationship.objects.filter(program=program).exists()


def test_a_job_runs_its_step_once_even_if_the_task_comes_twice(staff, program):
    url = reverse("members:import", args=[program.slug])
    job = staff.post(url, uploads()).context["job"]
    staff.post(url, {"token": job.token, "action": "confirm"})
    tasks.import_run(job.pk)  # redelivered after it was written
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert Relationship.objects.filter(program=program).count() == 3


def test_the_report_survives_its_json(program, tmp_path):
    members = tmp_path / "members.csv"
    members.write_text(MEMBERS_CSV + "Jo Smith,jo@example.org,,,,,,\n")
    report = services.network_import(program=program, members_file=members, dry_run=True)
    assert report.problems
    again = ImportReport.from_json(report.as_json())
    assert again == report and again.fingerprint() == report.fingerprint()


def test_the_sweep_deletes_stale_jobs_and_files_but_not_fresh_or_running_ones(staff, program):
    url = reverse("members:import", args=[program.slug])
    stale, fresh = (staff.post(url, uploads()).context["job"] for _ in range(2))
    running = services.import_job_start(
        program=program, user=staff.user, round_name="", **{
            k: v for k, v in uploads().items() if k != "round_name"
        },
    )  # fmt: skip
    old = timezone.now() - datetime.timedelta(seconds=staging.STAGING_MAX_AGE + 60)
    ImportJob.objects.filter(pk__in=[stale.pk, running.pk]).update(updated_at=old)

    assert tasks.imports_sweep() == 1
    assert set(ImportJob.objects.values_list("pk", flat=True)) == {fresh.pk, running.pk}
    assert not (staging.staging_root() / stale.folder).exists()
    assert (staging.staging_root() / fresh.folder).is_dir()


def test_forgetting_a_programs_staged_imports_deletes_its_files_and_jobs(staff, program):
    url = reverse("members:import", args=[program.slug])
    job = staff.post(url, uploads()).context["job"]
    other = ProgramFactory()
    RoundFactory(program=other, is_current=True)
    kept = services.import_job_start(
        program=other, user=staff.user, round_name="", **{
            k: v for k, v in uploads().items() if k != "round_name"
        },
    )  # fmt: skip

    assert staging.staged_imports_forget(program_id=program.pk) == 1
    assert not (staging.staging_root() / job.folder).exists()
    assert list(ImportJob.objects.values_list("pk", flat=True)) == [kept.pk]
    assert (staging.staging_root() / kept.folder).is_dir()


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_lost_database_connection_is_left_for_the_task_to_retry(
    staff, program, monkeypatch, error
):
    job = services.import_job_start(program=program, user=staff.user, **uploads())

    def fails(**kwargs):
        raise error("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "network_import", fails)
    with pytest.raises(error):
        services.import_job_run(job_id=job.pk)
    assert ImportJob.objects.get(pk=job.pk).status in ImportJob.ACTIVE  # not marked failed
    assert tasks.import_run.autoretry_for == (OperationalError, InterfaceError)


def test_any_other_error_fails_the_job_with_a_message(staff, program, monkeypatch):
    job = services.import_job_start(program=program, user=staff.user, **uploads())

    def fails(**kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(services, "network_import", fails)
    job = services.import_job_run(job_id=job.pk)
    assert job.status == ImportJob.Status.FAILED
    assert "could not be imported" in str(job.report)
