"""A member's own network page: the counted ties, and only the names the member may see."""

import re

import pytest
from django.urls import reverse

from members.models import Member, ProgramRole, Relationship, SurveySettings
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
CODE = r"[2-9A-HJ-NP-Z]{4}"  # a member's code for the round (members/anonymous_codes.py)
SURVEY = Relationship.Origin.SURVEY


@pytest.fixture
def world(client):
    """Ann reported Ben (named to members, reported her back) and Cat (staff only, did not)."""
    program = ProgramFactory(slug="own-page")
    SurveySettings.objects.create(program=program, ties_count=SurveySettings.TiesCount.BOTH_SIDES)
    knows = RelationshipTypeFactory(program=program, name="knows", directed=False)
    round_ = RoundFactory(program=program, is_current=True)
    people = {
        "Ann": MemberFactory(program=program, name="Ann Shown", visibility="members"),
        "Ben": MemberFactory(program=program, name="Ben Shown", visibility="members"),
        "Cat": MemberFactory(program=program, name="Cat Hidden", visibility="staff"),
    }
    for source, target in (("Ann", "Ben"), ("Ben", "Ann"), ("Ann", "Cat")):
        RelationshipFactory(
            program=program, round=round_, source=people[source], target=people[target],
            type=knows, origin=SURVEY,
        )  # fmt: skip
    compute_all_rounds(program)
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program, role=ProgramRole.Role.MEMBER)
    Member.objects.filter(pk=people["Ann"].pk).update(user=user)
    client.force_login(user)
    return program, people


def test_own_page_lists_every_reported_tie_but_names_only_who_may_be_named(client, world):
    program, people = world
    response = client.get(reverse("networkmaps:my-network", args=[program.slug]))
    assert response.status_code == 200
    ties = {tie.pk: tie for tie in response.context["network"].reported_ties}
    reported = Relationship.objects.filter(source=people["Ann"])
    assert set(ties) == set(reported.values_list("pk", flat=True))
    to_ben = ties[reported.get(target=people["Ben"]).pk]
    to_cat = ties[reported.get(target=people["Cat"]).pk]
    assert (to_ben.target, to_ben.counted) == ("Ben Shown", True)
    # One-sided under "confirmed ties only": listed (she may remove it) but not counted.
    assert (to_cat.target, to_cat.counted) == (None, False)
    page = response.content.decode()
    assert "Cat Hidden" not in page and "Ben Shown" in page
    assert "not counted until they report you too" in page


def test_ego_map_draws_the_counted_ties_only(client, world):
    program, people = world
    network = client.get(reverse("networkmaps:my-network", args=[program.slug])).context["network"]
    # Ann–Cat is one-sided: Cat is not on Ann's ego map at all.
    assert sorted(n.label for n in network.nodes) == ["Ann Shown", "Ben Shown"]
    assert len(network.lines) == 1


def test_staff_see_every_name_on_a_members_page(client, world):
    program, people = world
    staff = UserFactory()
    ProgramRoleFactory(user=staff, program=program, role=ProgramRole.Role.STAFF)
    client.force_login(staff)
    url = reverse("networkmaps:member-page", args=[program.slug, people["Ann"].pk])
    network = client.get(url).context["network"]
    assert {tie.target for tie in network.reported_ties} == {"Ben Shown", "Cat Hidden"}


# --- issue 16: a member page worth opening -------------------------------------------------


@pytest.fixture
def hub(client):
    """Hana has 14 ties, 7 stored with her as the source and 7 with her as the target; the
    first 4 of her contacts chose to be named to members, the rest did not."""
    program = ProgramFactory(slug="hub-page")
    knows = RelationshipTypeFactory(program=program, name="knows", directed=False)
    round_ = RoundFactory(program=program, is_current=True)
    hana = MemberFactory(program=program, name="Hana Hub", visibility="members", sector="health")
    others = [
        MemberFactory(
            program=program, name=f"Contact {i:02d}", visibility="members" if i < 4 else "staff",
            sector="health",
        )
        for i in range(14)
    ]  # fmt: skip
    for i, other in enumerate(others):
        source, target = (hana, other) if i % 2 == 0 else (other, hana)
        RelationshipFactory(
            program=program, round=round_, source=source, target=target, type=knows,
            origin=Relationship.Origin.IMPORT,
        )  # fmt: skip
    # Zed (staff only) shares four of Hana's contacts but has no tie to her.
    zed = MemberFactory(program=program, name="Zed Hidden", visibility="staff", sector="health")
    for other in others[:4]:
        RelationshipFactory(program=program, round=round_, source=zed, target=other, type=knows)
    compute_all_rounds(program)
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program, role=ProgramRole.Role.MEMBER)
    Member.objects.filter(pk=hana.pk).update(user=user)
    client.force_login(user)
    return program, hana, others, zed


