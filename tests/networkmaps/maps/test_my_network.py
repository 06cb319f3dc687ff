"""A member's own network page: the counted ties, and only the names the member may see."""

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
