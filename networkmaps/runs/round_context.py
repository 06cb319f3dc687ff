"""What a metric run adds so its numbers tell the truth about the round (issue 13).

Called once by runs/compute.py after the metrics and before the store
(`round_context.add`): clusters keep their numbers from the previous partition, tie
changes are counted only among comparable pairs, the response rate, the stability bands
and the network stage are recorded, and eigenvector centrality is kept only inside the
largest connected part. Reads response statuses; computes nothing heavy itself.
"""

from __future__ import annotations

from members.missing_answers import AS_REPORTED
from members.models import ResponseStatus, Round
from members.responses import ANSWERED, round_response_summary
from networkmaps.graph import summary
from networkmaps.graph.input import GraphInput, build_graphs
from networkmaps.graph.metrics.cluster_identity import TOLERANCE, seeded_partition
from networkmaps.graph.metrics.eigenvector_parts import eigenvector_largest_part
from networkmaps.graph.metrics.network_stage import network_stage
from networkmaps.graph.metrics.stability import stability_bands
from networkmaps.models import NodeMetric


def add(*, run, data, merged, result, network: dict) -> None:
    """Amend one run's results in place (see the module docstring)."""
    round_ = run.round
    _clusters_follow(round_, result, merged, network)
    answered_now = answered_ids(round_=round_)
    previous = round_.previous()
    if data.previous_ties is not None and previous is not None:
        before = build_graphs(GraphInput(nodes=data.graph.nodes, ties=data.previous_ties))
        network |= summary.comparable_changes(
            before.pair_strengths(),
            merged.pair_strengths(),
            answered_before=answered_ids(round_=previous),
            answered_after=answered_now,
        )
    response = round_response_summary(round_=round_)
    network["response_rate"] = response.rate
    eigenvector = eigenvector_largest_part(merged.adjacency(weighted=False))
    for member, value in zip(merged.order.tolist(), eigenvector, strict=True):
        result.nodes[member]["eigenvector"] = value
    result.params["eigenvector_scope"] = "largest connected part; blank outside it"
    result.params["stability"] = stability_bands(
        nodes=data.graph.nodes, ties=data.graph.ties, answered=answered_now, seed=0
    )
    degrees = [values["degree"] for values in result.nodes.values()]
    result.params["stage"] = network_stage(network=network, degrees=degrees)
    result.params["missing_answers"] = round_.program.missing_answers


def answered_ids(*, round_: Round) -> frozenset[int] | None:
    """Who answered the round, for comparisons under the program's rule; None means
    everybody (no statuses recorded, or the rule is "as reported": no repair, no excuse)."""
    if round_.program.missing_answers == AS_REPORTED:
        return None
    rows = ResponseStatus.objects.filter(round=round_).values_list("member_id", "status")
    statuses = dict(rows)
    if not statuses:
        return None
    return frozenset(m for m, s in statuses.items() if s == ANSWERED)


def _clusters_follow(round_: Round, result, merged, network: dict) -> None:
    """Number the run's communities from 1 (for people, everywhere), matching the round's
    current partition, or else the previous round's, so a cluster keeps its number (and
    colour) across recomputes. The partition itself is refined from the previous one
    (graph/metrics/cluster_identity.py) when that costs at most TOLERANCE of modularity."""
    previous = None
    for candidate in (round_, round_.previous()):
        if candidate is None:
            continue
        rows = NodeMetric.objects.filter(
            run__round=candidate, run__is_current=True, community__isnull=False
        ).values_list("member_id", "community")
        previous = {member: int(index) for member, index in rows}
        if previous and min(previous.values()) == 0:
            # A run from before clusters were numbered from 1.
            previous = {member: index + 1 for member, index in previous.items()}
        if previous:
            break
    if previous:
        seeded, modularity = seeded_partition(merged, previous, seed=0)
        fresh = network.get("modularity")
        if modularity is not None and (fresh is None or modularity >= fresh - TOLERANCE):
            result.communities = seeded
            network["modularity"] = modularity
            network["communities"] = len(set(seeded.values()))
            result.params["community_method"] = (
                "leiden (igraph), modularity, started from the previous partition"
            )
    mapping = summary.communities_match(result.communities, previous)
    result.communities = {m: mapping[c] for m, c in result.communities.items()}
    for member, values in result.nodes.items():
        values["community"] = result.communities[member]
    result.params["community_numbering"] = (
        "from 1, matched to the previous partition (largest overlap)"
        if previous
        else "from 1, largest first"
    )
