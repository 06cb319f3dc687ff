"""Weaving suggestions: which introductions would strengthen a program's network.

Pure graph code (no Django). It takes the merged relationship graph of one
round, the node metrics and communities of its metric run and the members'
attributes, and returns ranked suggestions of five kinds. Each carries a score
(comparable within its kind), a plain-language reason built only from facts
about the network, and those facts as JSON-able data.

- closure: two people who share contacts but have no tie (Adamic–Adar).
- bridge: two people placed to connect groupings that barely touch.
- periphery: someone well placed to bring in a member with zero or one tie.
- hub_relief: two contacts of an over-relied-on hub who should meet directly.
- key_players: a small set that together reaches most of the network in two steps.

Ties are the merged ones of ``networkmaps.graph.input.build_graphs``, the same graph the
metrics ran on: pass that ``MergedGraph`` (or a ``GraphInput``, merged here once).
A pair is suggested at most once across all kinds, never when the two people
are already tied, and never when staff dismissed it (``exclude_pairs``).
"""

from __future__ import annotations

import numpy as np

from networkmaps.graph.input import GraphInput, MergedGraph, build_graphs
from networkmaps.graph.weaving import bridge, closure, hub_relief, key_players, periphery
from networkmaps.graph.weaving.hub_relief import hub_indices
from networkmaps.graph.weaving.network import Network
from networkmaps.graph.weaving.suggestion import Suggestion, by_rank, pair_key

__all__ = ["DEFAULT_LIMITS", "KINDS", "Suggestion", "hub_indices", "pair_key", "suggest"]

KINDS = ("closure", "bridge", "periphery", "hub_relief", "key_players")

# Per kind: pairs to suggest (key_players: sets). Sized for a staff queue, so
# they do not grow with the network.
DEFAULT_LIMITS = {"closure": 50, "bridge": 20, "periphery": 30, "hub_relief": 20, "key_players": 1}


def suggest(
    *,
    graph: GraphInput | MergedGraph,
    node_metrics: dict[int, dict],
    communities: dict[int, int],
    people: dict[int, dict],
    exclude_pairs: set[tuple[int, int]] = frozenset(),
    limits: dict[str, int] | None = None,
    divides: list[str] | None = None,
) -> list[Suggestion]:
    """Rank weaving suggestions of every kind for one round's network.

    ``graph`` is the round's merged graph (used as is, groups from ``graph.groups``) or
    its ``GraphInput`` (merged once here). Returns suggestions grouped by kind in
    ``KINDS`` order, each kind sorted by score (descending) then member ids. The same
    input gives the same output. ``limits`` overrides ``DEFAULT_LIMITS`` per kind; 0
    switches a kind off. ``divides`` names the groupings closure boosts crossing (default:
    every grouping of the round).
    """
    unknown = set(limits or {}) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown suggestion kinds in limits: {sorted(unknown)}")
    limit = {**DEFAULT_LIMITS, **(limits or {})}
    merged = graph if isinstance(graph, MergedGraph) else build_graphs(graph)
    net = Network(merged, people, communities, exclude_pairs)
    if divides is not None:
        net.divides = [dim for dim in divides if dim in net.codes]
    betweenness = np.array(
        [float((node_metrics.get(m) or {}).get("betweenness") or 0.0) for m in net.ids.tolist()]
    )
    hubs = hub_indices(betweenness)
    taken: set[tuple[int, int]] = set()
    # Rarer, more specific kinds claim a pair first; closure has plenty of options.
    found = {
        "periphery": periphery.find(net, limit["periphery"], taken, hubs),
        "hub_relief": hub_relief.find(net, betweenness, hubs, limit["hub_relief"], taken),
        "bridge": bridge.find(net, limit["bridge"], taken),
        "closure": closure.find(net, limit["closure"], taken),
        "key_players": key_players.find(net, limit["key_players"]),
    }
    return [s for kind in KINDS for s in sorted(found[kind], key=by_rank)]
