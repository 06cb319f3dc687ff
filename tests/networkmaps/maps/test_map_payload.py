"""The map data stored with each run (networkmaps/maps/payload.py): names per viewer at
serve time, ETag / Last-Modified, and never served when the members' groups moved on."""

import gzip
import json
import re

import pytest
from django.urls import reverse

from members.models import Member
from networkmaps.maps import data as maps
from networkmaps.maps import payload
from networkmaps.models import MapPayload, MetricRun
from tests.factories import ProgramRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def _login(client, program, role):
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program, role=role)
    client.force_login(user)


def _get(client, program, **headers):
    return client.get(reverse("networkmaps:map-data", args=[program.slug]), headers=headers)


def test_a_run_stores_its_map_without_any_name(computed):
    run = MetricRun.objects.current().get(round=computed.current_round())
    stored = MapPayload.objects.get(run=run)
    body = payload.stored_json(bytes(stored.body)).decode()
    assert body.startswith('{"round":') and '"x":[' in body
    names = computed.members.values_list("name", flat=True)
    assert [n for n in names if n in body] == []
    assert sorted(stored.member_ids) == sorted(run.node_metrics.values_list("member_id", flat=True))


def test_stored_map_filters_names_per_viewer_through_the_visibility_rule(client, computed):
    run = MetricRun.objects.current().get(round=computed.current_round())
    drawn = computed.members.filter(metrics__run=run).order_by("pk")
    named, hidden = drawn[0], drawn[1]
    Member.objects.filter(pk=named.pk).update(visibility=Member.Visibility.MEMBERS)
    Member.objects.filter(pk=hidden.pk).update(visibility=Member.Visibility.STAFF)

    _login(client, computed, "staff")
    staff = _get(client, computed)
    assert staff.has_header("ETag")  # served from the stored payload
    nodes = staff.json()["nodes"]
    assert hidden.pk in nodes["id"] and hidden.name in nodes["label"]

    _login(client, computed, "facilitator")
    facilitator = _get(client, computed)
    assert facilitator.has_header("ETag") and facilitator["ETag"] != staff["ETag"]
    nodes = facilitator.json()["nodes"]
    assert hidden.pk not in nodes["id"] and hidden.name not in nodes["label"]
    row = nodes["id"].index(named.pk)
    assert nodes["label"][row] == named.name
    for row, member_id in enumerate(nodes["id"]):
        if member_id is None:
            # A code, never the name (the round's code once payload.py passes the round:
            # test_hidden_codes.py).
            code = r"M\d{3,}|[2-9A-HJ-NP-Z]{4}"
            assert re.fullmatch(code, nodes["label"][row]) and nodes["title"][row] == ""

    # The same viewer's map built on request has the same names, ids and everything else.
    live = maps.map_data(program=computed, viewer_role="facilitator")
    stored = facilitator.json()
    assert stored["nodes"]["id"] == live["nodes"]["id"]

    def named(nodes):
        return [label for label, i in zip(nodes["label"], nodes["id"], strict=True) if i]

    assert named(stored["nodes"]) == named(live["nodes"])
    for key in ("groups", "metrics", "edges", "counts", "round"):
        assert stored[key] == live[key]
    assert stored["nodes"]["x"] == live["nodes"]["x"]


def test_stored_map_is_one_valid_gzip_stream_for_browsers(staff_client, computed):
    plain = _get(staff_client, computed)
    packed = _get(staff_client, computed, accept_encoding="gzip")
    assert packed["Content-Encoding"] == "gzip" and packed.has_header("ETag")
    assert json.loads(gzip.decompress(packed.content)) == plain.json()
    assert len(packed.content) < len(plain.content) / 3


def test_stored_map_answers_not_modified_to_a_browser_that_has_it(staff_client, computed):
    first = _get(staff_client, computed)
    assert first.has_header("Last-Modified")
    again = _get(staff_client, computed, if_none_match=first["ETag"])
    assert again.status_code == 304 and again["ETag"] == first["ETag"]


def test_a_renamed_member_is_served_at_once_and_changed_groups_build_afresh(staff_client, computed):
    member = computed.members.filter(metrics__run__is_current=True).order_by("pk").first()
    Member.objects.filter(pk=member.pk).update(name="Renamed Person")
    response = _get(staff_client, computed)
    assert response.has_header("ETag") and "Renamed Person" in response.json()["nodes"]["label"]

    later = computed.cohorts.exclude(members=member).order_by("-year").first()
    member.cohorts.add(later)
    stored = MapPayload.objects.get(run__round=computed.current_round(), run__is_current=True)
    response = _get(staff_client, computed)
    # Stored again from today's cohorts, and served from storage.
    assert response.has_header("ETag") and response["ETag"] != stored.etag
    assert MapPayload.objects.get(pk=stored.pk).members_digest != stored.members_digest
    row = response.json()["nodes"]["id"].index(member.pk)
    assert response.json()["nodes"]["extra_cohorts"].get(str(row)) is not None


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        ("sector", "A sector nobody had"),
        ("organisation", "Renamed Org"),
        ("attribute value", "Zephyr annex"),
        ("new attribute", "Alma mater Qx"),
    ],
)
def test_any_change_to_what_the_map_groups_by_stores_the_map_again(
    staff_client, computed, change, shown
):
    from members.models import MemberAttribute

    member = computed.members.filter(metrics__run__is_current=True).order_by("pk").first()
    if change == "sector":
        Member.objects.filter(pk=member.pk).update(sector=shown)
    elif change == "organisation":
        type(member.organisation).objects.filter(pk=member.organisation_id).update(name=shown)
    elif change == "attribute value":
        MemberAttribute.objects.create(program=computed, key="office", label="Office")
        computed.members.update(attributes={"office": "North"})
        assert "North" in _get(staff_client, computed).content.decode()
        Member.objects.filter(pk=member.pk).update(attributes={"office": shown})
    else:
        MemberAttribute.objects.create(program=computed, key="school", label=shown)
    before = MapPayload.objects.get(run__round=computed.current_round(), run__is_current=True)
    assert shown not in payload.stored_json(bytes(before.body)).decode()
    response = _get(staff_client, computed)
    assert response.status_code == 200 and response.has_header("ETag")
    assert shown in json.dumps(response.json())
    after = MapPayload.objects.get(pk=before.pk)
    assert after.members_digest == payload.groups_digest(computed.pk) != before.members_digest
