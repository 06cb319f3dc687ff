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
    ProgramRole,
    Relationship,
    UnlistedPerson,
)
from members.privacy.audit import audit_labels_forget, audit_record
from members.signals import member_erased_send, network_changed_send
from members.surveys.drafts import drafts_person_remove


@transaction.atomic
def member_erase(*, member: Member, actor) -> None:
    """Erase a member from their program, leaving no row or file that names them.

    Goes: their record, metrics, survey invitations and answers (cascade); every tie
    touching them in every round; their place in other members' survey drafts (picks,
    wishes to meet them, people typed in under their name or merged into them), so those
    drafts can still be submitted; unlisted-person rows merged into them or carrying their
    name or email; requests to be introduced to them; invitations to them; the program's
    staged imports (files and jobs); their role in the program, and their login account
    when it is in no other program; their name, email and username in the audit trail
    (re-labelled); and, through `member_erased`, stored suggestions and posters. Metrics
    recompute afterwards.
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
    member_erased_send(program_id=program.pk, member_id=member_id)
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
