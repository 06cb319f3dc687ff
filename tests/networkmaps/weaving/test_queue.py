import datetime
from collections import Counter

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
    # Requests are members' own asks, not something a run computes.
    assert {s.kind for s in suggestions} == set(Suggestion.Kind.values) - {"request"}
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
    shown = {item.pair for item in _open_items(demo_program)}
    assert first.pair not in shown and second.pair not in shown
    # The introduced pair left the open list but is listed as introduced, decision kept.
    introduced = weaving.weaving_queue(program=demo_program, state="introduced")
    assert [i.pair for i in introduced.page.object_list] == [second.pair]
    assert queue.counts["dismissed"] == 1
    assert PairDecision.objects.get(member_a=second.member_a).status == "introduced"


def _open_items(program, **filters):
    queue = weaving.weaving_queue(program=program, **filters)
    items = list(queue.this_week)
    if queue.page:
        for number in queue.page.paginator.page_range:
            items += list(queue.page.paginator.page(number).object_list)
    return items


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


def test_queue_page_opens_on_this_week_then_pages_and_filters(
    client, demo_program, django_assert_max_num_queries
):
    user = UserFactory()
    ProgramRoleFactory(user=user, program=demo_program)
    client.force_login(user)
    _compute(demo_program, demo_program.current_round())
    url = reverse("networkmaps:weaving", args=[demo_program.slug])
    with django_assert_max_num_queries(30):
        response = client.get(url)
    assert response.status_code == 200
    queue = response.context["queue"]
    assert len(queue.this_week) == demo_program.weaving_this_week == 5
    assert len(queue.page.object_list) == 25
    # One ranking across kinds: priorities never rise down the list, and this week mixes
    # kinds (at most 2 of 5 of one kind) from the top of it.
    ranked = [i.priority for i in _open_items(demo_program)[5:] if i.pair]
    assert ranked == sorted(ranked, reverse=True)
    week = Counter(i.kind for i in queue.this_week)
    assert len(week) >= 3 and max(week.values()) <= 2
    assert [i.rank for i in queue.this_week] == [1, 2, 3, 4, 5]
    second = client.get(url, {"page": 2}).context["queue"]
    assert {i.pair for i in second.page.object_list}.isdisjoint(
        {i.pair for i in queue.page.object_list}
    )
    bridges = client.get(url, {"kind": "bridge"}).context["queue"]
    assert {i.kind for i in bridges.this_week + list(bridges.page.object_list)} == {"bridge"}
    cohort = demo_program.cohorts.order_by("pk").first().name
    by_cohort = _open_items(demo_program, groups={"cohort": cohort})
    cohort_of = {m.pk: m.cohorts.order_by("year").first().name for m in demo_program.members.all()}
    assert by_cohort and all(cohort in {cohort_of[m] for m in i.pair} for i in by_cohort if i.pair)
    s = queue.this_week[0]
    act = reverse("networkmaps:weaving-act", args=[demo_program.slug])
    fields = {"a": s.pair[0], "b": s.pair[1], "kind": s.kind}
    response = client.post(act, {**fields, "status": "snoozed"})
    assert response.status_code == 302
    decision = PairDecision.objects.get()
    assert decision.snoozed_until == datetime.date.today() + datetime.timedelta(days=30)
    queue = client.get(url).context["queue"]
    assert queue.counts["snoozed"] == 1 and s.pair not in {i.pair for i in queue.this_week}
    response = client.post(act, {**fields, "status": "nonsense"}, follow=True)
    assert b"could not be recorded" in response.content
    response = client.post(act, {**fields, "status": "dismissed"}, follow=True)
    assert b"Say why" in response.content


