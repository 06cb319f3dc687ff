"""The program-scoped REST API: CRUD, filters, pagination, bulk ties, token auth, isolation."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from members.demo import seed as member_services
from members.models import Member, Relationship
from tests.factories import (
    CohortFactory,
    MemberFactory,
    ProgramFactory,
    ProgramRoleFactory,
    RelationshipFactory,
    RelationshipTypeFactory,
    RoundFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    return ProgramFactory(slug="lakeside")


@pytest.fixture
def staff(program):
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program)
    return user


@pytest.fixture
def api(staff):
    client = APIClient()
    client.force_authenticate(staff)
    return client


@pytest.fixture
def network(program):
    """Three members, two types (one directed), one round: the smallest useful program."""
    return {
        "ann": MemberFactory(program=program, name="Ann"),
        "bo": MemberFactory(program=program, name="Bo"),
        "cy": MemberFactory(program=program, name="Cy"),
        "knows": RelationshipTypeFactory(program=program, name="knows", directed=False),
        "advice": RelationshipTypeFactory(program=program, name="seeks advice from", directed=True),
        "round": RoundFactory(program=program, name="Baseline", is_current=True),
    }


@pytest.fixture
def other_program():
    other = ProgramFactory(slug="elsewhere")
    return {
        "member": MemberFactory(program=other, name="Stranger Danger"),
        "cohort": CohortFactory(program=other),
        "type": RelationshipTypeFactory(program=other, name="knows"),
        "round": RoundFactory(program=other),
    }


def url(name, program, *args):
    return reverse(name, args=[program.slug, *args])


def tie(network, source="ann", target="bo", type_="knows", strength=3):
    return {
        "source": network[source].pk,
        "target": network[target].pk,
        "type": network[type_].pk,
        "round": network["round"].pk,
        "strength": strength,
    }


# --- programs -----------------------------------------------------------------------------


def test_program_list_shows_only_programs_with_a_role(api, program, other_program):
    ProgramFactory(slug="third")
    response = api.get(reverse("api-program-list"))
    assert response.status_code == 200
    assert [p["slug"] for p in response.json()["results"]] == ["lakeside"]
    assert response.json()["results"][0]["role"] == "staff"
    assert api.get(reverse("api-program-detail", args=["elsewhere"])).status_code == 404


def test_a_superuser_is_staff_of_every_program_listed(client, program, other_program):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    listed = client.get(reverse("api-program-list")).json()["results"]
    assert {p["slug"]: p["role"] for p in listed} == {"lakeside": "staff", "elsewhere": "staff"}
    detail = client.get(reverse("api-program-detail", args=[program.slug]))
    assert detail.json()["role"] == "staff"


def test_a_member_sees_their_program_but_none_of_its_rows(client, program, network):
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program, role="member")
    client.force_login(user)
    detail = client.get(reverse("api-program-detail", args=[program.slug]))
    assert detail.status_code == 200 and detail.json()["role"] == "member"
    for name in ("api-member-list", "api-relationship-list", "api-cohort-list"):
        assert client.get(url(name, program)).status_code == 404


# --- CRUD ---------------------------------------------------------------------------------


def test_cohort_organisation_type_and_round_crud(api, program):
    cohort = api.post(url("api-cohort-list", program), {"name": "Fellows 2024", "year": 2024})
    assert cohort.status_code == 201, cohort.json()
    cohort_url = url("api-cohort-detail", program, cohort.json()["id"])
    assert api.patch(cohort_url, {"year": 2025}).json()["year"] == 2025
    clash = api.post(url("api-cohort-list", program), {"name": "Fellows 2024"})
    assert clash.status_code == 400 and "name" in clash.json()
    assert api.delete(cohort_url).status_code == 204

    organisation = api.post(
        url("api-organisation-list", program), {"name": "Harbor Trust", "sector": "housing"}
    )
    assert organisation.status_code == 201
    type_ = api.post(
        url("api-relationship-type-list", program), {"name": "mentors", "directed": True}
    )
    assert type_.status_code == 201 and type_.json()["directed"] is True
    first = api.post(
        url("api-round-list", program),
        {"name": "Baseline", "observed_on": "2024-03-01", "is_current": True},
    )
    second = api.post(
        url("api-round-list", program),
        {"name": "Year two", "observed_on": "2025-03-01", "is_current": True},
    )
    assert first.status_code == second.status_code == 201
    rounds = api.get(url("api-round-list", program)).json()["results"]
    # Making a round current retires the previous current round.
    assert [(r["name"], r["is_current"]) for r in rounds] == [
        ("Baseline", False),
        ("Year two", True),
    ]


def test_member_crud_with_cohorts_and_organisation(api, program):
    cohort = CohortFactory(program=program)
    organisation = api.post(url("api-organisation-list", program), {"name": "Cedar Clinic"})
    payload = {
        "name": "Dee Banks",
        "email": "dee@example.org",
        "organisation": organisation.json()["id"],
        "cohorts": [cohort.pk],
        "issue_areas": ["youth", "climate"],
    }
    created = api.post(url("api-member-list", program), payload, format="json")
    assert created.status_code == 201, created.json()
    member = Member.objects.get(pk=created.json()["id"])
    assert member.program == program and list(member.cohorts.all()) == [cohort]
    same_email = api.post(
        url("api-member-list", program),
        {"name": "Dee Two", "email": "DEE@example.org"},
        format="json",
    )
    assert same_email.status_code == 400 and "email" in same_email.json()
    detail = url("api-member-detail", program, member.pk)
    assert api.patch(detail, {"title": "Director"}, format="json").json()["title"] == "Director"
    assert api.delete(detail).status_code == 204
    assert not Member.objects.filter(pk=member.pk).exists()


def test_members_filter_by_cohort_sector_organisation_and_search(api, program):
    cohort = CohortFactory(program=program)
    ann = MemberFactory(program=program, name="Ann Lee", sector="health")
    ann.cohorts.add(cohort)
    MemberFactory(program=program, name="Bo Park", sector="housing", email="bo@lee.example")
    listing = url("api-member-list", program)

    def names(**params):
        return [m["name"] for m in api.get(listing, params).json()["results"]]

    assert names(cohort=cohort.pk) == ["Ann Lee"]
    assert names(sector="housing") == ["Bo Park"]
    assert names(search="lee") == ["Ann Lee", "Bo Park"]  # name or email
    assert names(ordering="-name") == ["Bo Park", "Ann Lee"]


def test_pages_of_members(api, program):
    MemberFactory.create_batch(5, program=program)
    page = api.get(url("api-member-list", program), {"page_size": 2}).json()
    assert page["count"] == 5 and len(page["results"]) == 2 and page["next"]


def test_relationship_crud_and_filters(api, program, network):
    listing = url("api-relationship-list", program)
    created = api.post(listing, tie(network, strength=4), format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["origin"] == "api"
    api.post(listing, tie(network, "ann", "cy", "advice"), format="json")
    assert api.get(listing, {"type": network["advice"].pk}).json()["count"] == 1
    assert api.get(listing, {"member": network["bo"].pk}).json()["count"] == 1
    assert api.get(listing, {"round": network["round"].pk}).json()["count"] == 2
    detail = url("api-relationship-detail", program, created.json()["id"])
    assert api.patch(detail, {"strength": 5}, format="json").json()["strength"] == 5
    assert api.patch(detail, {"strength": 9}, format="json").status_code == 400


def test_relationship_rules_are_400s_naming_the_field(api, program, network):
    listing = url("api-relationship-list", program)
    self_tie = api.post(listing, tie(network, "ann", "ann"), format="json")
    assert self_tie.status_code == 400 and "themselves" in self_tie.json()["target"][0]
    api.post(listing, tie(network), format="json")
    again = api.post(listing, tie(network), format="json")
    assert again.status_code == 400 and "already recorded" in again.json()["target"][0]
    # "knows" is undirected: Bo → Ann is the tie Ann → Bo already recorded.
    reverse_tie = api.post(listing, tie(network, "bo", "ann"), format="json")
    assert reverse_tie.status_code == 400
    # "seeks advice from" is directed: both ways are two ties.
    assert api.post(listing, tie(network, "ann", "bo", "advice"), format="json").status_code == 201
    assert api.post(listing, tie(network, "bo", "ann", "advice"), format="json").status_code == 201


def test_relationship_type_in_use_cannot_be_deleted(api, program, network):
    RelationshipFactory(
        program=program, source=network["ann"], target=network["bo"], type=network["knows"],
        round=network["round"],
    )  # fmt: skip
    response = api.delete(url("api-relationship-type-detail", program, network["knows"].pk))
    assert response.status_code == 409 and "1 tie" in str(response.json())


# --- isolation between programs ------------------------------------------------------------


def test_rows_of_another_program_are_400_on_write_and_404_on_read(
    api, program, network, other_program
):
    stranger = other_program["member"]
    payload = tie(network) | {"target": stranger.pk, "round": other_program["round"].pk}
    response = api.post(url("api-relationship-list", program), payload, format="json")
    assert response.status_code == 400
    assert f"No member with id {stranger.pk} in this program." in response.json()["target"]
    assert "No round with id" in response.json()["round"][0]
    assert "Stranger" not in response.content.decode()
    member = api.post(
        url("api-member-list", program),
        {"name": "Eve", "cohorts": [other_program["cohort"].pk]},
        format="json",
    )
    assert member.status_code == 400 and "cohorts" in member.json()
    assert api.get(url("api-member-detail", program, stranger.pk)).status_code == 404
    assert api.delete(url("api-member-detail", program, stranger.pk)).status_code == 404
    assert Member.objects.filter(pk=stranger.pk).exists()


def test_staff_of_one_program_get_404_for_another(api, other_program):
    elsewhere = other_program["member"].program
    for name in ("api-member-list", "api-relationship-list", "api-round-list"):
        assert api.get(url(name, elsewhere)).status_code == 404
    response = api.post(url("api-cohort-list", elsewhere), {"name": "Sneaky"})
    assert response.status_code == 404


# --- bulk ---------------------------------------------------------------------------------


def test_bulk_creates_then_updates_strengths(api, program, network):
    bulk = url("api-relationship-bulk", program)
    ties = [tie(network), tie(network, "ann", "cy", "advice", 2)]
    first = api.post(bulk, ties, format="json")
    assert first.status_code == 200, first.json()
    assert (first.json()["created"], first.json()["updated"]) == (2, 0)
    # The same ties again, one written the other way round (undirected) with a new strength.
    again = [tie(network, "bo", "ann", strength=5), tie(network, "ann", "cy", "advice", 2)]
    second = api.post(bulk, again, format="json").json()
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 1, 1)
    assert second["ids"] == first.json()["ids"]
    assert Relationship.objects.get(pk=second["ids"][0]).strength == 5
    assert Relationship.objects.count() == 2
    assert set(Relationship.objects.values_list("origin", flat=True)) == {"api"}


def test_bulk_with_one_bad_item_writes_nothing_and_names_index_and_field(
    api, program, network, other_program
):
    items = [tie(network) for _ in range(3)]
    items[0] = tie(network, "ann", "bo")
    items[1] = tie(network, "ann", "cy") | {"target": other_program["member"].pk}
    items[2] = tie(network, "bo", "cy", strength=7)
    response = api.post(url("api-relationship-bulk", program), items, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {(e["index"], e["field"]) for e in errors} == {(2, "strength")}
    items[2]["strength"] = 4
    response = api.post(url("api-relationship-bulk", program), items, format="json")
    errors = response.json()["errors"]
    assert errors == [
        {
            "index": 1,
            "field": "target",
            "message": f"No member with id {other_program['member'].pk} in this program.",
        }
    ]
    assert Relationship.objects.count() == 0


def test_bulk_rejects_the_same_tie_twice_and_self_ties(api, program, network):
    items = [tie(network), tie(network, "bo", "ann"), tie(network, "cy", "cy")]
    errors = api.post(url("api-relationship-bulk", program), items, format="json").json()
    assert [(e["index"], e["field"]) for e in errors["errors"]] == [(1, "target"), (2, "target")]
    assert "item 0" in errors["errors"][0]["message"]
    assert Relationship.objects.count() == 0


def test_bulk_needs_a_list(api, program, network):
    response = api.post(url("api-relationship-bulk", program), tie(network), format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["index"] is None


def test_bulk_of_a_demo_sized_batch(api, staff):
    demo = member_services.demo_program_seed(slug="bulk-demo", members=60)
    ProgramRoleFactory(user=staff, program=demo)
    round_ = demo.rounds.get(is_current=True)
    members = list(demo.members.values_list("pk", flat=True))
    type_ = demo.relationship_types.get(name="seeks advice from")
    before = Relationship.objects.filter(program=demo).count()
    items = [
        {"source": a, "target": b, "type": type_.pk, "round": round_.pk, "strength": 2}
        for a in members[:20]
        for b in members[20:40]
    ]
    response = api.post(url("api-relationship-bulk", demo), items, format="json")
    assert response.status_code == 200
    result = response.json()
    assert result["created"] + result["updated"] + result["unchanged"] == 400
    assert Relationship.objects.filter(program=demo).count() == before + result["created"]


# --- authentication -----------------------------------------------------------------------


def test_token_auth(program, staff, network):
    client = APIClient()
    token = client.post(
        reverse("api-token"), {"username": staff.username, "password": "correct-horse-battery"}
    )
    assert token.status_code == 200
    assert token.json()["token"] == Token.objects.get(user=staff).key
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert client.get(url("api-member-list", program)).json()["count"] == 3
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    # 403, not 401: session auth comes first and sends no WWW-Authenticate challenge.
    assert client.get(url("api-member-list", program)).status_code == 403


def test_anonymous_requests_are_refused(program):
    response = APIClient().get(url("api-member-list", program))
    assert response.status_code in (401, 403)


def test_member_and_tie_lists_do_not_query_per_row(
    api, program, network, django_assert_max_num_queries
):
    cohort = CohortFactory(program=program)
    for member in MemberFactory.create_batch(30, program=program):
        member.cohorts.add(cohort)
        RelationshipFactory(
            program=program, source=member, target=network["ann"], type=network["advice"],
            round=network["round"],
        )  # fmt: skip
    with django_assert_max_num_queries(8):
        assert api.get(url("api-member-list", program)).json()["count"] == 33
    with django_assert_max_num_queries(8):
        assert api.get(url("api-relationship-list", program)).json()["count"] == 30
