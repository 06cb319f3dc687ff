"""Real public networks, written by networkx as their users would, import faithfully: the
same nodes, edges, direction, attributes and (mapped) weights, and netlead's metrics equal
networkx's on the same graph."""

import io

import networkx as nx
import pytest

from members.imports.services import network_import
from members.imports.weights import strengths_map
from members.models import Member, MemberAttribute, Relationship
from members.round_graph import round_graph_load
from networkmaps.models import MetricRun
from tests.factories import ProgramFactory
from tests.metric_runs import compute_all_rounds

pytestmark = pytest.mark.django_db

WRITERS = {
    "gexf": nx.write_gexf,
    "graphml": nx.write_graphml,
    "edgelist": nx.write_weighted_edgelist,
}


def _file(graph, fmt: str, name: str = "network") -> io.BytesIO:
    data = io.BytesIO()
    if fmt == "edgelist" and not any("weight" in d for *_, d in graph.edges(data=True)):
        nx.write_edgelist(graph, data, data=False)
    else:
        WRITERS[fmt](graph, data)
    data.seek(0)
    data.name = f"{name}.{'txt' if fmt == 'edgelist' else fmt}"
    return data


def _imported(graph, fmt, **options):
    program = ProgramFactory()
    report = network_import(
        program=program,
        members_file=_file(graph, fmt),
        round_name="Observed",
        round_date="2024-05-01",
        **options,
    )
    assert report.ok and report.written, [str(p) for p in report.problems]
    return program, report


def _as_networkx(program) -> nx.Graph:
    members = dict(Member.objects.filter(program=program).values_list("pk", "external_id"))
    ties = Relationship.objects.filter(program=program).select_related("type")
    directed = {t.type.directed for t in ties}
    out = nx.DiGraph() if directed == {True} else nx.Graph()
    out.add_nodes_from(members.values())
    for tie in ties:
        out.add_edge(
            members[tie.source_id], members[tie.target_id], strength=tie.strength, w=tie.weight
        )
    return out


def _assert_metrics_match(program, graph):
    compute_all_rounds(program)
    run = MetricRun.objects.get(program=program, is_current=True)
    ids = dict(Member.objects.filter(program=program).values_list("pk", "external_id"))
    ours = {ids[m]: b for m, b in run.node_metrics.values_list("member_id", "betweenness")}
    degree = {ids[m]: d for m, d in run.node_metrics.values_list("member_id", "degree")}
    theirs = nx.betweenness_centrality(nx.Graph(graph))
    for node, value in theirs.items():
        assert ours[str(node)] == pytest.approx(value, abs=1e-9)
        assert degree[str(node)] == nx.Graph(graph).degree(node)


@pytest.mark.parametrize("fmt", ["gexf", "graphml", "edgelist"])
def test_karate_club_comes_back_whole(fmt):
    karate = nx.karate_club_graph()
    program, report = _imported(karate, fmt)
    back = _as_networkx(program)
    assert set(back.nodes) == {str(n) for n in karate.nodes}
    assert {frozenset(e) for e in back.edges} == {
        frozenset((str(a), str(b))) for a, b in karate.edges
    }
    assert not back.is_directed()
    weights = [d["weight"] for *_, d in karate.edges(data=True)]
    mapping, _ = strengths_map([float(w) for w in weights])
    for a, b, data in karate.edges(data=True):
        tie = back.edges[str(a), str(b)]
        assert tie["w"] == data["weight"]
        assert tie["strength"] == mapping[float(data["weight"])]
    if fmt != "edgelist":
        club = MemberAttribute.objects.get(program=program, key="club")
        assert club.kind == "category"
        clubs = dict(
            Member.objects.filter(program=program).values_list("external_id", "attributes")
        )
        assert {k: v["club"] for k, v in clubs.items()} == {
            str(n): karate.nodes[n]["club"] for n in karate.nodes
        }
        graph = round_graph_load(round_=program.rounds.get())
        assert set(graph.groups["attr:club"].values()) == {"Mr. Hi", "Officer"}
    _assert_metrics_match(program, karate)


@pytest.mark.parametrize("fmt", ["gexf", "graphml", "edgelist"])
def test_florentine_families_come_back_whole(fmt):
    families = nx.florentine_families_graph()
    program, _ = _imported(families, fmt)
    back = _as_networkx(program)
    assert set(back.nodes) == set(families.nodes)
    assert {frozenset(e) for e in back.edges} == {frozenset(e) for e in families.edges}
    assert all(d["strength"] == 3 and d["w"] is None for *_, d in back.edges(data=True))
    _assert_metrics_match(program, families)


@pytest.mark.parametrize("fmt", ["gexf", "graphml", "edgelist"])
def test_les_miserables_weights_1_to_31_are_kept_and_mapped(fmt):
    miserables = nx.les_miserables_graph()
    program, report = _imported(miserables, fmt)
    back = _as_networkx(program)
    assert set(back.nodes) == set(miserables.nodes)
    assert {frozenset(e) for e in back.edges} == {frozenset(e) for e in miserables.edges}
    for a, b, data in miserables.edges(data=True):
        tie = back.edges[a, b]
        assert tie["w"] == data["weight"]
        assert tie["strength"] == 1 + round(4 * (data["weight"] - 1) / 30)
    assert any("rescaled linearly" in note and "1–31" in note for note in report.notes)
    _assert_metrics_match(program, miserables)


def _reciprocated() -> nx.DiGraph:
    advice = nx.DiGraph()
    advice.add_edges_from([("a", "b"), ("b", "a"), ("b", "c"), ("c", "d"), ("d", "c"), ("d", "a")])
    return advice


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_directed_network_keeps_both_directions(fmt):
    advice = _reciprocated()
    program, report = _imported(advice, fmt)
    back = _as_networkx(program)
    assert back.is_directed()
    assert set(back.edges) == set(advice.edges)
    assert not any(note.startswith("Folded") for note in report.notes)


def test_edge_list_with_reciprocal_pairs_asks_for_a_direction():
    program = ProgramFactory()
    report = network_import(
        program=program, members_file=_file(_reciprocated(), "edgelist", "advice"),
        round_name="Observed", round_date="2024-05-01",
    )  # fmt: skip
    assert not report.written
    [problem] = report.problems
    assert problem.file == "advice.txt" and problem.row == 2 and problem.column == "from"
    assert "“knows”: 2 pairs name each other — directed or undirected?" in problem.message
    assert not Member.objects.filter(program=program).exists()


def test_declared_undirected_reports_the_folding_with_counts():
    program = ProgramFactory()
    report = network_import(
        program=program, members_file=_file(_reciprocated(), "edgelist"),
        round_name="Observed", round_date="2024-05-01", directions={"knows": False},
    )  # fmt: skip
    assert report.written
    assert Relationship.objects.filter(program=program).count() == 4
    assert any("2 pairs were given in both directions (4 rows → 2 ties" in n for n in report.notes)


def test_declared_directed_keeps_every_row():
    program = ProgramFactory()
    report = network_import(
        program=program, members_file=_file(_reciprocated(), "edgelist"),
        round_name="Observed", round_date="2024-05-01", directions={"knows": True},
    )  # fmt: skip
    assert report.written
    assert Relationship.objects.filter(program=program).count() == 6
