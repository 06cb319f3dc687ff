"""Erasing a member: the one service that reaches every trace of a person in a program.

Every place that holds a person's name, email, account or id must be reached from
`member_erase`; computed rows and stored files on the networkmaps side are reached
through the `member_erased` signal (networkmaps/receivers.py), sent inside the same
transaction so they go in the same commit.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from members.imports.staging import staged_imports_forget
from members.models import (
    AuditEvent,
    IntroductionRequest,
    Invitation,
    Member,
    Program,
    ProgramRole,
    Relationship,
    RelationshipType,
    RequestedIntroduction,
    SurveyInvitation,
    UnlistedPerson,
)
from members.models.surveys import MemberAnswer, SurveyQuestion
from members.privacy.audit import audit_labels_forget, audit_record, words_pattern, words_redact
from members.signals import member_erased_send, network_changed_send
from members.surveys.drafts import drafts_person_remove


@transaction.atomic
def member_erase(*, member: Member, actor) -> None:
    """Erase a member from their program, leaving no row or file that names them.

    Goes: their record, metrics, survey invitations and answers (cascade); every tie
    touching them in every round; their place in other members' survey drafts (picks,
    wishes to meet them, people typed in under their name or merged into them), so those
    drafts can still be submitted; unlisted-person rows merged into them or carrying their
    name or email; requests to be introduced to them (survey answers, and the ones they
    made or that were made for them, with their words); invitations to them; the program's
    staged imports (files and jobs); their role in the program, and their login account
    when it is in no other program; their name, email, username and the names others typed
    for them in the audit trail (re-labelled); free text others typed that names them
    (`_free_text_forget`); and, through `member_erased`, stored suggestions, posters, map
    payloads and staff notes naming them. Metrics recompute afterwards.
    """
    program = member.program
    member_id = member.pk
    user = member.user
    words = [member.name, member.email]
    if user is not None:
        words += [user.get_username(), user.email]

    Relationship.objects.touching(member).delete()
    unlisted = UnlistedPerson.objects.filter(invitation__survey__program=program)
    typed_as = Q(merged_into=member) | Q(name__iexact=member.name)
    if member.email:
        typed_as |= Q(name__iexact=member.email)
    merged: dict[int, set[str]] = {}
    for invitation_id, name in unlisted.filter(typed_as).values_list("invitation_id", "name"):
        merged.setdefault(invitation_id, set()).add(name)
    # What others typed for them ("Vee from the harbour") names them as surely as their name.
    words += sorted({name for names in merged.values() for name in names})
    drafts_person_remove(
        program_id=program.pk,
        member_id=member_id,
        names=[member.name, member.email],
        names_by_invitation=merged,
    )
    unlisted.filter(typed_as).delete()
    IntroductionRequest.objects.filter(member=member).delete()
    invited = Q(member=member) | (Q(email__iexact=member.email) if member.email else Q())
    Invitation.objects.filter(program=program).filter(invited).delete()
    # A staged upload may hold their row, and its report their name: every one goes.
    staged_imports_forget(program_id=program.pk)
    _free_text_forget(program=program, member_id=member_id, words=words)
    member_erased_send(program_id=program.pk, member_id=member_id, words=words)
    member.delete()
    if user is not None:
        ProgramRole.objects.filter(user=user, program=program).delete()
    audit_labels_forget(program=program, words=words, user_id=user.pk if user else None)
    if user is not None:
        _account_forget(user)
    audit_record(
        program=program, actor=actor, action=AuditEvent.Action.ERASE,
        target=f"member #{member_id}",
    )  # fmt: skip
    network_changed_send(program_id=program.pk, round_ids=None, reason="data change")


def _account_forget(user) -> None:
    """Delete the login of someone who is in no other program, so it cannot sign in and no
    email, password hash or username stays. Staff accounts and people in other programs
    keep theirs."""
    if user.is_staff or user.is_superuser:
        return
    if ProgramRole.objects.filter(user=user).exists() or Member.objects.filter(user=user).exists():
        return
    get_user_model().objects.filter(pk=user.pk).delete()


def _free_text_forget(*, program: Program, member_id: int, words: list[str]) -> None:
    """Free text others typed that names the erased person (by any of `words`).

    What is about them goes with their row (cascade). Shared rows stay: a sentence someone
    wrote naming them (an introduction's words, a survey answer) is blanked whole, since the
    rest of it may describe them; short labels (a title, an attribute value, a name typed
    for someone else, the program's own wording) have the words re-labelled instead."""
    pattern = words_pattern(words)
    if pattern is None:
        return

    def names(value) -> bool:
        return words_redact(value, pattern) != value

    asked = RequestedIntroduction.objects.filter(program=program).exclude(words="")
    asked = asked.exclude(requester_id=member_id).exclude(other_id=member_id)
    for pk, text in asked.values_list("pk", "words").iterator(chunk_size=2000):
        if names(text):
            RequestedIntroduction.objects.filter(pk=pk).update(words="")
    answers = MemberAnswer.objects.filter(invitation__survey__program=program)
    answers = answers.exclude(invitation__member_id=member_id)
    gone = [pk for pk, value in answers.values_list("pk", "value").iterator(2000) if names(value)]
    MemberAnswer.objects.filter(pk__in=gone).delete()
    drafts = SurveyInvitation.objects.select_for_update().filter(survey__program=program)
    for invitation in drafts.exclude(member_id=member_id).exclude(answers={}).only("answers"):
        draft = invitation.answers
        about_me = {k: v for k, v in (draft.get("about_me") or {}).items() if not names(v)}
        unlisted = words_redact(draft.get("unlisted") or [], pattern)
        kept = draft | {"about_me": about_me} if "about_me" in draft else dict(draft)
        if "unlisted" in draft:
            kept["unlisted"] = unlisted
        if kept != draft:
            SurveyInvitation.objects.filter(pk=invitation.pk).update(answers=kept)
    typed = UnlistedPerson.objects.filter(invitation__survey__program=program)
    for row in typed.only("pk", "name", "organisation").iterator(chunk_size=2000):
        name, organisation = (
            words_redact(row.name, pattern),
            words_redact(row.organisation, pattern),
        )
        if (name, organisation) != (row.name, row.organisation):
            UnlistedPerson.objects.filter(pk=row.pk).update(
                name=name[:200], organisation=organisation[:200]
            )
    others = Member.objects.filter(program=program).exclude(pk=member_id)
    labels = others.only("pk", "title", "attributes", "issue_areas")
    for other in labels.iterator(chunk_size=2000):
        title = words_redact(other.title, pattern)
        attributes = words_redact(other.attributes, pattern)
        issue_areas = words_redact(other.issue_areas, pattern)
        if (title, attributes, issue_areas) != (other.title, other.attributes, other.issue_areas):
            Member.objects.filter(pk=other.pk).update(
                title=title[:200], attributes=attributes, issue_areas=issue_areas
            )
    _wording_forget(program=program, pattern=pattern)


def _wording_forget(*, program: Program, pattern) -> None:
    """The program's own wording (its description, relationship types' and survey
    questions' explanations) re-labelled where it names the erased person."""
    if (description := words_redact(program.description, pattern)) != program.description:
        Program.objects.filter(pk=program.pk).update(description=description)
        program.description = description
    types = RelationshipType.objects.filter(program=program).exclude(description="")
    for pk, text in types.values_list("pk", "description"):
        if (cleaned := words_redact(text, pattern)) != text:
            RelationshipType.objects.filter(pk=pk).update(description=cleaned)
    questions = SurveyQuestion.objects.filter(survey__program=program)
    for pk, text, help_text in questions.values_list("pk", "text", "help"):
        cleaned = (words_redact(text, pattern)[:300], words_redact(help_text, pattern)[:600])
        if cleaned != (text, help_text):
            SurveyQuestion.objects.filter(pk=pk).update(text=cleaned[0], help=cleaned[1])
