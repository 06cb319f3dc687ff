"""The interactive map's page and data: who may see it, what it carries, what it leaves out."""

import json
import math
import re

import pytest
from django.urls import reverse

from members.models import AuditEvent, Member, Relationship
from networkmaps.graph.layout import MAX_DISPLACEMENT
from networkmaps.graph.poster import PALETTE
from networkmaps.maps import data as maps
from networkmaps.maps import posters
from networkmaps.models import MetricRun, NodeMetric
from tests.factories import (
    MemberFactory,
    ProgramFactory,
    ProgramRoleFactory,
    RoundFactory,
    UserFactory,
)
from tests.metric_runs import compute_all_rounds

pytestmark = pytest.mark.django_db
CODE = r"[2-9A-HJ-NP-Z]{4}"  # a member's code for the round (members/anonymous_codes.py)


def _login(client, program, role):
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program, role=role)
    client.force_login(user)
    return user


def _data(client, program, **params):
    response = client.get(reverse("networkmaps:map-data", args=[program.slug]), params)
    assert response.status_code == 200
    return response


def test_map_page_loads_its_code_from_files_and_its_settings_as_json(staff_client, computed):
    response = staff_client.get(reverse("networkmaps:map", args=[computed.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    # The CSP allows no inline code: every script either has a src or is JSON data.
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "graphology.umd.min.js" in html and "sigma.min.js" in html and "js/map.js" in html
    assert html.index("graphology.umd.min.js") < html.index("sigma.min.js")
    config = json.loads(re.search(r'id="map-config"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert [r["name"] for r in config["rounds"]] == ["Baseline", "Year two"]
    assert config["round"] == computed.current_round().pk
    # Staff get the member table as the map's text alternative.
    assert reverse("networkmaps:member-table", args=[computed.slug]) in html


def test_map_data_draws_every_member_of_the_current_run_where_the_run_put_them(
    staff_client, computed
):
    data = _data(staff_client, computed).json()
    run = MetricRun.objects.current().get(round=computed.current_round())
    stored = {m: (x, y) for m, x, y in NodeMetric.objects.filter(run=run).values_list(
        "member_id", "x", "y")}  # fmt: skip
    nodes = data["nodes"]
    assert sorted(nodes["id"]) == sorted(stored) and len(nodes["label"]) == len(stored)
    for row, member_id in enumerate(nodes["id"]):
        assert math.isclose(nodes["x"][row], stored[member_id][0], abs_tol=0.051)
        assert math.isclose(nodes["y"][row], stored[member_id][1], abs_tol=0.051)
    names = dict(Member.objects.filter(program=computed).values_list("id", "name"))
    assert nodes["label"] == [names[m] for m in nodes["id"]]
    # One edge per pair and type, whichever direction it was reported in.
    expected = {
        (min(s, t), max(s, t), type_id)
        for s, t, type_id in Relationship.objects.filter(round=computed.current_round())
        .values_list("source_id", "target_id", "type_id")
    }  # fmt: skip
    edges = data["edges"]
    type_names = [t["name"] for t in data["types"]]
    type_ids = dict(computed.relationship_types.values_list("name", "id"))
    drawn = {
        (nodes["id"][a], nodes["id"][b], type_ids[type_names[k]])
        for a, b, k in zip(edges["source"], edges["target"], edges["type"], strict=True)
    }
    assert {(min(a, b), max(a, b), k) for a, b, k in drawn} == expected
    assert len(drawn) == len(edges["source"])
    assert data["counts"] == {
        "members": len(stored),
        "ties": len({(a, b) for a, b, _ in expected}),
    }
    metrics = {m["key"]: m["values"] for m in data["metrics"]}
    degree = dict(NodeMetric.objects.filter(run=run).values_list("member_id", "degree"))
    assert metrics["degree"] == [degree[m] for m in nodes["id"]]


def test_map_colours_come_from_the_shared_palette_and_every_member_has_one(staff_client, computed):
    data = _data(staff_client, computed).json()
    for key, group in data["groups"].items():
        assert len(group["of"]) == data["counts"]["members"], key
        assert sum(v["count"] for v in group["values"]) == data["counts"]["members"]
        named = [v for v in group["values"] if not (v["other"] or v["missing"])]
        assert all(v["colour"] in PALETTE for v in named), key
        # Two categories never share a colour unless both are "other".
        assert len({v["colour"] for v in named}) == len(named)
    sectors = data["groups"]["sector"]
    counts = {
        v["label"]: v["count"] for v in sectors["values"]
    }  # largest sector first: it gets the first colour
    assert sectors["values"][0]["count"] == max(counts.values())


def test_categories_beyond_the_palette_share_the_other_colour():
    values = [f"Org {i}" for i in range(30) for _ in range(30 - i)] + [None, None]
    found, index = maps.categories_assign(values, missing="No organisation")
    assert [c.colour for c in found[: len(maps.CATEGORY_COLOURS)]] == list(maps.CATEGORY_COLOURS)
    assert {c.colour for c in found[len(maps.CATEGORY_COLOURS) : -1]} == {maps.OTHER_COLOUR}
    assert found[-1].missing and found[-1].count == 2 and index[-1] == len(found) - 1
    assert found[0].label == "Org 0" and index[0] == 0


def test_a_member_in_two_cohorts_is_found_by_either(staff_client, computed):
    member = computed.members.order_by("pk").first()
    later = computed.cohorts.exclude(members=member).order_by("-year").first()
    member.cohorts.add(later)
    data = _data(staff_client, computed).json()
    row = data["nodes"]["id"].index(member.pk)
    cohorts = [v["label"] for v in data["groups"]["cohort"]["values"]]
    assert [cohorts[i] for i in data["nodes"]["extra_cohorts"][str(row)]] == [later.name]


def test_compare_marks_the_ties_that_are_new_since_the_earlier_round(staff_client, computed):
    baseline, year_two = computed.rounds.order_by("observed_on")
    data = _data(staff_client, computed, round=year_two.pk, compare=baseline.pk).json()
    assert data["compare"] == {"id": baseline.pk, "name": "Baseline"}

    def pairs(round_):
        rows = Relationship.objects.filter(round=round_).values_list("source_id", "target_id")
        return {(min(s, t), max(s, t)) for s, t in rows}

    expected_new = pairs(year_two) - pairs(baseline)
    ids, edges = data["nodes"]["id"], data["edges"]
    flagged = {
        (min(ids[a], ids[b]), max(ids[a], ids[b]))
        for a, b, new in zip(edges["source"], edges["target"], edges["new"], strict=True)
        if new
    }
    assert flagged == expected_new and expected_new
    # A later round is no comparison for an earlier one.
    backwards = _data(staff_client, computed, round=baseline.pk, compare=year_two.pk).json()
    assert backwards["compare"] is None and "new" not in backwards["edges"]


def test_facilitators_get_the_map_but_never_an_email(client, computed):
    _login(client, computed, "facilitator")
    assert client.get(reverse("networkmaps:map", args=[computed.slug])).status_code == 200
    body = _data(client, computed).content.decode()
    emails = list(computed.members.exclude(email="").values_list("email", flat=True))
    assert emails and not [e for e in emails if e in body]
    assert "@" not in body
    # Facilitators are not staff: no link to the staff-only member table.
    page = client.get(reverse("networkmaps:map", args=[computed.slug])).content.decode()
    assert reverse("networkmaps:member-table", args=[computed.slug]) not in page


def test_facilitators_map_data_carries_no_id_of_a_staff_only_member(client, computed):
    drawn = computed.members.filter(pk__in=NodeMetric.objects.values("member_id")).order_by("pk")
    named, hidden = drawn[0], drawn[1]
    Member.objects.filter(pk=named.pk).update(visibility=Member.Visibility.MEMBERS)
    Member.objects.filter(pk=hidden.pk).update(visibility=Member.Visibility.STAFF)
    _login(client, computed, "facilitator")
    nodes = _data(client, computed).json()["nodes"]
    assert hidden.pk not in nodes["id"] and hidden.name not in nodes["label"]
    shown = set(drawn.filter(visibility=Member.Visibility.MEMBERS).values_list("pk", flat=True))
    assert named.pk in shown and {i for i in nodes["id"] if i is not None} == shown
    # Hidden rows are still drawn, under a code and with no id or title (served from the
    # stored map, whose codes are the round's once payload.py passes it: test_hidden_codes.py).
    for row, member_id in enumerate(nodes["id"]):
        if member_id is None:
            code = nodes["label"][row]
            assert re.fullmatch(rf"M\d{{3,}}|{CODE}", code) and nodes["title"][row] == ""


def test_anonymised_map_data_has_no_names_organisations_or_member_ids(staff_client, computed):
    response = _data(staff_client, computed, anonymised="1")
    body = response.content.decode()
    data = response.json()
    assert data["anonymised"] is True
    for name in computed.members.values_list("name", flat=True):
        assert json.dumps(name)[1:-1] not in body, name
    for organisation in computed.organisations.values_list("name", flat=True):
        assert json.dumps(organisation)[1:-1] not in body, organisation
    assert "id" not in data["nodes"] and "title" not in data["nodes"]
    codes = data["nodes"]["label"]
    assert len(set(codes)) == len(codes) and all(re.fullmatch(CODE, c) for c in codes)
    labels = [v["label"] for v in data["groups"]["organisation"]["values"]]
    assert all(
        re.fullmatch(r"Organisation \d+|No organisation recorded", label) for label in labels
    )
    # Each member's code for the round, as the round's posters print it (test_hidden_codes.py).
    again = _data(staff_client, computed, anonymised="1").json()["nodes"]["label"]
    assert again == codes


def test_loading_the_whole_network_is_audited(staff_client, staff_user, computed):
    _data(staff_client, computed, anonymised="1")
    event = AuditEvent.objects.get(program=computed, action="view_network")
    assert event.actor == staff_user and event.details["anonymised"] is True
    assert event.target == "map of Year two"


@pytest.mark.parametrize("role", ["member", "stranger"])
def test_every_map_url_is_not_found_for_members_and_other_programs_staff(client, computed, role):
    other = ProgramFactory()
    user = UserFactory()
    if role == "member":
        ProgramRoleFactory(user=user, program=computed, role="member")
    else:
        ProgramRoleFactory(user=user, program=other, role="staff")
    staff = _login(client.__class__(), computed, "staff")
    poster = posters.poster_request(
        program=computed,
        round_=computed.current_round(),
        options=posters.PosterOptions(paper="A3"),
        requested_by=staff,
    )
    client.force_login(user)
    slug = computed.slug
    urls = [
        reverse("networkmaps:map", args=[slug]),
        reverse("networkmaps:map-data", args=[slug]),
        reverse("networkmaps:posters", args=[slug]),
        reverse("networkmaps:poster-status", args=[slug, poster.pk]),
        reverse("networkmaps:poster-download", args=[slug, poster.pk, "pdf"]),
        reverse("networkmaps:poster-download", args=[slug, poster.pk, "svg"]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(urls[2], {"paper": "A3"}).status_code == 404
    assert not AuditEvent.objects.filter(program=computed).exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, computed):
    response = client.get(reverse("networkmaps:map-data", args=[computed.slug]))
    assert response.status_code == 302 and "login" in response.url


def test_map_data_before_any_run_says_what_to_do(staff_client, demo_program):
    data = _data(staff_client, demo_program).json()
    assert "recompute" in data["error"]
    assert not AuditEvent.objects.filter(action="view_network").exists()


def test_a_round_of_another_program_is_never_drawn(staff_client, computed):
    other = ProgramFactory()
    foreign = MemberFactory(program=other)
    foreign_round = RoundFactory(program=other)
    data = _data(staff_client, computed, round=foreign_round.pk).json()
    assert data["round"]["id"] == computed.current_round().pk
    assert foreign.pk not in data["nodes"]["id"]


def test_map_data_queries_do_not_grow_with_members(
    staff_client, computed, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20) as small:
        _data(staff_client, computed)
    MemberFactory.create_batch(40, program=computed)
    compute_all_rounds(computed)
    with django_assert_max_num_queries(len(small.captured_queries)):
        data = _data(staff_client, computed).json()
    assert data["counts"]["members"] == computed.members.count()


def test_round_two_places_every_member_near_their_round_one_position(computed):
    baseline, year_two = computed.rounds.order_by("observed_on")

    def positions(round_):
        rows = NodeMetric.objects.filter(run__round=round_, run__is_current=True)
        return {m: (x, y) for m, x, y in rows.values_list("member_id", "x", "y")}

    before, after = positions(baseline), positions(year_two)
    assert before.keys() == after.keys() and len(before) == 120
    moves = sorted(math.dist(before[m], after[m]) for m in before)
    # The layout box is 2,000 units wide: nobody moves more than the layout's bound, 4.2%
    # of it (give or take rounding), so everyone is found where they were.
    assert moves[-1] <= MAX_DISPLACEMENT * 1.001


# --- issue 16: lost ties, and a map members may open -----------------------------------------


def test_comparison_lists_the_ties_that_are_gone_between_members_on_the_map(staff_client, computed):
    baseline = computed.rounds.get(name="Baseline")
    data = _data(staff_client, computed, compare=baseline.pk).json()
    rows = dict(enumerate(data["nodes"]["id"]))
    now = {frozenset(p) for p in zip(data["edges"]["source"], data["edges"]["target"], strict=True)}
    lost = {frozenset(p) for p in zip(data["lost"]["source"], data["lost"]["target"], strict=True)}
    assert lost and not lost & now
    on_map = set(rows.values())
    then = {
        frozenset((s, t))
        for s, t in Relationship.objects.filter(round=baseline).values_list("source", "target")
        if s in on_map and t in on_map
    }
    as_ids = {frozenset(rows[r] for r in pair) for pair in lost}
    assert as_ids <= then
    without = _data(staff_client, computed).json()
    assert without["lost"] == {"source": [], "target": []}


def test_members_open_the_map_only_where_the_program_lets_them(client, computed):
    user = _login(client, computed, "member")
    me = Member.objects.filter(program=computed, visibility="staff").first()
    Member.objects.filter(pk=me.pk).update(user=user)
    url = reverse("networkmaps:map", args=[computed.slug])
    assert client.get(url).status_code == 404
    assert client.get(reverse("networkmaps:map-data", args=[computed.slug])).status_code == 404

    type(computed).objects.filter(pk=computed.pk).update(members_see_map=True)
    assert client.get(url).status_code == 200
    data = _data(client, computed).json()
    shown = set(data["nodes"]["label"])
    named = set(Member.objects.filter(program=computed, visibility="members").values_list(
        "name", flat=True
    ))  # fmt: skip
    hidden = set(
        Member.objects.filter(program=computed, visibility="staff")
        .exclude(pk=me.pk)
        .values_list("name", flat=True)
    )
    assert not hidden & shown
    assert named <= shown and me.name in shown  # a member sees their own name
    ids = {i for i in data["nodes"]["id"] if i is not None}
    assert ids == set(
        Member.objects.filter(program=computed, visibility="members").values_list("pk", flat=True)
    ) | {me.pk}
    assert AuditEvent.objects.filter(program=computed, action="view_network").exists()
