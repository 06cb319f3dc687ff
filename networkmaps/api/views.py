"""REST endpoints for metrics and metric runs (/api/v1/programs/<slug>/...)."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from members.access import STAFF, program_for_user
from netlead.params import whole_number
from networkmaps import glossary
from networkmaps.models import MetricRun, NodeMetric, PairDecision, PairDecisionEvent, Suggestion
from networkmaps.runs import selectors, services
from networkmaps.weaving import decisions


class MetricRunSerializer(serializers.ModelSerializer):
    round = serializers.CharField(source="round.name")
    status_url = serializers.SerializerMethodField()

    class Meta:
        model = MetricRun
        fields = [
            "id", "round", "status", "stage", "progress", "is_current", "approximate",
            "params", "timings", "error", "created_at", "started_at", "finished_at",
            "status_url",
        ]  # fmt: skip

    def get_status_url(self, run) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("api-metric-run-detail", args=[run.program.slug, run.pk])
        )


class RoundMetricsSerializer(serializers.Serializer):
    round = serializers.CharField()
    observed_on = serializers.DateField()
    run = MetricRunSerializer(allow_null=True)
    metrics = serializers.DictField(child=serializers.FloatField(allow_null=True))


@extend_schema(responses=RoundMetricsSerializer(many=True))
@api_view(["GET"])
def program_metrics(request, slug):
    """Network metrics of each round's current run, oldest round first."""
    program = program_for_user(request, slug, roles=STAFF)
    overview = selectors.network_overview(program=program)
    by_round = {r.pk: {} for r in overview.rounds}
    for metric, cells in overview.rows:
        for round_, cell in zip(overview.rounds, cells, strict=True):
            if cell.value is not None:
                by_round[round_.pk][metric.key] = cell.value
    return Response(
        [
            {
                "round": round_.name,
                "observed_on": round_.observed_on,
                "run": _run_data(request, overview.current_runs.get(round_.pk)),
                "metrics": by_round[round_.pk],
            }
            for round_ in overview.rounds
        ]
    )


@extend_schema(
    responses=inline_serializer(
        "MemberRoundMetrics",
        fields={
            "round": serializers.CharField(),
            "run": serializers.IntegerField(),
            "metrics": serializers.DictField(),
        },
        many=True,
    )
)
@api_view(["GET"])
def member_metrics(request, slug, member_id):
    """One member's metrics in every round that has a current run."""
    program = program_for_user(request, slug, roles=STAFF)
    member = get_object_or_404(program.members, pk=member_id)
    rows = (
        NodeMetric.objects.filter(member=member, run__is_current=True)
        .select_related("run__round")
        .order_by("run__round__observed_on")
    )
    return Response(
        [
            {
                "round": row.run.round.name,
                "run": row.run_id,
                "metrics": {key: getattr(row, key) for key in glossary.MEMBER_METRIC_KEYS}
                | {"brokerage": row.brokerage},
            }
            for row in rows
        ]
    )


@extend_schema(request=None, responses={202: MetricRunSerializer(many=True)})
@api_view(["GET", "POST"])
def metric_runs(request, slug):
    """GET: the newest run of every round. POST: queue a run for every round (or ?round=NAME)."""
    program = program_for_user(request, slug, roles=STAFF)
    if request.method == "GET":
        runs = selectors.latest_runs(program=program).values()
        return Response(MetricRunSerializer(runs, many=True, context={"request": request}).data)
    rounds = program.rounds.order_by("observed_on")
    if name := request.query_params.get("round"):
        rounds = rounds.filter(name=name)
        if not rounds:
            return Response({"round": [f"No round named “{name}”."]}, status=400)
    runs = [
        services.metric_run_request(
            program=program, round_=round_, requested_by=request.user.get_username()
        )
        for round_ in rounds
    ]
    data = MetricRunSerializer(runs, many=True, context={"request": request}).data
    return Response(data, status=status.HTTP_202_ACCEPTED)


@extend_schema(responses=MetricRunSerializer)
@api_view(["GET"])
def metric_run_detail(request, slug, run_id):
    program = program_for_user(request, slug, roles=STAFF)
    run = get_object_or_404(
        MetricRun.objects.select_related("round", "program"), program=program, pk=run_id
    )
    return Response(MetricRunSerializer(run, context={"request": request}).data)


def _run_data(request, run):
    if run is None:
        return None
    return MetricRunSerializer(run, context={"request": request}).data


