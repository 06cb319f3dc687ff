"""The audit log page: filter by action, person and day; a person's repeated views of the
whole network on one day fold into one line."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import AuditEvent
from members.privacy import audit
from tests.factories import ProgramFactory, ProgramRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client):
    program = ProgramFactory(slug="audit-quay")
    staff = UserFactory(username="ada-audit")
    other = UserFactory(username="bo-browse")
    for user in (staff, other):
        ProgramRoleFactory(user=user, program=program)
    client.force_login(staff)
    return program, staff, other


def _at(event, when):
    AuditEvent.objects.filter(pk=event.pk).update(created_at=when)


def test_repeated_whole_network_views_fold_into_one_line_per_person_per_day(world):
    program, staff, other = world
    day = timezone.now().replace(hour=12) - datetime.timedelta(days=2)
    for minutes in range(12):
        event = audit.audit_record(program=program, actor=staff, action="view_network",
                                   target="map of Year one")  # fmt: skip
        _at(event, day + datetime.timedelta(minutes=minutes))
    _at(audit.audit_record(program=program, actor=staff, action="view_network"),
        day + datetime.timedelta(days=1))  # fmt: skip
    _at(audit.audit_record(program=program, actor=other, action="view_network"), day)
    _at(audit.audit_record(program=program, actor=staff, action="export", target="gexf"), day)
    lines = audit.audit_lines(program=program)
    views = [(line.who, line.times) for line in lines if line.what.startswith("Viewed")]
    assert sorted(views) == [("ada-audit", 1), ("ada-audit", 12), ("bo-browse", 1)]
    assert len(lines) == 4


def test_the_page_filters_by_action_person_and_day(world, client):
    program, staff, other = world
    old = audit.audit_record(program=program, actor=other, action="export", target="old-csv")
    _at(old, timezone.now() - datetime.timedelta(days=30))
    audit.audit_record(program=program, actor=staff, action="export", target="new-gexf")
    audit.audit_record(program=program, actor=other, action="import", target="people.csv")
    url = reverse("members:audit-log", args=[program.slug])

    def shown(**params) -> set[str]:
        page = client.get(url, params)
        assert page.status_code == 200
        return {line.about for line in page.context["lines"]}

    assert shown() == {"old-csv", "new-gexf", "people.csv"}
    assert shown(action="export") == {"old-csv", "new-gexf"}
    assert shown(person="bo-b") == {"old-csv", "people.csv"}
    since = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    assert shown(since=since) == {"new-gexf", "people.csv"}
    until = (timezone.localdate() - datetime.timedelta(days=10)).isoformat()
    assert shown(until=until) == {"old-csv"}
    # A bad filter is a form error (the unfiltered trail shows), never a 500.
    page = client.get(url, {"since": "²", "action": "nope"})
    assert page.status_code == 200 and page.context["form"].errors
    for edge in ("9999-12-31", "0001-01-01"):
        assert client.get(url, {"since": edge, "until": edge}).status_code == 200
