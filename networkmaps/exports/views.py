"""The staff exports page and its downloads (the API has the same files: exports/api.py), and
the round report (HTML and PDF)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header

from members.access import STAFF, program_for_user
from members.models import Round
from netlead.params import whole_number
from networkmaps.exports import formats
from networkmaps.exports import round_report as reports
from networkmaps.models import MetricRun

YES = {"1", "true", "on", "yes"}


@login_required
def exports_page(request, slug):
    program = program_for_user(request, slug, roles=STAFF)
    rounds = program.rounds.annotate(tie_count=Count("ties")).order_by("-observed_on", "-id")
    with_metrics = set(
        MetricRun.objects.current().filter(program=program).values_list("round_id", flat=True)
    )
    chosen = formats.export_round(program=program, name=None)
    return render(
        request,
        "networkmaps/exports.html",
        {
            "program": program,
            "rounds": rounds,
            "with_metrics": with_metrics,
            "chosen": chosen,
            "formats": formats.FORMATS.values(),
        },
    )


@login_required
def export_download(request, slug, file_format):
    program = program_for_user(request, slug, roles=STAFF)
    round_ = formats.export_round(program=program, name=request.GET.get("round"))
    if file_format not in formats.FORMATS or round_ is None:
        raise Http404("No such export.")
    file = formats.export_build(
        program=program,
        round_=round_,
        fmt=file_format,
        anonymised=request.GET.get("anonymised", "").lower() in YES,
        user=request.user,
    )
    return file_response(file)


def file_response(file: formats.ExportFile) -> StreamingHttpResponse:
    response = StreamingHttpResponse(file.chunks, content_type=file.content_type)
    response["Content-Disposition"] = content_disposition_header(True, file.filename)
    # Exports hold personal data: no shared cache keeps a copy.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def round_report(request, slug, round_id):
    program = program_for_user(request, slug, roles=STAFF)
    comparison = _comparison(request, program, round_id)
    context = {"program": program, "report": comparison, "rounds": program.rounds.all()}
    if request.GET.get("format") == "pdf" and comparison is not None:
        html = render_to_string("networkmaps/round_report_pdf.html", context, request)
        pdf = reports.round_report_pdf(html=html, base_url=str(settings.BASE_DIR))
        filename = f"{program.slug}-{comparison.after.name}-report.pdf".replace(" ", "-").lower()
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response
    return render(request, "networkmaps/round_report.html", context)


def _comparison(request, program, round_id):
    after = get_object_or_404(Round, program=program, pk=round_id)
    before_id = request.GET.get("before", "")
    before = (
        program.rounds.filter(pk=whole_number(before_id)).first()
        if whole_number(before_id) is not None
        else after.previous()
    )
    if before is None or before.pk == after.pk:
        return None
    return reports.round_comparison(program=program, before=before, after=after)
