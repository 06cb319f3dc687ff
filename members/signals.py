"""The documented seams from members (what people report) to networkmaps (what is computed).

members never imports networkmaps. When something members owns changes in a way the
computed side must follow, members sends one of these signals, and networkmaps' receivers
(networkmaps/receivers.py) call one service each:

- `network_changed(program_id, round_ids, reason)`: sent after the transaction commits: the
  ties that count for these rounds changed (round_ids None = every round of the program).
  Receiver: queue a metric run per round.
- `member_erased(program_id, member_id, words)`: a member is being erased. Sent INSIDE the
  erasing transaction, so computed rows that could name them go in the same commit;
  receivers delete stored files that name them once it commits. `words` is everything
  that names them (name, email, username, what others typed for them), for free text.
- `member_consent_changed(program_id, member_id, visibility)`: a member now hides their
  name from everyone but staff. Sent INSIDE the transaction that records the choice, like
  `member_erased`; receivers drop stored files (posters) drawn when the name was shown.
- `program_settings_changed(program_id, settings)`: staff changed these program settings
  (field names of Program). Sent INSIDE the saving transaction; receivers recompute what
  was computed from them (the weaving queue's divides and cap are read inside a run).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

network_changed = Signal()
member_erased = Signal()
member_consent_changed = Signal()
program_settings_changed = Signal()

_PENDING = "netlead_network_changes"


def network_changed_send(*, program_id: int, round_ids: Iterable[int] | None, reason: str) -> None:
    """Say, once the current transaction commits, that these rounds' networks changed.

    However many writes one transaction makes, each program hears once, with every round
    touched: a bulk upsert of 10,000 ties queues one recompute per round, not 10,000.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        network_changed.send(
            sender=None,
            program_id=program_id,
            round_ids=None if round_ids is None else frozenset(round_ids),
            reason=reason,
        )
        return
    outermost = connection.atomic_blocks[0]
    state = getattr(connection, _PENDING, None)
    if state is None or state[0] is not outermost:
        # Nothing pending, or left over from a transaction that rolled back: start afresh.
        state = (outermost, {}, {})
        setattr(connection, _PENDING, state)
    _, rounds, reasons = state
    if round_ids is None or rounds.get(program_id, set()) is None:
        rounds[program_id] = None
    else:
        rounds.setdefault(program_id, set()).update(round_ids)
    reasons[program_id] = reason  # the last write's reason names the run
    # Registered on every call, so a callback lost with a rolled-back savepoint is
    # replaced; the first one to run sends everything and the rest find nothing.
    transaction.on_commit(lambda: _flush(connection))


def _flush(connection) -> None:
    state = getattr(connection, _PENDING, None)
    if state is None:
        return
    setattr(connection, _PENDING, None)
    _, rounds, reasons = state
    for program_id, round_ids in rounds.items():
        network_changed.send(
            sender=None,
            program_id=program_id,
            round_ids=None if round_ids is None else frozenset(round_ids),
            reason=reasons[program_id],
        )


def member_erased_send(*, program_id: int, member_id: int, words: Iterable[str] = ()) -> None:
    """Say, inside the erasing transaction, that this member must leave no trace downstream
    (`words`: what names them, for free text such as staff notes)."""
    member_erased.send(sender=None, program_id=program_id, member_id=member_id, words=tuple(words))


def member_consent_changed_send(*, program_id: int, member_id: int, visibility: str) -> None:
    """Say, inside the transaction recording it, that this member hid their name."""
    member_consent_changed.send(
        sender=None, program_id=program_id, member_id=member_id, visibility=visibility
    )


def program_settings_changed_send(*, program_id: int, settings: Iterable[str]) -> None:
    """Say, inside the transaction saving them, which of the program's settings changed."""
    program_settings_changed.send(sender=None, program_id=program_id, settings=tuple(settings))
