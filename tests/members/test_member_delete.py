"""Deleting a member through the API or the Django admin is an erasure: their ties go with a
recompute of every round, and nothing computed or stored still names them."""

import datetime
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from members.models import AuditEvent, Member, Relationship
from networkmaps.models import MetricRun, Poster, Suggestion
from tests.factories import (
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
def world():
    """Ann, Bo and Cy in two rounds; Ann has ties in both, a suggestion and a poster name her."""
    program = ProgramFactory(slug="lakeside")
    ann, bo, cy = (MemberFactory(program=program, name=name) for name in ("Ann", "Bo", "Cy"))
    knows = RelationshipTypeFactory(program=program, name="knows")
    rounds = [
        RoundFactory(program=program, name="One", observed_on=datetime.date(2024, 1, 1)),
        RoundFactory(program=program, name="Two", observed_on=datetime.date(2025, 1, 1)),
    ]
    for round_ in rounds:
        RelationshipFactory(program=program, source=ann, target=bo, type=knows, round=round_)
        RelationshipFactory(program=program, source=cy, target=bo, type=knows, round=round_)
    run = MetricRun.objects.create(
        program=program,
        round=rounds[0],
        status=MetricRun.Status.SUCCEEDED,
        is_current=True,
        requested_by="fixture",
    )
    pair = sorted((bo, cy), key=lambda member: member.pk)
    Suggestion.objects.create(
        run=run, program=program, kind=Suggestion.Kind.CLOSURE, rank=1,
        member_a=pair[0], member_b=pair[1], score=1.0, reason="Ann knows you both",
    )  # fmt: skip
    Poster.objects.create(
        program=program, round=rounds[0], paper="A3", colour_by="community",
        size_by="degree", status=Poster.Status.READY,
    )  # fmt: skip
    return program, ann, rounds


def _runs() -> Counter:
    """Runs queued by the deletion, per round (the fixture's finished run left out)."""
    queued = MetricRun.objects.exclude(requested_by="fixture")
    return Counter(queued.values_list("round_id", flat=True))


def _assert_erased(program, ann, rounds):
    assert not Member.objects.filter(pk=ann.pk).exists()
    assert not Relationship.objects.filter(program=program).filter(source=ann.pk).exists()
    assert _runs() == Counter({round_.pk: 1 for round_ in rounds})
    assert not Suggestion.objects.filter(reason__contains="Ann").exists()
    assert not Poster.objects.filter(program=program).exists()
    assert AuditEvent.objects.filter(
        program=program, action=AuditEvent.Action.ERASE, target=f"member #{ann.pk}"
    ).exists()


def test_deleting_a_member_through_the_api_erases_them_and_recomputes_every_round(
    world, django_capture_on_commit_callbacks
):
    program, ann, rounds = world
    staff = UserFactory()
    ProgramRoleFactory(user=staff, program=program)
    api = APIClient()
    api.force_authenticate(staff)
    url = reverse("api-member-detail", args=[program.slug, ann.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(url).status_code == 204
    _assert_erased(program, ann, rounds)


def test_deleting_a_member_in_the_admin_erases_them_and_recomputes_every_round(
    world, django_capture_on_commit_callbacks
):
    program, ann, rounds = world
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:members_member_delete", args=[ann.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"post": "yes"}).status_code == 302
    _assert_erased(program, ann, rounds)


def test_deleting_members_in_bulk_in_the_admin_recomputes_each_round_once(
    world, django_capture_on_commit_callbacks
):
    program, ann, rounds = world
    cy = Member.objects.get(program=program, name="Cy")
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    data = {"action": "delete_selected", "_selected_action": [ann.pk, cy.pk], "post": "yes"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("admin:members_member_changelist"), data).status_code == 302
    assert list(Member.objects.filter(program=program).values_list("name", flat=True)) == ["Bo"]
    assert not Relationship.objects.filter(program=program).exists()
    assert _runs() == Counter({round_.pk: 1 for round_ in rounds})
    assert not Suggestion.objects.filter(reason__contains="Ann").exists()