def test_introduce_then_dismiss_keeps_both_records_and_restore_brings_it_back(
    client, staff_user, demo_program
):
    client.force_login(staff_user)
    _compute(demo_program, demo_program.current_round())
    item = weaving.weaving_queue(program=demo_program).this_week[0]
    act = reverse("networkmaps:weaving-act", args=[demo_program.slug])
    fields = {"a": item.pair[0], "b": item.pair[1], "kind": item.kind}
    client.post(act, {**fields, "status": "introduced", "note": "emailed both"})
    client.post(
        act,
        {**fields, "status": "introduced", "assigned_to": staff_user.pk, "due_on": "2031-01-02",
         "note": "emailed both"},
    )  # fmt: skip
    client.post(act, {**fields, "status": "dismissed", "note": "they fell out"})
    history = decisions.pair_history(program=demo_program, pair=item.pair)
    assert [(e.status, e.note) for e in history] == [
        ("introduced", "emailed both"),
        ("introduced", "emailed both"),
        ("dismissed", "they fell out"),
    ]
    assert history[1].assigned_to == "staffer" and history[1].due_on == datetime.date(2031, 1, 2)
    assert all(e.decided_by == "staffer" for e in history)
    url = reverse("networkmaps:weaving", args=[demo_program.slug])
    dismissed = client.get(url, {"state": "dismissed"}).context["queue"]
    assert [i.pair for i in dismissed.page.object_list] == [item.pair]
    assert item.pair not in {i.pair for i in _open_items(demo_program)}
    client.post(act, {**fields, "status": "open", "note": "worth another try"})
    assert item.pair in {i.pair for i in _open_items(demo_program)}
    assert len(decisions.pair_history(program=demo_program, pair=item.pair)) == 4
    # The API exposes the whole history of the pair.
    api = reverse("api-decision-history", args=[demo_program.slug])
    data = client.get(api, {"a": item.pair[1], "b": item.pair[0]}).json()
    assert [e["status"] for e in data] == ["introduced", "introduced", "dismissed", "open"]
    assert data[2]["note"] == "they fell out" and data[2]["decided_by"] == "staffer"
    assert client.get(api, {"a": "x"}).status_code == 400


def test_requests_enter_the_queue_as_their_own_kind_with_the_members_words(
    client, staff_user, demo_program
):
    from members.requests import introduction_request_create

    _compute(demo_program, demo_program.current_round())
    one, two = demo_program.members.order_by("pk")[:2]
    introduction_request_create(
        program=demo_program, requester=one, other=two,
        words="We both run youth programs in the north", by_user=staff_user,
    )  # fmt: skip
    items = [i for i in _open_items(demo_program) if i.kind == "request"]
    assert [i.pair for i in items] == [tuple(sorted((one.pk, two.pk)))]
    assert items[0].requests[0].words == "We both run youth programs in the north"
    client.force_login(staff_user)
    page = client.get(reverse("networkmaps:weaving", args=[demo_program.slug]))
    assert "We both run youth programs in the north" in page.content.decode()
    ask = reverse("networkmaps:weaving-ask", args=[demo_program.slug])
    response = client.post(ask, {"first": one.name, "second": "Nobody At All"}, follow=True)
    assert "no member matches" in response.content.decode()


def test_what_if_is_computed_on_demand_and_kept_with_the_run(client, staff_user, demo_program):
    from networkmaps.models import WhatIf

    run = _compute(demo_program, demo_program.current_round())
    client.force_login(staff_user)
    one, two = demo_program.members.order_by("pk")[:2]
    url = reverse("networkmaps:weaving-what-if", args=[demo_program.slug])
    response = client.get(url, {"first": one.email, "second": two.name})
    assert response.status_code == 200
    effect = response.context["effect"]
    assert effect["reach_two_steps"]["after"][0] >= effect["reach_two_steps"]["before"][0]
    assert WhatIf.objects.filter(run=run).count() == 1
    client.get(url, {"first": two.pk, "second": one.pk})
    assert WhatIf.objects.filter(run=run).count() == 1
    bad = client.get(url, {"first": one.email, "second": one.email})
    assert "Choose two different people" in bad.content.decode()


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
    # A facilitator finds by name or email only members visible to them by name.
    Member.objects.filter(pk=guest.pk).update(visibility=Member.Visibility.MEMBERS)
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
