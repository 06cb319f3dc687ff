"""What each metric means, in the words staff read on the dashboard and member table."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    help: str
    format: str = "number"  # number | share | count | index


MEMBER_METRICS = (
    Metric("degree", "Ties", "How many people this person has a tie with (any type).", "count"),
    Metric("in_degree", "Named by", "How many people name a tie to this person.", "count"),
    Metric("out_degree", "Names", "How many people this person names a tie to.", "count"),
    Metric(
        "weighted_degree", "Tie strength", "The sum of the strengths (1–5) of their ties.", "count"
    ),
    Metric(
        "betweenness",
        "Broker score",
        "Betweenness: how often this person lies on the shortest path between two others — "
        "a broker. High values mean others depend on them to connect.",
    ),
    Metric(
        "closeness",
        "Closeness",
        "How few steps this person needs to reach everyone they can reach (1 = one step "
        "from all). Scaled down when parts of the network are out of reach.",
    ),
    Metric(
        "harmonic",
        "Reach (harmonic)",
        "Average of 1 / distance to every other member; unreachable people count 0.",
    ),
    Metric(
        "eigenvector",
        "Connected to the well-connected",
        "Eigenvector centrality: high when this person's contacts are themselves central. "
        "Computed within the largest connected part and blank for members outside it: "
        "there it would be 0 for everyone, however many ties they have.",
    ),
    Metric("pagerank", "Influence", "PageRank: a random walk's share of time spent here."),
    Metric(
        "constraint",
        "Constraint",
        "Burt's constraint: high when all their contacts know each other (a closed circle); "
        "low for people who span separate groups.",
    ),
    Metric(
        "effective_size",
        "Non-redundant contacts",
        "Burt's effective size: the number of contacts who do not already know each other.",
    ),
    Metric("clustering", "Circle closure", "Share of their contacts' pairs who know each other."),
    Metric(
        "core_number", "Core level", "k-core: the deepest core of the network they sit in.", "count"
    ),
    Metric(
        "community",
        "Cluster",
        "The cluster (Louvain community) the person belongs to, numbered from 1; a cluster "
        "keeps its number and colour across recomputes and rounds (matched by overlap).",
        "index",
    ),
    Metric(
        "reach_two_steps",
        "Two-step reach",
        "Share of the network this person reaches in one or two introductions.",
        "share",
    ),
)
MEMBER_METRIC_KEYS = tuple(m.key for m in MEMBER_METRICS)

NETWORK_METRICS = (
    Metric(
        "members", "Members", "Everyone in the program, including people without ties.", "count"
    ),
    Metric("ties", "Ties", "Pairs of members with at least one tie of any type.", "count"),
    Metric(
        "ties_new",
        "New ties",
        "Pairs tied now that were not tied in the previous round, among pairs that could be "
        "compared (one of the two answered in both rounds).",
        "count",
    ),
    Metric(
        "ties_lost",
        "Lost ties",
        "Pairs tied in the previous round but not now, among pairs that could be compared.",
        "count",
    ),
    # issue 13: what could not be compared, and who answered.
    Metric(
        "ties_not_comparable",
        "Pairs not comparable",
        "Pairs tied in either round where neither member answered in both rounds: their "
        "change is unknown, so they count as neither new nor lost.",
        "count",
    ),
    Metric("response_rate", "Answered", "Share of members asked who answered.", "share"),
    Metric("density", "Density", "Share of all possible pairs that are tied.", "share"),
    Metric("isolates", "Isolated members", "Members with no tie at all.", "count"),
    Metric(
        "components", "Separate parts", "Pieces of the network with no path between them.", "count"
    ),
    Metric(
        "largest_component_share",
        "In the main network",
        "Share of members in the largest connected part.",
        "share",
    ),
    Metric(
        "average_path_length",
        "Average distance",
        "Average number of steps between two members of the main network.",
    ),
    Metric(
        "transitivity", "Closure", "Share of two-step paths that close into triangles.", "share"
    ),
    Metric(
        "degree_centralization",
        "Centralization (ties)",
        "How much the network revolves around a few highly tied people (1 = a star).",
        "share",
    ),
    Metric(
        "betweenness_centralization",
        "Centralization (brokers)",
        "How much the network depends on a few brokers (1 = everything runs through one).",
        "share",
    ),
    Metric(
        "communities",
        "Clusters",
        "Number of Louvain communities (isolates count as one each).",
        "count",
    ),
    Metric("modularity", "Cluster separation", "Modularity: how sharply the clusters are divided."),
    Metric("reciprocity", "Reciprocity", "Share of directed ties that are returned.", "share"),
    Metric(
        "cross_cohort_ties",
        "Cross-cohort ties",
        "Ties between members of different cohorts.",
        "count",
    ),
    Metric(
        "cross_sector_ties",
        "Cross-sector ties",
        "Ties between members of different sectors.",
        "count",
    ),
    Metric(
        "ei_cohort",
        "E-I cohort",
        "Krackhardt's E-I index by cohort: −1 all ties inside cohorts, +1 all across.",
        "index",
    ),
    Metric("ei_sector", "E-I sector", "E-I index by sector.", "index"),
    Metric("ei_region", "E-I region", "E-I index by region.", "index"),
    Metric("ei_organisation", "E-I organisation", "E-I index by organisation.", "index"),
    Metric("core_size", "Core", "Members in the network's dense core.", "count"),
    Metric(
        "periphery_size", "Periphery", "Members with at most one chain of single ties in.", "count"
    ),
)

GRAPH_CHOICES = (
    "Ties of every relationship type are merged per pair of members into one tie; its "
    "strength is the highest strength recorded for that pair in the round.",
    "Paths (brokers, closeness, distance, two-step reach) ignore direction and strength: "
    "every tie is one step. Strength counts only in tie strength and influence (PageRank).",
    "Direction counts only for “named by”/“names”, reciprocity and brokerage roles.",
    "Every member of the program is in every round's network, including people with no ties.",
    "Clusters are found with the Louvain method, seeded so the same data gives the same clusters.",
)

# issue 13: the rules behind the dashboard's bands, stages and comparisons.
GLOSSARY_NOTES = (
    (
        "Missing answers",
        "A member who did not answer has not lost their ties. Reconstruct (default): their "
        "ties are those others reported with them. Carry forward: they also keep the ties "
        "they reported last round, marked as carried. As reported: no repair.",
    ),
    (
        "Comparable pairs",
        "New and lost ties are counted only for pairs where at least one of the two answered "
        "in both rounds; the others are counted as not comparable.",
    ),
    (
        "± (stability band)",
        "How far a number moves when a further 10 % of respondents are left out at random, "
        "50 times (seeded): the 5th to 95th percentile, halved. A member's rank is "
        "“stable” when it stays within max(3, half their rank) in 8 of 10 resamples.",
    ),
    (
        "Network stage",
        "Krebs & Holley's stages, first rule that holds: scattered fragments (largest part "
        "under 50 %); hub and spoke (degree centralization ≥ 0.30 or at most 2 hubs, a hub "
        "having ≥ max(4, mean + 2 sd) ties); core/periphery (largest part ≥ 80 %, core ≥ 20 "
        "%, a periphery exists); otherwise multi-hub small world.",
    ),
    (
        "n/a",
        "Cross-cohort and cross-sector lines read n/a when the program has no cohorts or "
        "no sectors.",
    ),
)

# issue 14: the rules behind the weaving queue, as the queue page states them.
WEAVING_NOTES = (
    (
        "Bridge (a divide)",
        "Two groups of any grouping — clusters, cohort, sector, region, organisation or an "
        "imported attribute — barely touch when the share of possible pairs across them that "
        "are tied is below half the share inside the sparser of the two (d₁₂ < 0.5 · "
        "min(d₁, d₂)), at least 4 ties would be there at that inside density, and the "
        "shortfall is beyond chance (ties ≤ e − 2√e). Separate parts are always bridged.",
    ),
    (
        "Divides",
        "The groupings the program marks as divides (all, unless set): closing a triangle "
        "scores 1 + 0.5 per divide the two are on different sides of, and the queue is "
        "balanced over their groups.",
    ),
    (
        "Value",
        "A suggestion's score as a share of the best score of its kind in this run (0–1), so "
        "the best of each kind stands at 1. A member's own request counts 1.",
    ),
    (
        "Chance",
        "The estimated probability that the two have a tie in the next round: the program's "
        "own introduced → formed rate once 30 introductions have an outcome, else a logistic "
        "regression fitted on which pairs became tied between the last two rounds (shared "
        "contacts, Adamic–Adar, resource allocation, degrees, new ties, shared groups). Its "
        "calibration (held-out Brier score, predicted vs formed) is shown under Fairness.",
    ),
    (
        "Order",
        "By √(value × chance ÷ the best chance), or value alone before there is a chance; "
        "this week is the top few (a program setting, 5 by default), the rest in pages of 25.",
    ),
    (
        "Fairness",
        "On every divide, each group's share of the people named in open suggestions stays "
        "within ±10 percentage points of its share of members, and no member is in more than "
        "K suggestions (a program setting, 3 by default).",
    ),
    (
        "What would it change",
        "Adding the tie, recomputed: the two people's two-step reach, the average distance "
        "between connected people (exact up to 1,500 members, else from 256 sampled people), "
        "whether it joins separate parts or clusters, and the E-I index of each grouping.",
    ),
)