def test_member_with_14_ties_stored_both_ways_sees_14_connections(client, hub):
    program, hana, others, _ = hub
    response = client.get(reverse("networkmaps:my-network", args=[program.slug]))
    connections = response.context["network"].connections
    assert len(connections) == 14
    named = sorted(c.label for c in connections if c.label)
    assert named == [f"Contact {i:02d}" for i in range(4)]
    codes = [c.code for c in connections if not c.label]
    assert len(codes) == 10 and len(set(codes)) == 10 and all(re.fullmatch(CODE, c) for c in codes)
    page = response.content.decode()
    assert page.count("<li><span><strong") == 14
    for other in others[4:]:
        assert other.name not in page


def test_ego_map_labels_named_people_by_name_and_everyone_else_by_code(client, hub):
    program, hana, others, _ = hub
    network = client.get(reverse("networkmaps:my-network", args=[program.slug])).context["network"]
    direct = [n for n in network.nodes if n.role == "direct"]
    assert len(direct) == 14
    assert sorted(n.label for n in direct if n.label) == [f"Contact {i:02d}" for i in range(4)]
    assert all(re.fullmatch(CODE, n.code) for n in direct if not n.label)
    # A code on the map is the same person's code in the connections list.
    assert {n.code for n in direct if not n.label} == {
        c.code for c in network.connections if not c.label
    }
    assert any(n.labelled for n in network.nodes if n.role == "me")


def _suggest(program, member, other, reason):
    from networkmaps.models import MetricRun, Suggestion

    run = MetricRun.objects.current().get(round=program.current_round())
    a, b = sorted((member, other), key=lambda m: m.pk)
    return Suggestion.objects.create(
        run=run, program=program, kind=Suggestion.Kind.CLOSURE, rank=1, member_a=a,
        member_b=b, score=1.0, reason=reason, facts={},
    )  # fmt: skip


def test_hidden_match_still_sees_a_worded_suggestion(client, hub):
    program, hana, others, zed = hub
    _suggest(program, hana, zed, f"{hana.name} and {zed.name} both have ties to 4 people.")
    response = client.get(reverse("networkmaps:my-network", args=[program.slug]))
    page = response.content.decode()
    assert "Someone in the health sector who shares 4 of your contacts." in page
    assert "Zed Hidden" not in page


def test_no_introduction_for_someone_who_does_not_want_them(client, hub):
    program, hana, others, zed = hub
    Member.objects.filter(pk=zed.pk).update(accepts_introductions=False)
    _suggest(program, hana, zed, "reason")
    network = client.get(reverse("networkmaps:my-network", args=[program.slug])).context["network"]
    assert network.introductions == []
    assert "No introduction involves you" in network.empty["introductions"]


def test_empty_lists_say_why_and_what_to_do(client):
    program = ProgramFactory(slug="empty-page")
    RoundFactory(program=program, is_current=True)
    member = MemberFactory(program=program)
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program, role=ProgramRole.Role.MEMBER)
    Member.objects.filter(pk=member.pk).update(user=user)
    client.force_login(user)
    page = client.get(reverse("networkmaps:my-network", args=[program.slug])).content.decode()
    assert "No ties are recorded for you in this round yet. Answer the relationship survey" in page
    assert "You have not reported any ties in this round." in page
    assert "The network has not been measured for this round yet." in page


def test_a_tie_removal_can_be_undone_for_30_days(client, world):
    import datetime

    from members.models import RemovedTie

    program, people = world
    tie = Relationship.objects.get(source=people["Ann"], target=people["Ben"])
    client.post(reverse("members:my-tie-remove", args=[program.slug, tie.pk]))
    assert not Relationship.objects.filter(pk=tie.pk).exists()
    removed = RemovedTie.objects.get(member=people["Ann"])
    page = client.get(reverse("networkmaps:my-network", args=[program.slug])).content.decode()
    assert "Removed recently" in page and "can be undone until" in page

    client.post(reverse("members:my-tie-restore", args=[program.slug, removed.pk]))
    back = Relationship.objects.get(source=people["Ann"], target=people["Ben"])
    assert (back.type_id, back.round_id, back.strength, back.origin) == (
        tie.type_id, tie.round_id, tie.strength, tie.origin,
    )  # fmt: skip
    # Once undone, it cannot be undone twice; and after 30 days, not at all.
    response = client.post(
        reverse("members:my-tie-restore", args=[program.slug, removed.pk]), follow=True
    )
    assert "cannot be undone" in response.content.decode()
    client.post(reverse("members:my-tie-remove", args=[program.slug, back.pk]))
    late = RemovedTie.objects.filter(restored_at__isnull=True).get()
    RemovedTie.objects.filter(pk=late.pk).update(
        removed_at=late.removed_at - datetime.timedelta(days=31)
    )
    client.post(reverse("members:my-tie-restore", args=[program.slug, late.pk]))
    assert not Relationship.objects.filter(source=people["Ann"], target=people["Ben"]).exists()


def test_another_members_removal_cannot_be_undone(client, world):
    from members.models import RemovedTie

    program, people = world
    tie = Relationship.objects.get(source=people["Ben"], target=people["Ann"])
    removed = RemovedTie.objects.create(
        program=program, member=people["Ben"], target=people["Ann"], type=tie.type,
        round=tie.round, strength=2, origin=tie.origin,
    )  # fmt: skip
    tie.delete()
    client.post(reverse("members:my-tie-restore", args=[program.slug, removed.pk]))
    assert not Relationship.objects.filter(source=people["Ben"]).exists()


