"""A member's place in the network, in plain sentences. Pure; no Django.

Every sentence is built from numbers the caller passes in (the member's stored metrics, the
metrics of their cohort and of the whole network, their neighbours' groups), so the page
never says anything the data does not show.
"""

from __future__ import annotations

from statistics import median


def position_sentences(
    *,
    me: dict,
    everyone: list[dict],
    cohort: list[dict],
    neighbour_communities: set[int],
    communities: int,
    sector_bridges: list[tuple[str, str, int]],
    previous: dict | None,
) -> list[str]:
    """`me`/`everyone`/`cohort`/`previous`: metric dicts (degree, reach_two_steps, …).

    `sector_bridges`: (my sector, other sector, how many members bridge the two) for each
    other sector I have ties into.
    """
    sentences = []
    cohort_degree = median([m["degree"] for m in cohort]) if cohort else None
    if me["degree"] == 0:
        sentences.append("You have no ties in this round yet.")
    else:
        text = f"You have {_count(me['degree'], 'tie')}"
        if cohort_degree is not None:
            text += f"; the median member of your cohort has {cohort_degree:g}"
        sentences.append(text + ".")
    reach = me.get("reach_two_steps") or 0
    typical = median([m.get("reach_two_steps") or 0 for m in everyone]) if everyone else 0
    sentences.append(
        f"You reach {reach:.0%} of the network in two steps; the median member reaches "
        f"{typical:.0%}."
    )
    if communities > 1 and neighbour_communities:
        sentences.append(
            f"Your ties connect {len(neighbour_communities)} of the network's "
            f"{communities} clusters."
        )
    for mine, other, bridges in sector_bridges:
        if bridges <= 3:
            few = "the only bridge" if bridges == 1 else f"one of only {bridges} bridges"
            sentences.append(f"You are {few} between the {mine} and {other} sectors.")
    if previous is not None:
        change = me["degree"] - previous["degree"]
        if change > 0:
            sentences.append(f"You have {_count(change, 'more tie')} than in the last round.")
        elif change < 0:
            sentences.append(f"You have {_count(-change, 'tie')} fewer than in the last round.")
        else:
            sentences.append("You have as many ties as in the last round.")
    return sentences


def _count(n: int | float, noun: str) -> str:
    n = int(n)
    return f"{n} {noun}" if n == 1 else f"{n} {noun.replace('tie', 'ties', 1)}"
