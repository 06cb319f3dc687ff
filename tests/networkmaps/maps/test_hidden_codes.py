"""One code per hidden member and round: the interactive map, the posters and the member
pages show a person the visibility rule hides under the same code, so a facilitator holding
a poster finds the same person on screen; a code never names them nor follows them from
one round to the next."""

import datetime

import pytest
from django.urls import reverse

from members.models import Member, ProgramRole
from networkmaps.graph import poster as drawing
from networkmaps.maps import data as maps
from networkmaps.maps import posters
from networkmaps.maps.names import member_poster_code
from networkmaps.models import MetricRun
from tests.factories import (
    MemberFactory,
    ProgramFactory,
    ProgramRoleFactory,
    RelationshipFactory,
    RelationshipTypeFactory,
    RoundFactory,
    UserFactory,
)
from tests.metric_runs import compute_all_rounds

pytestmark = pytest.mark.django_db


@pytest.fixture
def circle():
    """Eight members in a ring in two rounds; Ann and Bo are named to members, the rest are
    "staff only". Ann has a login."""
    program = ProgramFactory(members_see_map=True)
    knows = RelationshipTypeFactory(program=program, name="knows")
    people = [
        MemberFactory(program=program, name=name, visibility=Member.Visibility.STAFF)
        for name in ("Ann", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal")
    ]
    for member in people[:2]:
        member.visibility = Member.Visibility.MEMBERS
        member.save(update_fields=["visibility"])
    rounds = [
        RoundFactory(
            program=program,
            name=name,
            observed_on=datetime.date(year, 1, 1),
            is_current=name == "Second",
        )
        for name, year in (("First", 2024), ("Second", 2025))
    ]
    for round_ in rounds:
        for a, b in zip(people, people[1:] + people[:1], strict=True):
            RelationshipFactory(program=program, round=round_, source=a, target=b, type=knows)
    compute_all_rounds(program)
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program, role=ProgramRole.Role.MEMBER)
    people[0].user = user
    people[0].save(update_fields=["user"])
    return program, rounds, people, user


def _drawn(round_) -> list[int]:
    """The members of the round's map, in row order."""
    run = MetricRun.objects.current().get(round=round_)
    return list(run.node_metrics.order_by("member_id").values_list("member_id", flat=True))


def test_facilitators_map_shows_each_hidden_member_under_the_code_the_poster_prints(circle):
    program, rounds, people, _ = circle
    round_ = rounds[1]
    data = maps.map_data(program=program, round_id=round_.pk, viewer_role="facilitator")
    spec = posters.poster_spec_build(
        program=program, round_=round_, options=posters.PosterOptions(), viewer_role="facilitator"
    )
    rows = _drawn(round_)
    names = dict(Member.objects.filter(program=program).values_list("pk", "name"))
    for row, member_id in enumerate(rows):
        label, printed = data["nodes"]["label"][row], spec.nodes[row].label
        assert label == printed, names[member_id]
        if names[member_id] in ("Ann", "Bo"):
            assert label == names[member_id]
        else:
            member = Member.objects.get(pk=member_id)
            assert label == member_poster_code(member=member, poster_or_round=round_)
            assert label not in names.values() and str(member_id) not in label
    # The index a facilitator reads on paper lists the same codes.
    assert sorted(entry for entry, _ in drawing.member_index(spec)) == sorted(
        data["nodes"]["label"]
    )


def test_anonymised_map_and_anonymised_poster_give_everyone_the_same_code(client, circle):
    program, rounds, people, _ = circle
    ProgramRoleFactory(user=(user := UserFactory()), program=program, role="facilitator")
    client.force_login(user)
    url = reverse("networkmaps:map-data", args=[program.slug])
    labels = client.get(url, {"anonymised": "1"}).json()["nodes"]["label"]
    again = client.get(url, {"anonymised": "1"}).json()["nodes"]["label"]
    spec = posters.poster_spec_build(
        program=program,
        round_=rounds[1],
        options=posters.PosterOptions(anonymised=True),
        viewer_role="facilitator",
    )
    assert labels == again == [node.label for node in spec.nodes]
    assert not {p.name for p in people} & set(labels)


def test_a_hidden_members_code_is_different_in_every_round(circle):
    program, rounds, people, _ = circle
    first, second = (
        maps.map_data(program=program, round_id=r.pk, anonymised=True, viewer_role="facilitator")
        for r in rounds
    )
    # Same members, same rows in both rounds: no code follows a person across rounds.
    assert _drawn(rounds[0]) == _drawn(rounds[1])
    assert all(
        a != b for a, b in zip(first["nodes"]["label"], second["nodes"]["label"], strict=True)
    )


def test_member_page_shows_a_hidden_contact_under_their_code_on_the_map(client, circle):
    program, rounds, people, user = circle
    client.force_login(user)
    network = client.get(reverse("networkmaps:my-network", args=[program.slug])).context["network"]
    hal = people[-1]  # Ann's neighbour in the ring, "staff only"
    code = member_poster_code(member=hal, poster_or_round=rounds[1])
    assert [c.code for c in network.connections if c.label is None] == [code]
    assert code in [n.code for n in network.nodes if n.label is None]
    data = maps.map_data(program=program, viewer_role="member", viewer_member_id=people[0].pk)
    assert code in data["nodes"]["label"] and "Hal" not in data["nodes"]["label"]


def test_stored_map_shows_a_hidden_member_under_the_posters_code(client, circle):
    program, rounds, people, _ = circle
    ProgramRoleFactory(user=(user := UserFactory()), program=program, role="facilitator")
    client.force_login(user)
    response = client.get(reverse("networkmaps:map-data", args=[program.slug]))
    assert response.has_header("ETag")  # served from the stored payload
    live = maps.map_data(program=program, viewer_role="facilitator")
    assert response.json()["nodes"]["label"] == live["nodes"]["label"]
