"""GET /api/v1/programs/<slug>/rounds/<id>/comparison/?against=<id>: two rounds compared for
analysts and funder reports, with the same numbers as the round report (one service,
exports/round_report.round_comparison)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from members.access import STAFF, program_for_user
from members.models import Round
from netlead.params import whole_number
from networkmaps.exports.round_report import round_comparison


class RoundRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    observed_on = serializers.DateField()
    response_rate = serializers.FloatField(allow_null=True)
    low_response = serializers.BooleanField()
    stage = serializers.DictField(allow_null=True)


class CountsSerializer(serializers.Serializer):
    new = serializers.IntegerField()
    lost = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    not_comparable = serializers.IntegerField()
    strengthened = serializers.IntegerField()
    weakened = serializers.IntegerField()
    ties_before = serializers.IntegerField()
    ties_after = serializers.IntegerField()


class IndicatorSerializer(serializers.Serializer):
    label = serializers.CharField()
    before = serializers.FloatField(allow_null=True)
    after = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(allow_null=True)


class ComparisonSerializer(serializers.Serializer):
    round = RoundRefSerializer()
    against = RoundRefSerializer()
    missing_answers = serializers.CharField(help_text="reconstruct, carry_forward or as_reported")
    missing_answers_rule = serializers.CharField()
    counts = CountsSerializer(
        help_text="New, lost and unchanged ties among comparable pairs (one of the two "
        "answered in both rounds); not_comparable: tied pairs where neither did."
    )
    indicators = IndicatorSerializer(many=True)
    headlines = serializers.ListField(child=serializers.CharField())


class ProblemSerializer(serializers.Serializer):
    detail = serializers.CharField()


@extend_schema(
    parameters=[
        OpenApiParameter(
            "against", int, required=True, description="Id of the round to compare with."
        )
    ],
    responses={
        200: ComparisonSerializer,
        400: ProblemSerializer,
        403: ProblemSerializer,
    },
)
@api_view(["GET"])
def round_comparison_api(request, slug, round_id):
    """One round compared with another: tie counts (new, lost, unchanged, not comparable),
    indicator deltas, response rates, the missing-answer rule and each round's stage."""
    program = program_for_user(request, slug, roles=STAFF)
    after = get_object_or_404(Round, program=program, pk=round_id)
    against = whole_number(request.query_params.get("against", ""))
    if against is None:
        return Response(
            {"detail": "The parameter “against” must be the id of a round of this program."},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if against == after.pk:
        return Response(
            {"detail": "The parameter “against” must name a different round."},
            status=status.HTTP_400_BAD_REQUEST,
        )
    before = get_object_or_404(Round, program=program, pk=against)
    report = round_comparison(program=program, before=before, after=after)

    def ref(round_, response, stage):
        return {
            "id": round_.pk,
            "name": round_.name,
            "observed_on": round_.observed_on,
            "response_rate": response.rate if response else None,
            "low_response": bool(response and response.low),
            "stage": stage,
        }

    data = {
        "round": ref(after, report.response_after, report.stage_after),
        "against": ref(before, report.response_before, report.stage_before),
        "missing_answers": report.missing_answers,
        "missing_answers_rule": report.missing_rule,
        "counts": {
            "new": report.ties_new,
            "lost": report.ties_lost,
            "unchanged": report.ties_unchanged,
            "not_comparable": report.ties_not_comparable,
            "strengthened": report.ties_strengthened,
            "weakened": report.ties_weakened,
            "ties_before": report.ties_before,
            "ties_after": report.ties_after,
        },
        "indicators": [
            {"label": m.label, "before": m.before, "after": m.after, "change": m.change}
            for m in report.metrics
        ],
        "headlines": report.headlines(),
    }
    return Response(ComparisonSerializer(data).data)
