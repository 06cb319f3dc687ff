"""The program's people and their ties. Every row belongs to exactly one Program (the tenant)."""

from members.models.attributes import MemberAttribute
from members.models.imports import ImportJob
from members.models.privacy import AuditEvent, Invitation
from members.models.programs import (
    Cohort,
    Member,
    Organisation,
    Program,
    ProgramQuerySet,
    ProgramRole,
    RelationshipType,
    Round,
)
from members.models.removed_ties import RemovedTie, RemovedTieQuerySet
from members.models.requests import RequestedIntroduction
from members.models.responses import ResponseStatus, ResponseStatusQuerySet
from members.models.surveys import (
    IntroductionRequest,
    Survey,
    SurveyInvitation,
    SurveySettings,
    UnlistedPerson,
)
from members.models.ties import Relationship, RelationshipQuerySet

__all__ = [
    "AuditEvent",
    "Cohort",
    "ImportJob",
    "IntroductionRequest",
    "Invitation",
    "Member",
    "MemberAttribute",
    "Organisation",
    "Program",
    "ProgramQuerySet",
    "ProgramRole",
    "Relationship",
    "RelationshipQuerySet",
    "RelationshipType",
    "RemovedTie",
    "RequestedIntroduction",
    "RemovedTieQuerySet",
    "ResponseStatus",
    "ResponseStatusQuerySet",
    "Round",
    "Survey",
    "SurveyInvitation",
    "SurveySettings",
    "UnlistedPerson",
]