def test_member_corrects_the_strength_of_a_reported_tie(client, world):
    program, people = world
    tie = Relationship.objects.get(source=people["Ann"], target=people["Cat"])
    client.post(reverse("members:my-tie-correct", args=[program.slug, tie.pk]), {"strength": "5"})
    assert Relationship.objects.get(pk=tie.pk).strength == 5
    response = client.post(
        reverse("members:my-tie-correct", args=[program.slug, tie.pk]), {"strength": "9"},
        follow=True,
    )  # fmt: skip
    assert "Strength: choose a whole number from 1 to 5." in response.content.decode()
    assert Relationship.objects.get(pk=tie.pk).strength == 5
    theirs = Relationship.objects.get(source=people["Ben"], target=people["Ann"])
    client.post(
        reverse("members:my-tie-correct", args=[program.slug, theirs.pk]), {"strength": "1"}
    )
    assert Relationship.objects.get(pk=theirs.pk).strength != 1


def test_data_download_names_the_people_they_named(client, world):
    program, people = world
    data = client.get(reverse("members:my-data", args=[program.slug])).json()
    to = {t["to"] for t in data["ties"] if t["reported_by_you"]}
    assert to == {"Ben Shown", "Cat Hidden"}


def test_own_page_asks_consent_with_a_preview(client, world):
    program, people = world
    page = client.get(reverse("networkmaps:my-network", args=[program.slug])).content.decode()
    assert "What another member sees of you" in page
    assert 'name="visibility"' in page  # the settings form posts unprefixed fields


def test_hidden_match_can_ask_staff_to_introduce_them_and_it_lands_in_the_queue(client, hub):
    from members.requests import introduction_requests

    program, hana, others, zed = hub
    suggestion = _suggest(program, hana, zed, "reason naming Zed Hidden")
    page = client.get(reverse("networkmaps:my-network", args=[program.slug])).content.decode()
    ask = reverse("networkmaps:my-introduction-ask", args=[program.slug, suggestion.pk])
    assert ask in page and "Ask staff to introduce us" in page
    response = client.post(ask, follow=True)
    assert "Staff will see your request in their weaving queue." in response.content.decode()
    asked = introduction_requests(program=program, member=hana)
    assert [(a.requester, {a.member_a, a.member_b}, a.source) for a in asked] == [
        (hana.pk, {hana.pk, zed.pk}, "member")
    ]
    page = response.content.decode()
    assert "You asked staff to introduce you." in page and "Zed Hidden" not in page


def test_a_member_cannot_ask_for_an_introduction_that_is_not_theirs(client, hub):
    from members.requests import introduction_requests

    program, hana, others, zed = hub
    theirs = _suggest(program, others[0], zed, "not Hana's")
    response = client.post(
        reverse("networkmaps:my-introduction-ask", args=[program.slug, theirs.pk]), follow=True
    )
    assert "no longer suggested for you" in response.content.decode()
    assert introduction_requests(program=program) == []


def test_ties_you_reported_include_a_survey_answer_recorded_the_other_way_round(client, hub):
    from django.utils import timezone

    from members.models import SurveyInvitation
    from tests.factories import SurveyFactory

    program, hana, others, _ = hub
    round_ = program.current_round()
    knows = Relationship.objects.filter(program=program).first().type_id
    # Hana's survey named Contact 01 and 03; their ties were already stored as theirs (→ Hana).
    SurveyInvitation.objects.create(
        survey=SurveyFactory(program=program, round=round_),
        member=hana,
        submitted_at=timezone.now(),
        answers={"known": [{"member": others[i].pk, "types": [knows], "strength": 3}
                           for i in (1, 3)]},
    )  # fmt: skip
    network = client.get(reverse("networkmaps:my-network", args=[program.slug])).context["network"]
    own_row = {t.target or t.code: t.own_row for t in network.reported_ties}
    stored = Relationship.objects.filter(source=hana, round=round_).count()
    assert len(network.reported_ties) == stored + 2
    assert own_row["Contact 01"] is False and own_row["Contact 03"] is False
    assert all(t.counted for t in network.reported_ties)


def test_own_page_tells_the_member_their_code_on_the_anonymised_poster(client, hub):
    from networkmaps.maps.names import member_poster_code
    from networkmaps.models import Poster

    program, hana, *_ = hub
    url = reverse("networkmaps:my-network", args=[program.slug])
    assert "On tonight's anonymised map you are" not in client.get(url).content.decode()
    Poster.objects.create(
        program=program, round=program.current_round(), paper="A0", anonymised=True,
        colour_by="cohort", status=Poster.Status.READY,
    )  # fmt: skip
    code = member_poster_code(member=hana, poster_or_round=program.current_round())
    page = client.get(url).content.decode()
    assert f"On tonight's anonymised map you are <strong>{code}</strong>." in page
