"""The member's answers about themselves: kept in the draft, stored on submit, and where a
question says so written to the member's record (issue areas, sector, region, or one of the
program's own attributes)."""

from __future__ import annotations

from members.models import Member, Survey, SurveyInvitation
from members.signals import network_changed_send
from members.surveys import questions
from members.surveys.drafts import _answers_change

# Fields of Member a question may update, beside the program's own attributes ("attr:key").
MEMBER_FIELDS = {"issue_areas": "Issue areas", "sector": "Sector", "region": "Region"}


def answers_about_me_set(*, invitation: SurveyInvitation, post) -> None:
    """Keep the member's answers to the survey's questions about themselves in the draft.
    Answers that are not one of a question's options are dropped, never stored."""

    def change(answers: dict, survey: Survey) -> None:
        about_me = dict(answers.get("about_me") or {})
        for question in questions.member_questions(survey=survey):
            value = questions.member_answer_value(question, post.getlist(f"m-{question.key}"))
            if value is None:
                about_me.pop(question.key, None)
            else:
                about_me[question.key] = value
        answers["about_me"] = about_me

    _answers_change(invitation, change)


def member_attributes_update(
    *, survey: Survey, invitation: SurveyInvitation, about_me: dict
) -> list[str]:
    """Write submitted answers into the member's record where the question says so; returns
    the fields changed. Runs in the submit's transaction."""
    member = Member.objects.select_for_update().get(pk=invitation.member_id)
    changed = []
    for question in questions.member_questions(survey=survey):
        target, value = question.attribute, about_me.get(question.key)
        if (
            not target
            or value in (None, "", [])
            or not questions.question_shown(question, about_me)
        ):
            continue
        if target == "issue_areas":
            member.issue_areas = value if isinstance(value, list) else [value]
            changed.append("issue_areas")
        elif target in ("sector", "region"):
            setattr(member, target, ", ".join(value) if isinstance(value, list) else value)
            changed.append(target)
        elif target.startswith("attr:") and hasattr(member, "attributes"):
            # Program-defined attributes (members/models/attributes.py): {key: value}.
            member.attributes = dict(member.attributes or {})
            member.attributes[target[5:]] = ", ".join(value) if isinstance(value, list) else value
            changed.append("attributes")
    if changed:
        member.save(update_fields=sorted(set(changed)))
        # Sector, region and the program's attributes are divides the round is measured by.
        if set(changed) - {"issue_areas"}:
            network_changed_send(
                program_id=survey.program_id,
                round_ids=[survey.round_id],
                reason="survey answers changed a member's groups",
            )
    return changed
