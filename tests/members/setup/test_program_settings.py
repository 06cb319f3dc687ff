"""Staff change the program's settings on a page of their own (not the admin): validated,
audited, and a change the weaving queue is computed from recomputes it (no stale run is
reused for the same data)."""

import datetime
import re
from collections import Counter

import pytest
from django.urls import reverse

from members.models import AuditEvent, MemberAttribute, Program
from networkmaps.models import MetricRun, Suggestion
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
from tests.metric_runs import compute_all_rounds

pytestmark = pytest.mark.django_db

VALID = {
    "members_see_map": "on",
    "weaving_this_week": "7",
    "weaving_max_per_member": "2",
    "weaving_divides": ["cohort", "attr:office"],
    "anonymity_k": "8",
}


@pytest.fixture
def staff(client):
    role = ProgramRoleFactory(role="staff")
    program = role.program
    MemberAttribute.objects.create(program=program, key="office", label="Office")
    MemberAttribute.objects.create(program=program, key="practice", label="Practice", hidden=True)
    MemberAttribute.objects.create(program=program, key="years", label="Years", kind="number")
    client.force_login(role.user)
    return program, role.user


def _url(program):
    return reverse("members:program-settings", args=[program.slug])


def test_the_divides_offered_are_the_programs_real_groupings(client, staff):
    program, _ = staff
    page = client.get(_url(program))
    assert page.status_code == 200
    form = page.context["form"]
    offered = [key for key, _ in form.fields["weaving_divides"].choices]
    # Hidden attributes and numbers are no grouping a round's reader builds.
    assert offered == ["cohort", "sector", "region", "organisation", "attr:office"]
    # Nothing stored means every grouping: all of them ticked.
    assert form["weaving_divides"].value() == offered
    assert re.search(r'<input[^>]*value="attr:office"[^>]*checked', page.content.decode())


def test_staff_save_the_settings_and_each_change_is_audited(client, staff):
    program, user = staff
    response = client.post(_url(program), VALID)
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.members_see_map is True
    assert (program.weaving_this_week, program.weaving_max_per_member) == (7, 2)
    assert program.weaving_divides == ["cohort", "attr:office"]
    assert program.anonymity_k == 8
    event = AuditEvent.objects.get(program=program, action="setup_change", target="settings")
    assert event.actor_id == user.pk
    assert event.details["changed"]["weaving_max_per_member"] == {"from": 3, "to": 2}
    assert event.details["changed"]["weaving_divides"] == {
        "from": [],
        "to": ["cohort", "attr:office"],
    }
    # Saving the same again changes nothing and audits nothing.
    client.post(_url(program), VALID)
    assert AuditEvent.objects.filter(program=program, target="settings").count() == 1


def test_every_divide_ticked_is_stored_as_every_grouping(client, staff):
    program, _ = staff
    Program.objects.filter(pk=program.pk).update(weaving_divides=["sector"])
    every = ["cohort", "sector", "region", "organisation", "attr:office"]
    assert client.post(_url(program), VALID | {"weaving_divides": every}).status_code == 302
    program.refresh_from_db()
    assert program.weaving_divides == []


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("weaving_this_week", "0", "greater than or equal to 1"),
        ("weaving_this_week", "51", "less than or equal to 50"),
        ("weaving_this_week", "12345678901234567890123", "less than or equal to 50"),
        ("weaving_this_week", "five", "Enter a whole number"),
        ("weaving_max_per_member", "21", "less than or equal to 20"),
        ("weaving_max_per_member", "", "This field is required"),
        ("anonymity_k", "1", "greater than or equal to 2"),
        ("anonymity_k", "101", "less than or equal to 100"),
        ("weaving_divides", [], "Tick at least one grouping"),
        ("weaving_divides", ["attr:nope"], "Select a valid choice"),
        ("weaving_divides", ["attr:practice"], "Select a valid choice"),
    ],
)
def test_bad_input_is_a_clear_field_error_and_nothing_is_saved(
    client, staff, field, value, message
):
    program, _ = staff
    response = client.post(_url(program), VALID | {field: value})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.content.decode()
    program.refresh_from_db()
    assert (program.weaving_this_week, program.anonymity_k, program.members_see_map) == (
        5,
        5,
        False,
    )
    assert not AuditEvent.objects.filter(program=program, target="settings").exists()


def test_members_and_other_programs_staff_get_404_and_strangers_sign_in(client, staff):
    program, _ = staff
    member = UserFactory()
    ProgramRoleFactory(user=member, program=program, role="member")
    elsewhere = ProgramRoleFactory(role="staff").user
    for user in (member, elsewhere):
        client.force_login(user)
        assert client.get(_url(program)).status_code == 404
        assert client.post(_url(program), VALID).status_code == 404
    client.logout()
    assert client.get(_url(program)).status_code == 302
    program.refresh_from_db()
    assert program.weaving_this_week == 5


def test_the_setup_pages_link_to_the_settings(client, staff):
    program, _ = staff
    page = client.get(reverse("members:setup", args=[program.slug, "cohorts"]))
    assert _url(program) in page.content.decode()


@pytest.fixture
def woven():
    """A small program whose first run suggests several introductions per member: two
    cohorts of six, each a ring with a few chords, and two ties across."""
    program = ProgramFactory()
    knows = RelationshipTypeFactory(program=program)
    round_ = RoundFactory(program=program, observed_on=datetime.date(2025, 1, 1))
    people = []
    for c in range(2):
        cohort = CohortFactory(program=program, name=f"Cohort {c}")
        group = [MemberFactory(program=program, sector=f"S{c}") for _ in range(6)]
        for person in group:
            person.cohorts.add(cohort)
        for i, person in enumerate(group):
            for step in (1, 2):
                RelationshipFactory(
                    program=program, source=person, target=group[(i + step) % 6],
                    type=knows, round=round_,
                )  # fmt: skip
        people.append(group)
    for a, b in ((0, 0), (3, 3)):
        RelationshipFactory(
            program=program, source=people[0][a], target=people[1][b], type=knows, round=round_
        )
    compute_all_rounds(program)
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program)
    return program, user


def _most_per_member(run) -> int:
    pairs = Suggestion.objects.filter(run=run, member_a__isnull=False)
    seen = Counter()
    for a, b in pairs.values_list("member_a_id", "member_b_id"):
        seen.update((a, b))
    return max(seen.values(), default=0)


def test_a_new_cap_recomputes_the_queue_instead_of_reusing_the_run(
    client, woven, django_capture_on_commit_callbacks
):
    program, user = woven
    before = MetricRun.objects.get(program=program, is_current=True)
    assert _most_per_member(before) > 1, "the set-up should suggest someone more than once"
    client.force_login(user)
    data = VALID | {"weaving_max_per_member": "1", "weaving_divides": ["cohort"]}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(program), data)
    assert response.status_code == 302
    after = MetricRun.objects.get(program=program, is_current=True)
    assert after.pk != before.pk
    assert (after.status, after.reused_id) == (MetricRun.Status.SUCCEEDED, None)
    assert _most_per_member(after) == 1


def test_a_setting_read_when_served_queues_no_run(
    client, woven, django_capture_on_commit_callbacks
):
    program, user = woven
    runs = MetricRun.objects.filter(program=program).count()
    client.force_login(user)
    every = ["cohort", "sector", "region", "organisation"]
    data = VALID | {"weaving_max_per_member": "3", "weaving_divides": every}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(_url(program), data).status_code == 302
    program.refresh_from_db()
    assert (program.weaving_this_week, program.anonymity_k) == (7, 8)
    assert MetricRun.objects.filter(program=program).count() == runs
