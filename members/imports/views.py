"""The staff page for importing a network: upload, watch the preview, confirm, watch the write.

The upload becomes an ImportJob that a worker previews (a dry run of the real import) and,
once confirmed, writes (members/imports/services.py); without a broker the worker's task
runs inline, so the answer to the upload is the preview itself. Until then the page polls
the job (`?job=<token>`, htmx) and shows its progress.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from members.access import STAFF, program_for_user
from members.imports import services, tasks
from members.imports.read import MB
from members.imports.report import ImportReport
from members.imports.staging import STAGING_MAX_AGE
from members.models import ImportJob
from netlead.params import whole_number

SHOWN_PROBLEMS = 500
EXPIRED = "This preview has expired or is not yours; upload the files again."


def _max_file_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_FILE_MB", 20) * MB


class ImportForm(forms.Form):
    members_file = forms.FileField(
        label="Members file",
        help_text="CSV, Excel (.xlsx), GEXF or GraphML. A workbook with both sheets (Kumu "
        "Elements and Connections), a GEXF or a GraphML file is enough on its own.",
    )
    ties_file = forms.FileField(
        label="Ties file",
        required=False,
        help_text="Optional, if the ties are in a file of their own.",
    )
    round_name = forms.CharField(
        label="Round",
        required=False,
        max_length=100,
        help_text="For ties that do not name their round. Blank means the current round.",
    )
    round_date = forms.DateField(
        label="Round date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The date the ties describe, for new rounds the file does not date.",
    )
    directed_types = forms.CharField(
        label="Directed relationship types",
        required=False,
        max_length=1000,
        help_text="New types whose ties go one way (A seeks advice from B); comma-separated.",
    )
    undirected_types = forms.CharField(
        label="Undirected relationship types",
        required=False,
        max_length=1000,
        help_text="New types where a tie is mutual (A and B know each other); comma-separated.",
    )
    weight_rule = forms.ChoiceField(
        label="Weights outside 1–5",
        choices=[("linear", "Rescale the file's range to 1–5"), ("quantiles", "By quintile")],
        initial="linear",
        required=False,
    )

    def options(self) -> dict:
        """What network_import needs besides the files, as JSON-ready data."""
        data = self.cleaned_data
        directions = {}
        for field_name, directed in (("directed_types", True), ("undirected_types", False)):
            for name in (data.get(field_name) or "").split(","):
                if name.strip():
                    directions[name.strip()] = directed
        return {
            "round_date": data["round_date"].isoformat() if data.get("round_date") else "",
            "directions": directions,
            "weight_rule": data.get("weight_rule") or "linear",
        }

    def clean(self):
        limit = _max_file_bytes()
        for name in ("members_file", "ties_file"):
            upload = self.cleaned_data.get(name)
            if upload and upload.size > limit:
                self.add_error(
                    name, f"This file is larger than {limit // MB} MB, the upload limit."
                )
        return self.cleaned_data


# The size check has to run before the CSRF middleware reads (and stores) the request body;
# the view below checks CSRF itself once the size is known to be sensible.
@csrf_exempt
@login_required
def network_import(request, slug):
    program = program_for_user(request, slug, roles=STAFF)
    too_large = 2 * _max_file_bytes() + MB
    length = whole_number(request.META.get("CONTENT_LENGTH") or "0") or 0
    if request.method == "POST" and length > too_large:
        messages.error(request, f"The upload is too large: each file may be at most "
                       f"{_max_file_bytes() // MB} MB.")  # fmt: skip
        return render(
            request, "members/import.html", {"program": program, "form": ImportForm()}, status=413
        )
    return _network_import(request, program)


@csrf_protect
def _network_import(request, program):
    if request.method != "POST":
        if "job" in request.GET:
            job = _job_for(request, program, request.GET["job"])
            if job is None:
                messages.error(request, EXPIRED)
                return redirect("members:import", slug=program.slug)
            return _job_page(request, program, job)
        return _page(request, program, ImportForm())
    if "token" in request.POST:
        return _confirm(request, program)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, program, form, status=400)
    job = services.import_job_start(
        program=program,
        user=request.user,
        members_file=form.cleaned_data["members_file"],
        ties_file=form.cleaned_data.get("ties_file"),
        round_name=form.cleaned_data["round_name"],
        options=form.options(),
    )
    _run(job)
    return _job_page(request, program, job)


def _confirm(request, program):
    job = _job_for(request, program, request.POST.get("token", ""), waiting=True)
    if job is None:
        messages.error(request, EXPIRED)
        return redirect("members:import", slug=program.slug)
    if request.POST.get("action") == "cancel":
        services.import_job_cancel(job=job)
        messages.info(request, "Import cancelled; nothing was changed.")
        return redirect("members:import", slug=program.slug)
    if not services.import_job_confirm(job=job):
        messages.error(request, EXPIRED)
        return redirect("members:import", slug=program.slug)
    _run(job)
    if job.status == ImportJob.Status.DONE:
        messages.success(request, f"Imported: {ImportReport.from_json(job.report).headline()}.")
        return redirect("members:program-detail", slug=program.slug)
    if job.status == ImportJob.Status.PREVIEWED:
        messages.warning(
            request, "The program changed since your preview. Here is what the import would do now."
        )
        return _job_page(request, program, job)
    if job.status == ImportJob.Status.FAILED:
        return _job_page(request, program, job, status=400)
    # A worker is writing it: the job's page follows it.
    return redirect(_job_url(program, job))


def _run(job: ImportJob) -> None:
    # Views run in autocommit (ATOMIC_REQUESTS is off), so the job row is committed already
    # and a worker can find it. Without a broker the task runs here and now.
    tasks.import_run.delay(job.pk)
    job.refresh_from_db()


def _job_for(request, program, token: str, *, waiting: bool = False) -> ImportJob | None:
    """The requester's own job of this program; with `waiting`, only one whose preview is
    still waiting for a confirmation."""
    jobs = ImportJob.objects.filter(program=program, user=request.user, token=token)
    if waiting:
        cutoff = timezone.now() - timedelta(seconds=STAGING_MAX_AGE)
        jobs = jobs.filter(status=ImportJob.Status.PREVIEWED, created_at__gte=cutoff)
    return jobs.first() if token else None


def _job_page(request, program, job: ImportJob, *, status: int = 200):
    report = ImportReport.from_json(job.report) if job.report else None
    context = {
        "job": job,
        "job_url": _job_url(program, job),
        "report": report,
        "token": job.token if job.status == ImportJob.Status.PREVIEWED else None,
    }
    if request.headers.get("HX-Request"):
        context |= {"program": program} | _problems(report)
        return render(request, "members/_import_job.html", context, status=status)
    return _page(request, program, ImportForm(), status=status, **context)


def _page(request, program, form, *, status=200, report=None, **context):
    context |= {
        "program": program,
        "form": form,
        "report": report,
        "rounds": program.rounds.order_by("-observed_on"),
        **_problems(report),
    }
    return render(request, "members/import.html", context, status=status)


def _problems(report: ImportReport | None) -> dict:
    problems = report.problems if report else []
    return {
        "shown_problems": problems[:SHOWN_PROBLEMS],
        "hidden_problems": max(0, len(problems) - SHOWN_PROBLEMS),
    }


def _job_url(program, job: ImportJob) -> str:
    return f"{reverse('members:import', args=[program.slug])}?job={job.token}"
