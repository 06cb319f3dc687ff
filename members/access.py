"""The one place that decides which program a request may see, in which role, and what of
a member a viewer may see (`name_visible_to` and `details_visible_to`: the one visibility
rule).

Every page and API view fetches its program through `program_for_user`; a program the user
holds no (suitable) role in is a 404, so its existence is never confirmed.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from members.models import Member, Program, ProgramRole

ALL_ROLES = frozenset(ProgramRole.Role.values)
STAFF = frozenset({ProgramRole.Role.STAFF})
# Who may open the whole-network map and posters.
MAP_ROLES = frozenset({ProgramRole.Role.STAFF, ProgramRole.Role.FACILITATOR})


def role_in(user, program: Program) -> str | None:
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return ProgramRole.Role.STAFF
    role = ProgramRole.objects.filter(user=user, program=program).values_list("role", flat=True)
    return role.first()


def program_for_user(request, slug: str, *, roles=ALL_ROLES) -> Program:
    """The program with this slug if the signed-in user holds one of `roles` in it."""
    program = Program.objects.for_user(request.user).filter(slug=slug).first()
    if program is None:
        raise Http404("No such program.")
    role = role_in(request.user, program)
    if role not in roles:
        raise Http404("No such program.")
    request.program_role = role
    return program


def member_for_user(request, slug: str) -> tuple[Program, Member]:
    """The program and the signed-in user's own member record in it (404 without one)."""
    program = program_for_user(request, slug)
    member = program.members.filter(user=request.user).first()
    if member is None:
        raise Http404("You have no member record in this program.")
    return program, member


# A respondent: whoever holds a personal survey link (no sign-in, so no program role). The
# survey roster is theirs to name people from, so it lists everyone on it by name; what
# else it shows of a person is `details_visible_to`'s question. Not a ProgramRole value.
RESPONDENT = "respondent"


def name_visible_to(
    viewer_role: str | None, member: Member | str, *, viewer_member_id: int | None = None
) -> bool:
    """THE visibility rule: may a viewer in `viewer_role` see this member's name?

    Staff see every name. A respondent (`RESPONDENT`) sees the name of everyone on the
    survey roster they are given, so a roster survey works before anyone has opted in;
    the consent screen says so. Everyone else — facilitators, other members, a viewer
    with no role (None) — sees a member's name only when that member chose "visible by
    name to other members"; a member always sees their own. Where a surface must still
    show a hidden person (a map, a poster, a mixer table), it shows an anonymous code
    instead. `member` is a Member or its `visibility` value (for `values_list` rows; then
    pass `viewer_member_id` only if you also compare ids yourself).
    """
    if viewer_role in (ProgramRole.Role.STAFF, RESPONDENT):
        return True
    return details_visible_to(viewer_role, member, viewer_member_id=viewer_member_id)


def details_visible_to(
    viewer_role: str | None, member: Member | str, *, viewer_member_id: int | None = None
) -> bool:
    """The rule's second question: may this viewer see who the member is beyond their name —
    title, organisation, cohort, email and member id?

    Staff always; a member for themselves; anyone else, a respondent included, only when
    the member chose "visible by name to other members". A respondent therefore sees a
    "staff only" member as a bare name: nothing on the page ties it to an organisation, a
    cohort or a row id.
    """
    if viewer_role == ProgramRole.Role.STAFF:
        return True
    if isinstance(member, Member):
        if viewer_member_id is not None and member.pk == viewer_member_id:
            return True
        member = member.visibility
    return member == Member.Visibility.MEMBERS


def details_visible_q(viewer_role: str | None, *, viewer_member_id: int | None = None) -> Q:
    """`details_visible_to` as a query condition on Member, for searches that combine it."""
    if viewer_role == ProgramRole.Role.STAFF:
        return Q()
    detailed = Q(visibility=Member.Visibility.MEMBERS)
    if viewer_member_id is not None:
        detailed |= Q(pk=viewer_member_id)
    return detailed


def members_named_to(
    viewer_role: str | None, members: QuerySet[Member], *, viewer_member_id: int | None = None
) -> QuerySet[Member]:
    """`members` narrowed to those `name_visible_to` lets this viewer see by name, as a query.

    The same rule as above, for pages that search or list people by name: a row this
    leaves out must not be found by its name, title, organisation or id.
    """
    if viewer_role in (ProgramRole.Role.STAFF, RESPONDENT):
        return members
    return members.filter(details_visible_q(viewer_role, viewer_member_id=viewer_member_id))


def members_detailed_to(
    viewer_role: str | None, members: QuerySet[Member], *, viewer_member_id: int | None = None
) -> QuerySet[Member]:
    """`members` narrowed to those `details_visible_to` lets this viewer see in full, as a
    query: the people a search may find by title, organisation or cohort."""
    return members.filter(details_visible_q(viewer_role, viewer_member_id=viewer_member_id))
