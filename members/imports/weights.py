"""From a file's weights (any range) to netlead's strengths 1–5, by a rule the preview states;
and names that are nearly, but not quite, one the program already has."""

from __future__ import annotations

import bisect
import re

LINEAR, QUANTILES = "linear", "quantiles"
RULES = (LINEAR, QUANTILES)
_DIGITS = re.compile(r"\d+")


def strengths_map(weights: list[float], *, rule: str = LINEAR) -> tuple[dict[float, int], str]:
    """Each distinct weight's strength, and the rule in words.

    Whole numbers 1–5 already are strengths and are kept. Otherwise `linear` spreads the
    file's range evenly (lowest → 1, highest → 5, round to nearest); `quantiles` gives each
    strength a fifth of the ties (by rank, ties of equal weight share a strength).
    """
    distinct = sorted(set(weights))
    if not distinct:
        return {}, ""
    if all(w.is_integer() and 1 <= w <= 5 for w in distinct):
        return {w: int(w) for w in distinct}, "weights 1–5 are used as strengths"
    low, high = distinct[0], distinct[-1]
    if rule == QUANTILES:
        ordered = sorted(weights)
        n = len(ordered)
        out = {}
        for w in distinct:
            # The share of ties lighter than w, plus half of those equal to it.
            below = bisect.bisect_left(ordered, w)
            equal = bisect.bisect_right(ordered, w) - below
            out[w] = min(5, 1 + int(5 * (below + equal / 2) / n))
        said = f"weights {_n(low)}–{_n(high)} mapped to strengths 1–5 by quintile"
        return out, said
    if high == low:
        return {low: 3}, f"every weight is {_n(low)}: strength 3"
    out = {w: 1 + round(4 * (w - low) / (high - low)) for w in distinct}
    said = f"weights {_n(low)}–{_n(high)} rescaled linearly to strengths 1–5 ({_n(low)} → 1, "
    return out, said + f"{_n(high)} → 5)"


def _n(value: float) -> str:
    return str(int(value)) if value.is_integer() else f"{value:g}"


def near_miss(name: str, existing: list[str]) -> str | None:
    """An existing name within a small edit distance of `name` (not equal, any case)."""
    folded = name.casefold()
    best, best_distance = None, None
    limit = 1 if len(folded) < 6 else 2
    for other in existing:
        candidate = other.casefold()
        if candidate == folded or abs(len(candidate) - len(folded)) > limit:
            continue
        if _DIGITS.sub("", candidate) == _DIGITS.sub("", folded):
            continue  # "Round 2" after "Round 1", "Fellows 2021": a sequence, not a typo
        distance = edit_distance(folded, candidate, limit)
        if distance <= limit and (best_distance is None or distance < best_distance):
            best, best_distance = other, distance
    return best


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, stopping early once it exceeds `limit`."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]
