"""Plain-language pieces the suggestion reasons are built from (counts, lists, issue areas)."""

from __future__ import annotations


def and_list(words: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def counted(k: int, singular: str, plural: str | None = None) -> str:
    """ "1 tie", "2 ties", "1,200 people": a number with its noun in the right number."""
    return f"{k:,} {singular if k == 1 else (plural or singular + 's')}"


def issue_phrase(issues: list[str]) -> str:
    return f"both list {and_list(issues)}" if issues else ""


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def share(fraction: float) -> str:
    """ "19%", "0.4%" (one decimal below 1%), "0%" only when nothing."""
    percent = 100.0 * fraction
    if 0 < percent < 1:
        return f"{percent:.1f}%"
    return f"{percent:.0f}%"


def dimension_name(dim: str) -> str:
    """How a reason names a grouping: "sector", or "office" for the custom "attr:office"."""
    return dim.removeprefix("attr:").replace("_", " ")
