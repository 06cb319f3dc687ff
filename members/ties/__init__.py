"""THE write path for ties: every tie created, changed or deleted goes through here.

One validation (`tie_validate`: source, target, type and round all in the tie's program;
no self-tie; strength a whole number 1–5) and one signal: each write that changes a round's
ties calls `network_changed_send` once with the rounds it touched, so networkmaps queues one
recompute per round after the transaction commits. Pages, the API, imports, surveys and the
demo call these functions; none of them writes Relationship rows itself.

Modules: validate (tie_validate, ties_validate, ProgramRows, tie_key), record (one tie),
bulk (many ties), copy (the one PostgreSQL COPY and the one bulk_create of new rows),
reported (a survey respondent's ties).
"""

from members.ties.bulk import BulkResult, ties_bulk_upsert, ties_insert, ties_strength_set
from members.ties.record import tie_delete, tie_record
from members.ties.reported import ties_missing_add, ties_reported_replace
from members.ties.validate import (
    DEFAULT_STRENGTH,
    SELF_TIE,
    STRENGTHS,
    ProgramRows,
    TieProblem,
    TiesRejected,
    TieTuple,
    strength_problem,
    strength_valid,
    tie_key,
    tie_validate,
    ties_recorded,
    ties_validate,
)

__all__ = [
    "DEFAULT_STRENGTH",
    "SELF_TIE",
    "STRENGTHS",
    "BulkResult",
    "ProgramRows",
    "TieProblem",
    "TieTuple",
    "TiesRejected",
    "strength_problem",
    "strength_valid",
    "tie_delete",
    "tie_key",
    "tie_record",
    "tie_validate",
    "ties_bulk_upsert",
    "ties_insert",
    "ties_missing_add",
    "ties_recorded",
    "ties_reported_replace",
    "ties_strength_set",
    "ties_validate",
]
