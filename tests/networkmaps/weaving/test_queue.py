import datetime

import networkx as nx
import pytest
from django.urls import reverse

from members.models import Member, Relationship
from networkmaps.models import PairDecision, Suggestion
from networkmaps.runs import compute, services
from networkmaps.weaving import decisions, outcomes
from networkmaps.weaving import queue as weaving
from tests.factories import (
    MemberFactory,
    ProgramFactory,
    ProgramRoleFactory,
    RelationshipTypeFactory,
    RoundFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _compute(program, round_):
    run = services.metric_run_request(program=program, round_=round_)
    return compute.metric_run_execute(run_id=run.pk)


@pytest.fixture
def karate():
    """Zachary's karate club as a program; each member's club is their sector."""
    graph = nx.karate_club_graph()
    program = ProgramFactory(name="Karate club")
    round_ = RoundFactory(program=program, is_current=True)
    knows = RelationshipTypeFactory(program=program)
    members = {
        node: MemberFactory(
            program=program, name=f"Karateka {node}", sector=graph.nodes[node]["club"]
        )
        for node in graph
    }
    Relationship.objects.bulk_create(
        Relationship(program=program, source=members[a], target=members[b], type=knows,
                     round=round_)
        for a, b in graph.edges
    )  # fmt: skip
    return program, round_, members


def test_karate_sector_bridge_and_hub_relief(karate):
    program, round_, members = karate
    run = _compute(program, round_)
    node_of = {m.pk: node for node, m in members.items()}
    club = {m.pk: m.sector for m in members.values()}
    bridges = Suggestion.objects.filter(run=run, kind="bridge", facts__dimension="sector")
    assert bridges.exists()
    assert any({club[s.member_a_id], club[s.member_b_id]} == {"Mr. Hi", "Officer"} for s in bridges)
    hubs = set(
        Suggestion.objects.filter(run=run, kind="hub_relief").values_list("subject_id", flat=True)
    )
    assert {node_of[h] for h in hubs} >= {0, 33}


def test_demo_has_all_five_kinds_with_factual_reasons(demo_program):
    run = _compute(demo_program, demo_program.current_round())
    suggestions = list(Suggestion.objects.filter(run=run).select_related("member_a", "member_b"))
    assert {s.kind for s in suggestions} == set(Suggestion.Kind.values)
    names = dict(Member.objects.filter(program=demo_program).values_list("pk", "name"))
    for s in suggestions:
        assert s.reason and s.facts
        if s.member_a:
            assert s.member_a.name in s.reason or s.member_b.name in s.reason
        if s.kind == "closure":
            assert f"{s.facts['shared_contact_count']} of the same people" in s.reason
            assert names[s.facts["shared_contact_ids"][0]] in s.reason
        if s.kind == "key_players":
            assert f"{s.facts['share'] * 100:.0f}%" in s.reason or "%" in s.reason


def test_dismissed_pairs_never_come_back_and_introductions_survive_recompute(demo_program):
    round_ = demo_program.current_round()
    run = _compute(demo_program, round_)
    first, second = Suggestion.objects.filter(run=run, kind="closure").order_by("rank")[:2]
    decisions.pair_decision_record(suggestion=first, status="dismissed", decided_by="staff")
    decisions.pair_decision_record(suggestion=second, status="introduced", decided_by="staff")
    # New data → a new run with new suggestion rows.
    Relationship.objects.filter(round=round_).order_by("pk").first().delete()
    rerun = _compute(demo_program, round_)
    assert rerun.pk != run.pk
    pairs = set(Suggestion.objects.filter(run=rerun).values_list("member_a_id", "member_b_id"))
    assert first.pair not in pairs
    queue = weaving.weaving_queue(program=demo_program)
    shown = {item.suggestion.pair: item for _, _, items in queue.groups for item in items}
    assert first.pair not in shown
    # The introduced pair is suggested again and stays in the queue, showing its decision.
    assert second.pair in pairs
    assert shown[second.pair].decision.status == "introduced"
    assert PairDecision.objects.get(member_a=second.member_a).status == "introduced"


def test_introduction_that_becomes_a_tie_counts_as_a_success(demo_program):
    baseline, year_two = demo_program.rounds.order_by("observed_on")
    run = _compute(demo_program, baseline)
    chosen = Suggestion.objects.filter(run=run, kind="closure").order_by("rank")[:3]
    for s in chosen:
        decisions.pair_decision_record(suggestion=s, status="introduced", decided_by="staff")
    worked = chosen[0]
    Relationship.objects.filter(round=year_two).filter(
        source__in=worked.pair, target__in=worked.pair
    ).delete()
    Relationship.objects.create(
        program=demo_program, source=worked.member_a, target=worked.member_b,
        type=demo_program.relationship_types.first(), round=year_two,
    )  # fmt: skip
    others = [s.pair for s in chosen[1:]]
    for a, b in others:  # make sure the other two did not form
        Relationship.objects.filter(
            round=year_two, source_id__in=(a, b), target_id__in=(a, b)
        ).delete()
    _compute(demo_program, year_two)
    (outcome,) = outcomes.introduction_outcomes(program=demo_program)
    assert outcome.round == year_two
    assert (outcome.introduced, outcome.formed) == (3, 1)
    assert outcome.by_kind == [("Close a triangle", 3, 1)]
    assert (
        PairDecision.objects.get(member_a=worked.member_a, member_b=worked.member_b).tie_round
        == year_two
    )


def test_queue_page_groups_filters_and_acts(client, demo_program, django_assert_max_num_queries):
    user = UserFactory()
    ProgramRoleFactory(user=user, program=demo_program)
    client.force_login(user)
    _compute(demo_program, demo_program.current_round())
    url = reverse("networkmaps:weaving", args=[demo_program.slug])
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert response.status_code == 200
    kinds = [kind for kind, _, _ in response.context["queue"].groups]
    assert kinds == list(weaving.QUEUE_ORDER)
    response = client.get(url, {"kind": "bridge"})
    assert [k for k, _, _ in response.context["queue"].groups] == ["bridge"]
    s = Suggestion.objects.filter(kind="closure").order_by("rank").first()
    act = reverse("networkmaps:suggestion-act", args=[demo_program.slug, s.pk])
    response = client.post(act, {"status": "snoozed"})
    assert response.status_code == 302
    decision = PairDecision.objects.get()
    assert decision.snoozed_until == datetime.date.today() + datetime.timedelta(days=30)
    response = client.get(url)
    assert response.context["queue"].hidden == 1
    response = client.post(act, {"status": "nonsense"}, follow=True)
    assert b"could not be recorded" in response.content


def test_queue_is_not_found_for_members(client, demo_program):
    user = UserFactory()
    ProgramRoleFactory(user=user, program=demo_program, role="member")
    client.force_login(user)
    assert client.get(reverse("networkmaps:weaving", args=[demo_program.slug])).status_code == 404


def test_members_only_see_introductions_to_people_who_allow_it(demo_program):
    _compute(demo_program, demo_program.current_round())
    s = Suggestion.objects.filter(kind="closure").order_by("rank").first()
    me, other = s.member_a, s.member_b
    Member.objects.filter(pk=other.pk).update(visibility="members", accepts_introductions=True)
    assert Suggestion.objects.for_member(me).filter(pk=s.pk).exists()
    Member.objects.filter(pk=other.pk).update(accepts_introductions=False)
    assert not Suggestion.objects.for_member(me).filter(pk=s.pk).exists()
    Member.objects.filter(pk=other.pk).update(visibility="staff", accepts_introductions=True)
    assert not Suggestion.objects.for_member(me).filter(pk=s.pk).exists()


def test_mixer_seats_cohorts_at_balanced_tables(client, demo_program):
    _compute(demo_program, demo_program.current_round())
    user = UserFactory()
    ProgramRoleFactory(user=user, program=demo_program, role="facilitator")
    client.force_login(user)
    cohorts = list(demo_program.cohorts.values_list("pk", flat=True)[:2])
    guest = demo_program.members.exclude(cohorts__in=cohorts).first()
    url = reverse("networkmaps:mixer", args=[demo_program.slug])
    response = client.get(url, {"cohorts": cohorts, "attendees": guest.email, "table_size": 8})
    seating = response.context["seating"]
    seated = [m.pk for table in seating.tables for m in table]
    expected = set(demo_program.members.filter(cohorts__in=cohorts).values_list("pk", flat=True))
    assert sorted(seated) == sorted(expected | {guest.pk})
    sizes = [len(t) for t in seating.tables]
    assert max(sizes) - min(sizes) <= 1 and max(sizes) <= 8
    assert seating.summary["new_pairs"] > 0.8 * seating.summary["pairs"]


def test_mixer_names_attendees_it_cannot_find(client, staff_user, demo_program):
    client.force_login(staff_user)
    url = reverse("networkmaps:mixer", args=[demo_program.slug])
    response = client.get(url, {"attendees": "Nobody Atall\nno@one.org", "table_size": 6})
    assert response.status_code == 200 and response.context["seating"] is None
    assert "Nobody Atall" in response.content.decode()
