"""Staff survey pages that cannot misfire: verbs with counts, confirmation before any mass
email and before closing, reminders only after invitations, editable until it opens,
reopenable after closing (audited), and the scheduled reminder only to non-respondents."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from members.models import AuditEvent, Member, Survey
from members.responses import round_response_summary
from members.surveys import drafts, staff, submit, tasks
from netlead.periodic import periodic_run_due
from tests.members.surveys.test_survey import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def staff_client(client, world):
    client.force_login(world.staff)
    return client


def _url(world, name):
    return reverse(f"members:{name}", args=[world.program.slug, world.survey.pk])


def test_the_page_shows_status_apart_from_actions_and_verbs_with_counts(staff_client, world):
    Member.objects.filter(pk=world.cohort_b[0].pk).update(email="")
    page = staff_client.get(_url(world, "survey-detail")).content.decode()
    assert "Invitations emailed: <strong>0</strong> of 10" in page
    assert "Send invitations to 9 members…" in page  # one has no email address
    assert "Send a reminder" not in page  # nobody invited yet: nothing to remind of
    assert "Schedule reminder" not in page


def test_mass_email_needs_the_confirmation_page_with_counts(staff_client, world):
    Member.objects.filter(pk=world.cohort_b[0].pk).update(email="")
    confirm = staff_client.get(_url(world, "survey-email-confirm"), {"kind": "invitation"})
    body = confirm.content.decode()
    assert "goes to <strong>9</strong> members not emailed yet" in body
    assert "1 without an email address get nothing" in body
    assert "Send invitations to 9 members</button>" in body
    assert mail.outbox == []  # looking at the confirmation sends nothing
    # Sent from the confirmation: exactly those nine.
    staff_client.post(_url(world, "survey-email"), {"kind": "invitation", "expected": "9"})
    assert len(mail.outbox) == 9
    # A second click on an old confirmation page sends nothing and shows the new numbers.
    response = staff_client.post(
        _url(world, "survey-email"), {"kind": "invitation", "expected": "9"}
    )
    assert response.status_code == 302 and "email/confirm/" in response["Location"]
    assert len(mail.outbox) == 9
    again = staff_client.get(_url(world, "survey-email-confirm"), {"kind": "invitation"})
    assert "Nobody to email" in again.content.decode()


def test_a_reminder_is_offered_only_after_invitations_went_out(staff_client, world):
    blocked = staff_client.get(_url(world, "survey-email-confirm"), {"kind": "reminder"})
    assert "nobody to remind" in blocked.content.decode()
    at = (timezone.localtime() + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    staff_client.post(_url(world, "survey-reminder"), {"at": at, "action": "schedule"})
    assert Survey.objects.get(pk=world.survey.pk).reminder_at is None  # refused
    staff_client.post(_url(world, "survey-email"), {"kind": "invitation"})
    page = staff_client.get(_url(world, "survey-detail")).content.decode()
    assert "Send a reminder to 10 members…" in page
    confirm = staff_client.get(_url(world, "survey-email-confirm"), {"kind": "reminder"})
    assert "Send a reminder to 10 members</button>" in confirm.content.decode()


def test_closing_needs_a_confirmation_with_the_response_rate(staff_client, world):
    world.invitation(world.cohort_a[0]).__class__.objects.filter(
        survey=world.survey, member__in=world.cohort_a[:3]
    ).update(submitted_at=timezone.now())
    page = staff_client.get(_url(world, "survey-close-confirm")).content.decode()
    assert "<strong>3</strong> of 10 members answered (30.0%)" in page
    assert "The response rate is below 60.0%" in page
    assert "The comparison with Baseline counts" in page
    assert "Close the survey with 3 of 10 answered" in page
    assert Survey.objects.get(pk=world.survey.pk).closed_at is None
    staff_client.post(_url(world, "survey-close"))
    assert Survey.objects.get(pk=world.survey.pk).closed_at is not None
    assert AuditEvent.objects.filter(action="survey_change", target__contains="closed").exists()


def test_reopening_after_closing_is_audited_and_links_work_again(staff_client, world, client):
    staff_client.post(_url(world, "survey-close"))
    until = timezone.localdate() + datetime.timedelta(days=3)
    staff_client.post(_url(world, "survey-reopen"), {"closes_on": until.isoformat()})
    survey = Survey.objects.get(pk=world.survey.pk)
    assert survey.closed_at is None and survey.closes_on == until
    assert survey.status(timezone.localdate()) == "open"
    event = AuditEvent.objects.get(action="survey_change", target__contains="reopened")
    assert event.details["closes_on"] == until.isoformat()
    past = timezone.localdate() - datetime.timedelta(days=1)
    staff_client.post(_url(world, "survey-close"))
    staff_client.post(_url(world, "survey-reopen"), {"closes_on": past.isoformat()})
    assert Survey.objects.get(pk=world.survey.pk).closed_at is not None  # refused


def test_a_survey_is_editable_until_it_opens(staff_client, world):
    locked = staff_client.get(_url(world, "survey-edit"))  # open already
    assert "its questions can no longer change" in locked.content.decode()
    assert staff_client.post(_url(world, "survey-edit"), {"name": "X"}).status_code == 200
    assert Survey.objects.get(pk=world.survey.pk).name == "Year two survey"
    Survey.objects.filter(pk=world.survey.pk).update(
        opens_on=timezone.localdate() + datetime.timedelta(days=2),
        closes_on=timezone.localdate() + datetime.timedelta(days=9),
    )
    form = staff_client.get(_url(world, "survey-edit"))
    assert form.status_code == 200
    first = world.cohort_a[0].cohorts.get()
    response = staff_client.post(
        _url(world, "survey-edit"),
        {
            "name": "Year two (edited)",
            "opens_on": (timezone.localdate() + datetime.timedelta(days=2)).isoformat(),
            "closes_on": (timezone.localdate() + datetime.timedelta(days=9)).isoformat(),
            "relationship_types": [world.knows.pk],
            "cohorts": [first.pk],
            f"question_{world.knows.pk}": "We talk shop",
        },
    )
    assert response.status_code == 302
    survey = Survey.objects.get(pk=world.survey.pk)
    assert survey.name == "Year two (edited)"
    assert survey.type_wording == {str(world.knows.pk): {"question": "We talk shop", "help": ""}}
    assert set(survey.invitations.values_list("member_id", flat=True)) == {
        m.pk for m in world.cohort_a
    }  # the dropped cohort's invitations went with it
    questions = staff_client.post(_url(world, "survey-questions-edit"), {"ready": "partner-trust"})
    assert questions.status_code == 302 and survey.questions.get().key == "trust"


def test_a_question_form_with_bad_options_says_which_field(staff_client, world):
    Survey.objects.filter(pk=world.survey.pk).update(
        opens_on=timezone.localdate() + datetime.timedelta(days=2),
        closes_on=timezone.localdate() + datetime.timedelta(days=9),
    )
    response = staff_client.post(
        _url(world, "survey-questions-edit"),
        {"kind": "single", "text": "Pick one", "choices_text": "Only one"},
    )
    assert response.status_code == 200
    assert "Give at least two options, one per line." in response.content.decode()
    assert not world.survey.questions.exists()


def test_the_scheduled_reminder_goes_once_only_to_those_who_have_not_answered(world):
    staff.survey_reminder_schedule(
        survey=world.survey, at=None, link_base="https://netlead.example", actor=world.staff
    )
    world.survey.invitations.update(emailed_at=timezone.now())
    answered = world.cohort_a[:4]
    world.survey.invitations.filter(member__in=answered).update(submitted_at=timezone.now())
    at = timezone.now() + datetime.timedelta(minutes=30)
    staff.survey_reminder_schedule(
        survey=world.survey, at=at, link_base="https://netlead.example/", actor=world.staff
    )
    assert staff.reminders_send_due() == {}  # not due yet
    assert staff.reminders_send_due(now=at + datetime.timedelta(seconds=1)) == {world.survey.pk: 6}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        m.email for m in world.cohort_a[4:] + world.cohort_b
    )
    assert all("https://netlead.example/survey/" in m.body for m in mail.outbox)
    assert staff.reminders_send_due(now=at + datetime.timedelta(minutes=5)) == {}  # once


def test_the_beat_entry_runs_the_reminder_task(world):
    world.survey.invitations.update(emailed_at=timezone.now())
    Survey.objects.filter(pk=world.survey.pk).update(
        reminder_at=timezone.now() - datetime.timedelta(minutes=1), link_base="http://x"
    )
    assert "members.survey_reminders_send_due" in periodic_run_due(last_run={})
    assert len(mail.outbox) == 10
    assert tasks.survey_reminders_send_due() == 0


def test_the_close_page_counts_answers_as_the_round_report_will(staff_client, world):
    ada, a1 = world.cohort_a[0], world.cohort_a[1]
    invitation = world.invitation(ada)
    drafts.answer_pick(invitation=invitation, member_id=a1.pk)
    drafts.answers_rate(invitation=invitation, known={a1.pk: ([world.knows.pk], 3)}, unlisted={})
    submit.answers_submit(invitation=world.invitation(ada))
    page = staff_client.get(_url(world, "survey-close-confirm")).content.decode()
    answered, asked, _, _ = round_response_summary(round_=world.survey.round)
    assert (answered, asked) == (1, 10)
    assert "<strong>1</strong> of 10 members answered (10.0%)" in page


def test_a_reminder_posted_before_any_invitation_sends_nothing(staff_client, world):
    response = staff_client.post(_url(world, "survey-email"), {"kind": "reminder"}, follow=True)
    assert "Send the invitations first" in response.content.decode()
    assert mail.outbox == []
