"""Importing a network: read, plan and write in one transaction, and the job that runs it.

`network_import` is the one import (the command, the page's worker job and the bench call
it). The page's upload becomes an ImportJob; the `members.import_run` task previews it, and
once staff confirm, writes it, rechecking that the changes are still the ones previewed.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import BinaryIO

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, InterfaceError, OperationalError, transaction

from members import ties
from members.imports import read, staging
from members.imports.plan import Plan
from members.imports.plan_members import members_plan
from members.imports.read import Limits, Problem
from members.imports.report import ImportReport
from members.imports.write import plan_write
from members.models import AuditEvent, ImportJob, Program
from members.privacy.audit import audit_record

logger = logging.getLogger(__name__)

ImportFile = str | Path | BinaryIO
Progress = Callable[[int, str], None]  # (percent, what is happening)


def network_import(
    *,
    program: Program,
    members_file: ImportFile | None,
    ties_file: ImportFile | None = None,
    round_name: str | None = None,
    round_date: str = "",
    directions: dict[str, bool] | None = None,
    weight_rule: str = "linear",
    dry_run: bool = False,
    user: AbstractBaseUser | None = None,
    expected_fingerprint: str | None = None,
    limits: Limits | None = None,
    progress: Progress | None = None,
    on_written: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Import members (and ties) from spreadsheet files into `program`, or nothing at all.

    Files are paths or open binary files (an uploaded file works); a plain edge list needs
    no members file. Ties without a round go into `round_name` (created if new, dated
    `round_date` unless the file dates it) or the program's current round. `directions`
    ({type name: directed}) settles new relationship types the file leaves open;
    `weight_rule` ("linear" or "quantiles") maps weights outside 1–5 to strengths. The
    program row is locked for the whole import, so two imports into one program run one
    after the other.
    With any problem, or `dry_run`, the transaction is rolled back and the report says what
    would have changed. With `expected_fingerprint` (from a preview's report) nothing is
    written unless the changes are still exactly those previewed. `on_written` runs inside
    the transaction once written, so what the caller records about it commits with it.
    """
    progress = progress or (lambda percent, stage: None)
    report = ImportReport(program=program.slug, dry_run=dry_run)
    progress(5, "Reading the files")
    with ExitStack() as stack:
        members_upload = _upload(members_file, stack) if members_file is not None else None
        ties_upload = _upload(ties_file, stack) if ties_file is not None else None
        parsed = read.read_network(members=members_upload, ties=ties_upload, limits=limits)
    report.convention = parsed.convention
    report.problems += parsed.problems
    report.notes += parsed.notes
    if parsed.members is None and not parsed.members_from_ties:
        return report

    progress(40, "Comparing with the program" if dry_run else "Importing")
    try:
        with transaction.atomic():
            # Imports into one program queue up here; the lock ends with the transaction.
            program = Program.objects.select_for_update().get(pk=program.pk)
            plan = Plan(
                program=program,
                report=report,
                round_name=(round_name or "").strip(),
                round_date=round_date,
                directions=directions,
                weight_rule=weight_rule,
            )
            if parsed.members is not None:
                members_plan(plan=plan, sheet=parsed.members)
            if parsed.ties is not None:
                plan.ties(parsed.ties, members_from_ties=parsed.members_from_ties)
            report.problems.sort(key=_problem_order(parsed))
            if report.problems:
                transaction.set_rollback(True)
                return report
            if expected_fingerprint and expected_fingerprint != report.fingerprint():
                report.changed_since_preview = True
                transaction.set_rollback(True)
                return report
            # A dry run writes too, then rolls back: the preview meets the same constraints.
            plan_write(plan=plan, reason=f"import by {user.get_username()}" if user else "import")
            if dry_run:
                transaction.set_rollback(True)
                return report
            report.written = True
            audit_record(
                program=program,
                actor=user,
                action=AuditEvent.Action.IMPORT,
                target=str(getattr(members_file or ties_file, "name", "members file"))[:120],
            )
            if on_written:
                on_written(report)
    except (OperationalError, InterfaceError):
        raise  # lost connection, deadlock: transient, not a refusal; a job's task retries
    except ties.TiesRejected as exc:
        report.written = False
        report.problems.append(
            Problem("database", f"refused the import ({exc}); nothing was written.")
        )
    except DatabaseError:
        # The database's own words hold SQL and other rows' values: they go to the log only.
        logger.exception("import refused by the database")
        report.written = False
        report.problems.append(
            Problem("database", "refused the import; nothing was written. Staff can find why "
                    "in the server log.")
        )  # fmt: skip
    return report


def _upload(file: ImportFile, stack: ExitStack) -> read.Upload:
    if isinstance(file, (str, Path)):
        path = Path(file)
        return read.Upload(path.name, stack.enter_context(path.open("rb")))
    if hasattr(file, "seek"):
        file.seek(0)
    return read.Upload(Path(getattr(file, "name", "") or "upload").name, file)


