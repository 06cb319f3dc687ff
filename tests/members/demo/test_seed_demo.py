import networkx as nx
import pytest
from django.core.management import CommandError, call_command

from members.demo import generate as demo
from members.demo import seed as services
from members.models import Member, Organisation, Program, Relationship

pytestmark = pytest.mark.django_db


def _graph(program, round_name):
    graph = nx.Graph()
    graph.add_nodes_from(program.members.values_list("id", flat=True))
    graph.add_edges_from(
        Relationship.objects.filter(round__name=round_name, round__program=program).values_list(
            "source_id", "target_id"
        )
    )
    return graph


def _crossing_share(program, round_name, attribute):
    value = {
        "cohort": dict(Member.cohorts.through.objects.values_list("member_id", "cohort_id")),
        "sector": dict(program.members.values_list("id", "sector")),
    }[attribute]
    ties = Relationship.objects.filter(round__name=round_name, round__program=program)
    pairs = list(ties.values_list("source_id", "target_id"))
    return sum(value[a] != value[b] for a, b in pairs) / len(pairs)


def test_default_demo_has_the_shape_of_a_real_program(demo_program):
    program = demo_program
    assert program.name == "Northwind Fellows"
    assert program.cohorts.count() == 4
    assert program.members.count() == 120
    assert 50 <= Organisation.objects.filter(program=program).count() <= 70
    assert set(program.members.values_list("sector", flat=True)) == set(demo.SECTORS)
    assert list(program.rounds.values_list("name", flat=True)) == ["Baseline", "Year two"]
    assert program.current_round().name == "Year two"
    assert set(program.relationship_types.values_list("name", "directed")) == {
        ("knows", False), ("collaborates with", False), ("seeks advice from", True),
    }  # fmt: skip
    # Every fellow is in exactly one cohort, cohorts are of similar size.
    sizes = [c.members.count() for c in program.cohorts.all()]
    assert sum(sizes) == 120 and max(sizes) - min(sizes) <= 1

    baseline, year_two = _graph(program, "Baseline"), _graph(program, "Year two")
    assert nx.number_of_isolates(baseline) >= 2
    assert nx.number_of_isolates(year_two) >= 1
    assert nx.density(year_two) > nx.density(baseline) * 1.1
    # Clustered: far more triangles than a random graph of the same density would have.
    assert nx.transitivity(baseline) > 3 * nx.density(baseline)
    # A couple of hubs well above everybody else.
    degrees = sorted((d for _, d in baseline.degree()), reverse=True)
    mean = sum(degrees) / len(degrees)
    assert degrees[1] > 2.5 * mean
    # Dense within cohort and sector; the second round crosses more boundaries.
    assert _crossing_share(program, "Baseline", "cohort") < 0.4
    assert _crossing_share(program, "Baseline", "sector") < 0.5
    assert _crossing_share(program, "Year two", "cohort") > _crossing_share(
        program, "Baseline", "cohort"
    )
    assert _crossing_share(program, "Year two", "sector") > _crossing_share(
        program, "Baseline", "sector"
    )


def test_demo_is_deterministic_for_a_seed():
    first, again, other = demo.generate(seed=7), demo.generate(seed=7), demo.generate(seed=8)
    assert first == again
    assert first.ties != other.ties


def test_demo_size_scales_with_members():
    data = demo.generate(members=3000, seed=1)
    assert len(data.members) == 3000
    assert len(data.cohorts) == 100
    assert len(data.organisations) == 1500
    mean_degree = 2 * len(data.ties[1]) / 3000
    assert 8 <= mean_degree <= 12


def test_seed_demo_refuses_to_duplicate_and_replaces_cleanly(demo_program):
    with pytest.raises(CommandError, match="already exists"):
        call_command("seed_demo")
    call_command("seed_demo", "--skip-existing")
    assert Program.objects.count() == 1
    ties_before = Relationship.objects.count()
    call_command("seed_demo", "--replace")
    assert Program.objects.count() == 1
    assert Member.objects.count() == 120
    assert Relationship.objects.count() == ties_before


def test_seed_demo_login_creates_a_staff_superuser(db):
    call_command("seed_demo", "--members", "30", "--login", "demo:pw-for-tests")
    program = Program.objects.get(slug=services.DEMO_SLUG)
    user = program.roles.get().user
    assert user.username == "demo" and user.is_superuser and user.check_password("pw-for-tests")


def test_seed_demo_rejects_a_bad_login_argument(db):
    with pytest.raises(CommandError, match="USERNAME:PASSWORD"):
        call_command("seed_demo", "--members", "30", "--login", "demo")
