"""The one place that decides which program a request may see, and in which role.

Every page and API view fetches its program through `program_for_user`; a program the user
holds no (suitable) role in is a 404, so its existence is never confirmed.
"""

from __future__ import annotations

from django.http import Http404

from members.models import Program, ProgramRole

ALL_ROLES = frozenset(ProgramRole.Role.values)


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