def _problem_order(parsed: read.ParsedNetwork):
    files = [
        parsed.members.label if parsed.members else "",
        parsed.ties.label if parsed.ties else "",
    ]

    def order(problem: Problem) -> tuple[int, bool, int]:
        position = files.index(problem.file) if problem.file in files else len(files)
        # A GEXF or GraphML file holds both: its nodes come before its edges.
        return position, problem.unit == "edge", problem.row or 0

    return order


# --- the page's import jobs ----------------------------------------------------------------


def import_job_start(
    *,
    program: Program,
    user: AbstractBaseUser,
    members_file: UploadedFile,
    ties_file: UploadedFile | None,
    round_name: str,
    options: dict | None = None,
) -> ImportJob:
    """Stage the uploaded files as a queued job; the caller sends `members.import_run`.
    `options` are network_import's round_date, directions and weight_rule."""
    folder, names = staging.files_stage(members=members_file, ties=ties_file)
    staging.options_stage(folder=folder, options=options or {})
    return ImportJob.objects.create(
        program=program,
        user=user,
        token=secrets.token_urlsafe(32),
        folder=folder,
        members_name=names["members"],
        ties_name=names.get("ties", ""),
        round_name=round_name,
        stage=ImportJob.Status.QUEUED.label,
    )


def import_job_confirm(*, job: ImportJob) -> bool:
    """Staff confirm the preview: the job is to be written. False when it is not waiting for
    a confirmation any more (confirmed twice, cancelled, swept)."""
    return bool(
        ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEWED).update(
            status=ImportJob.Status.WRITING, progress=0, stage=ImportJob.Status.WRITING.label
        )
    )


def import_job_cancel(*, job: ImportJob) -> None:
    staging.staged_imports_delete(jobs=ImportJob.objects.filter(pk=job.pk))


def import_job_run(*, job_id: int, limits: Limits | None = None) -> ImportJob | None:
    """Do the job's next step: preview a queued job, write a confirmed one.

    Safe to run twice (a redelivered task): a preview is a dry run, and a write checks the
    previewed fingerprint inside its transaction, which also marks the job done.
    """
    job = ImportJob.objects.select_related("program", "user").filter(pk=job_id).first()
    if job is None or job.status not in ImportJob.ACTIVE:
        return job  # cancelled, swept or finished meanwhile
    writing = job.status == ImportJob.Status.WRITING
    if not writing:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.PREVIEWING)

    def progress(percent: int, stage: str) -> None:
        ImportJob.objects.filter(pk=job.pk, status__in=ImportJob.ACTIVE).update(
            progress=percent, stage=stage
        )

    def done(report: ImportReport) -> None:
        _job_finish(job, ImportJob.Status.DONE, report, expect=ImportJob.Status.WRITING)

    files = staging.files_staged(folder=job.folder)
    try:
        if "members_file" not in files:
            report = ImportReport(program=job.program.slug, dry_run=not writing)
            report.problems.append(Problem(job.members_name, "is no longer on the server."))
        else:
            report = network_import(
                program=job.program,
                round_name=job.round_name,
                dry_run=not writing,
                user=job.user,
                expected_fingerprint=job.fingerprint if writing else None,
                limits=limits,
                progress=progress,
                on_written=done,
                **staging.options_staged(folder=job.folder),
                **files,
            )
    except (OperationalError, InterfaceError):
        raise  # transient: the task retries these (autoretry_for)
    except Exception:
        logger.exception("import job %s failed", job.pk)
        report = ImportReport(program=job.program.slug, dry_run=not writing)
        report.problems.append(Problem(job.members_name, "could not be imported (an error on "
                                       "the server); nothing was changed."))  # fmt: skip
    if report.written:
        status = ImportJob.Status.DONE
    elif not report.problems:
        status = ImportJob.Status.PREVIEWED  # a preview, or a new one: the program changed
    else:
        status = ImportJob.Status.FAILED
    if not report.written:
        _job_finish(job, status, report, expect=job.status if writing else None)
    if status != ImportJob.Status.PREVIEWED:
        staging.files_delete(folder=job.folder)
    job.refresh_from_db()
    return job


def _job_finish(job: ImportJob, status: str, report: ImportReport, *, expect) -> None:
    rows = ImportJob.objects.filter(pk=job.pk)
    if expect:
        rows = rows.filter(status=expect)  # a second run of a written job changes nothing
    rows.update(
        status=status,
        progress=100,
        stage=ImportJob.Status(status).label,
        report=report.as_json(),
        fingerprint=report.fingerprint() if status == ImportJob.Status.PREVIEWED else "",
    )
