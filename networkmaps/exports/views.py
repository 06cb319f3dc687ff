"""The staff exports page and its downloads (the API has the same files: api_exports.py)."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from members.access import program_for_user
from networkmaps.exports import rows as exports
from networkmaps.models import MetricRun

STAFF = {"staff"}
YES = {"1", "true", "on", "yes"}


@login_required
def exports_page(request, slug):
    program = program_for_user(request, slug, roles=STAFF)
    rounds = program.rounds.annotate(tie_count=Count("ties")).order_by("-observed_on", "-id")
    with_metrics = set(
        MetricRun.objects.current().filter(program=program).values_list("round_id", flat=True)
    )
    chosen = exports.export_round(program=program, name=None)
    return render(
        request,
        "networkmaps/exports.html",
        {
            "program": program,
            "rounds": rounds,
            "with_metrics": with_metrics,
            "chosen": chosen,
            "formats": exports.FORMATS.values(),
        },
    )


@login_required
def export_download(request, slug, file_format):
    program = program_for_user(request, slug, roles=STAFF)
    round_ = exports.export_round(program=program, name=request.GET.get("round"))
    if file_format not in exports.FORMATS or round_ is None:
        raise Http404("No such export.")
    file = exports.export_build(
        program=program,
        round_=round_,
        fmt=file_format,
        anonymised=request.GET.get("anonymised", "").lower() in YES,
        user=request.user,
    )
    return file_response(file)


def file_response(file: exports.ExportFile) -> StreamingHttpResponse:
    response = StreamingHttpResponse(file.chunks, content_type=file.content_type)
    response["Content-Disposition"] = content_disposition_header(True, file.filename)
    # Exports hold personal data: no shared cache keeps a copy.
    response["Cache-Control"] = "private, no-store"
    return response
