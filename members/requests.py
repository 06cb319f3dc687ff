"""Introductions members ask for: the survey's "introduce me" answers, a member's "ask staff
to introduce us" and staff's "X should meet Y". The weaving queue reads them as suggestions
of their own kind (networkmaps/weaving/requests.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from members.models import IntroductionRequest, Member, Program, RequestedIntroduction

MAX_WORDS = 2000


@dataclass(frozen=True)
class AskedIntroduction:
    """One request as the queue and member pages show it (low member id first)."""

    member_a: int
    member_b: int
    requester: int
    words: str
    source: str  # "survey", "member" or "staff"


def introduction_request_create(
    *, program: Program, requester: Member, other: Member, words: str, by_user
) -> RequestedIntroduction:
    """Record that ``requester`` should meet ``other``, in the asker's words.

    ``by_user`` is whoever pressed the button: the requester's own login makes it a
    member's request, anyone else's (staff) a staff entry. Asking again updates the words;
    nothing else is touched. Raises ValidationError naming the field for bad input."""
    if requester.program_id != program.pk:
        raise ValidationError({"requester": "That member is not in this program."})
    if other.program_id != program.pk:
        raise ValidationError({"other": "That member is not in this program."})
    if requester.pk == other.pk:
        raise ValidationError({"other": "Choose someone other than the person asking."})
    words = (words or "").strip()
    if len(words) > MAX_WORDS:
        raise ValidationError({"words": f"Keep it under {MAX_WORDS:,} characters."})
    own = by_user is not None and requester.user_id is not None and requester.user_id == by_user.pk
    source = RequestedIntroduction.Source.MEMBER if own else RequestedIntroduction.Source.STAFF
    with transaction.atomic():
        request, created = RequestedIntroduction.objects.select_for_update().get_or_create(
            program=program,
            requester=requester,
            other=other,
            defaults={"words": words, "source": source, "created_by": by_user},
        )
        if not created and words and words != request.words:
            request.words = words
            request.save(update_fields=["words"])
    return request


def introduction_requests(
    *, program: Program, member: Member | None = None
) -> list[AskedIntroduction]:
    """Every request of the program (or those naming ``member``): survey answers first."""
    survey = IntroductionRequest.objects.filter(invitation__member__program=program)
    asked = RequestedIntroduction.objects.filter(program=program)
    if member is not None:
        survey = survey.filter(Q(invitation__member=member) | Q(member=member))
        asked = asked.filter(Q(requester=member) | Q(other=member))
    out = []
    for requester, other in survey.values_list("invitation__member_id", "member_id"):
        if requester != other:
            low, high = sorted((requester, other))
            out.append(AskedIntroduction(low, high, requester, "", "survey"))
    for requester, other, words, source in asked.values_list(
        "requester_id", "other_id", "words", "source"
    ):
        low, high = sorted((requester, other))
        out.append(AskedIntroduction(low, high, requester, words, source))
    return out