class SuggestionSerializer(serializers.ModelSerializer):
    members = serializers.ListField(source="member_ids", child=serializers.IntegerField())
    round = serializers.CharField(source="run.round.name")
    status = serializers.SerializerMethodField()

    class Meta:
        model = Suggestion
        fields = ["id", "kind", "rank", "members", "subject", "score", "reason", "facts", "round",
                  "status"]  # fmt: skip

    def get_status(self, suggestion) -> str:
        decision = self.context["decisions"].get(suggestion.pair)
        return decision.status if decision else "open"


class DecisionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=PairDecision.Status.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    decided_on = serializers.DateField(required=False)
    snoozed_until = serializers.DateField(required=False)


def _decisions(program, suggestions) -> dict:
    members = {s.member_a_id for s in suggestions if s.member_a_id}
    rows = PairDecision.objects.filter(program=program, member_a_id__in=members)
    return {(d.member_a_id, d.member_b_id): d for d in rows}


@extend_schema(
    parameters=[
        OpenApiParameter("kind", str, enum=Suggestion.Kind.values),
        OpenApiParameter("member", int, description="Only suggestions involving this member."),
    ],
    responses=SuggestionSerializer(many=True),
)
@api_view(["GET"])
def suggestions(request, slug):
    """Suggestions of the current round's current run (dismissed pairs included, by status)."""
    program = program_for_user(request, slug, roles=STAFF)
    round_ = program.current_round()
    rows = Suggestion.objects.filter(run__round=round_, run__is_current=True).select_related(
        "run__round"
    )
    if kind := request.query_params.get("kind"):
        if kind not in Suggestion.Kind.values:
            return Response({"kind": [f"Choose one of {', '.join(Suggestion.Kind.values)}."]}, 400)
        rows = rows.filter(kind=kind)
    rows = list(rows.order_by("kind", "rank"))
    if member := request.query_params.get("member"):
        if (member_id := whole_number(member)) is None:
            return Response({"member": ["A member id is a whole number."]}, 400)
        # A run holds a bounded queue (~120 rows): filtering the sets here is simplest.
        rows = [r for r in rows if member_id in r.member_ids or r.subject_id == member_id]
    context = {"request": request, "decisions": _decisions(program, rows)}
    return Response(SuggestionSerializer(rows, many=True, context=context).data)


@extend_schema(request=DecisionSerializer, responses=SuggestionSerializer)
@api_view(["PATCH"])
def suggestion_detail(request, slug, suggestion_id):
    """Record what staff did about a suggested pair: introduced, dismissed or snoozed."""
    program = program_for_user(request, slug, roles=STAFF)
    suggestion = get_object_or_404(
        Suggestion.objects.select_related("run__round"), program=program, pk=suggestion_id
    )
    if suggestion.pair is None:
        return Response({"detail": "Key-player sets are not introductions."}, status=400)
    incoming = DecisionSerializer(data=request.data)
    incoming.is_valid(raise_exception=True)
    decisions.pair_decision_record(
        suggestion=suggestion, decided_by=request.user.get_username(), **incoming.validated_data
    )
    context = {"request": request, "decisions": _decisions(program, [suggestion])}
    return Response(SuggestionSerializer(suggestion, context=context).data)


class DecisionEventSerializer(serializers.ModelSerializer):
    """One decision about a pair (issue 14): the history keeps every one."""

    pair = serializers.SerializerMethodField()
    kind = serializers.CharField(source="decision.kind")
    round = serializers.CharField(source="round.name")

    class Meta:
        model = PairDecisionEvent
        fields = ["pair", "kind", "status", "note", "decided_on", "decided_by", "assigned_to",
                  "due_on", "snoozed_until", "round", "created_at"]  # fmt: skip

    def get_pair(self, event) -> list[int]:
        return [event.decision.member_a_id, event.decision.member_b_id]


@extend_schema(
    parameters=[
        OpenApiParameter("a", int, description="With b: only this pair's history."),
        OpenApiParameter("b", int),
    ],
    responses=DecisionEventSerializer(many=True),
)
@api_view(["GET"])
def decision_history(request, slug):
    """Every decision staff made about introductions, oldest first (nothing is overwritten)."""
    program = program_for_user(request, slug, roles=STAFF)
    rows = PairDecisionEvent.objects.filter(decision__program=program).select_related(
        "decision", "round"
    )
    a, b = request.query_params.get("a"), request.query_params.get("b")
    if a is not None or b is not None:
        if whole_number(a) is None or whole_number(b) is None:
            return Response({"a": ["Give both members of the pair as whole-number ids."]}, 400)
        low, high = sorted((whole_number(a), whole_number(b)))
        rows = rows.filter(decision__member_a_id=low, decision__member_b_id=high)
    return Response(DecisionEventSerializer(rows.order_by("created_at", "id"), many=True).data)
