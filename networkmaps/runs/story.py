"""The dashboard's story: 3-5 plain sentences generated from the stored round results,
each linking to where the number shows. Every number comes from the current runs."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from members.models import Program, Round


@dataclass(frozen=True)
class Sentence:
    text: str
    url: str
    link_text: str


def story_sentences(
    *, program: Program, rounds: list[Round], values: dict[int, dict], overview
) -> list[Sentence]:
    """Sentences about the latest measured round (and the change from the one before)."""
    if not rounds:
        return []
    latest = rounds[-1]
    previous = rounds[-2] if len(rounds) > 1 else None
    now = values.get(latest.pk, {})
    then = values.get(previous.pk, {}) if previous else {}
    slug = program.slug
    report = reverse("networkmaps:round-report", args=[slug, latest.pk])
    table = reverse("networkmaps:member-table", args=[slug])
    lines = []
    ties = _int(now.get("ties"))
    if previous is not None and then.get("ties") is not None:
        change = ties - _int(then.get("ties"))
        moved = (
            f"grew by {_n(change, 'tie')}"
            if change > 0
            else f"shrank by {_n(-change, 'tie')}"
            if change < 0
            else "kept the same number of ties"
        )
        text = (
            f"The network {moved} between {previous.name} and {latest.name} "
            f"({_int(then.get('ties')):,} → {ties:,})"
        )
        blind = _int(now.get("ties_not_comparable"))
        if blind:
            text += (
                f"; {_n(blind, 'tied pair')} could not be compared because neither member "
                "answered in both rounds"
            )
        lines.append(Sentence(text + ".", report, "round report"))
    else:
        members = _int(now.get("members"))
        lines.append(
            Sentence(f"The network has {ties:,} ties among {members:,} members.", table, "members")
        )
    if previous is not None and not now.get("no_cohorts"):
        a, b = _int(then.get("cross_cohort_ties")), _int(now.get("cross_cohort_ties"))
        direction = "up from" if b > a else "down from" if b < a else "the same as"
        lines.append(
            Sentence(
                f"Cohorts are linked by {_n(b, 'tie')} across cohort lines, {direction} {a:,}.",
                reverse("networkmaps:map", args=[slug]),
                "map",
            )
        )
    isolates = _int(now.get("isolates"))
    lines.append(
        Sentence(
            f"{_n(isolates, 'member')} {'is' if isolates == 1 else 'are'} still isolated."
            if isolates
            else "No member is isolated.",
            f"{table}?round={latest.pk}&sort=degree",
            "who",
        )
    )
    stage = overview.stages.get(latest.pk)
    if stage:
        before = overview.stages.get(previous.pk) if previous else None
        text = f"The network looks like a “{stage['label'].lower()}” network"
        if before and before["stage"] != stage["stage"]:
            text += f", up from “{before['label'].lower()}”"
        lines.append(Sentence(text + ".", "#stage", "evidence"))
    response = overview.responses.get(latest.pk)
    if response is not None and response.recorded:
        text = (
            f"{response.answered:,} of {response.asked:,} members answered in {latest.name} "
            f"({response.rate:.0%}); missing answers are {overview.missing_rule}"
        )
        if response.low:
            text += f" — below the {response.threshold:.0%} this program trusts for comparisons"
        lines.append(Sentence(text + ".", reverse("members:survey-list", args=[slug]), "surveys"))
    return lines[:5]


def _int(value) -> int:
    return int(round(value)) if value is not None else 0


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
