"""Which of Krebs & Holley's network stages a round is in, by stated rules (pure).

Krebs & Holley ("Building smart communities through network weaving", 2006) describe how
woven networks grow: scattered fragments → a single hub and spoke → a multi-hub small
world → a core/periphery network. netlead classifies a round with these rules, applied
in order, over figures the metric run measures (the first rule that holds wins):

1. scattered fragments  — the largest connected part holds under half of the members.
2. hub and spoke        — degree centralization is at least 0.30, or there are at most two
                          hubs (members with at least max(4, mean + 2 sd) ties).
3. core/periphery       — the largest part holds at least 80 % of members, the dense core
                          (k-core, see metrics) holds at least 20 % and a periphery exists.
4. multi-hub small world — otherwise: several hubs, no single centre, no dense core yet.
"""

from __future__ import annotations

import math

STAGES = {
    "fragments": "Scattered fragments",
    "hub_spoke": "Hub and spoke",
    "multi_hub": "Multi-hub small world",
    "core_periphery": "Core/periphery",
}
FRAGMENTED_BELOW = 0.5
CENTRALIZED_FROM = 0.30
MAX_HUBS_FOR_SPOKE = 2
CORE_CONNECTED_FROM = 0.8
CORE_SHARE_FROM = 0.2


def hubs_count(degrees: list[int]) -> int:
    """Members with at least max(4, mean + 2 standard deviations) ties."""
    if not degrees:
        return 0
    mean = sum(degrees) / len(degrees)
    sd = math.sqrt(sum((d - mean) ** 2 for d in degrees) / len(degrees))
    cut = max(4.0, mean + 2 * sd)
    return sum(d >= cut for d in degrees)


def network_stage(*, network: dict, degrees: list[int]) -> dict:
    """{"stage": key, "label", "evidence": [sentences with the measured figures]}."""
    members = network.get("members") or 0
    largest = network.get("largest_component_share") or 0.0
    centralization = network.get("degree_centralization") or 0.0
    core = (network.get("core_size") or 0) / members if members else 0.0
    periphery = network.get("periphery_size") or 0
    hubs = hubs_count(degrees)
    evidence = [
        f"largest connected part: {largest:.0%} of members",
        f"degree centralization: {centralization:.2f}",
        f"hubs (members with many more ties than most): {hubs}",
        f"dense core: {core:.0%} of members; periphery: {periphery} members",
    ]
    if largest < FRAGMENTED_BELOW:
        stage, why = "fragments", f"the largest part holds under {FRAGMENTED_BELOW:.0%}"
    elif centralization >= CENTRALIZED_FROM or hubs <= MAX_HUBS_FOR_SPOKE:
        stage = "hub_spoke"
        why = (
            f"centralization is at least {CENTRALIZED_FROM:.2f}"
            if centralization >= CENTRALIZED_FROM
            else f"there are at most {MAX_HUBS_FOR_SPOKE} hubs"
        )
    elif largest >= CORE_CONNECTED_FROM and core >= CORE_SHARE_FROM and periphery > 0:
        stage = "core_periphery"
        why = (
            f"the largest part holds at least {CORE_CONNECTED_FROM:.0%}, the core at least "
            f"{CORE_SHARE_FROM:.0%}, and there is a periphery"
        )
    else:
        stage, why = "multi_hub", "several hubs, no single centre and no dense core yet"
    return {
        "stage": stage,
        "label": STAGES[stage],
        "why": why,
        "evidence": evidence,
        "hubs": hubs,
    }
