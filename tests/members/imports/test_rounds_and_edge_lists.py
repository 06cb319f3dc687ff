"""Rounds carry the dates they describe; plain edge lists import; near-miss names are flagged."""

import io

import pytest
from django.core.management import CommandError, call_command

from members.imports.services import network_import
from members.models import Member, Relationship, Round
from networkmaps.exports.round_report import round_comparison
from tests.factories import MemberFactory, ProgramFactory, RelationshipTypeFactory, RoundFactory

pytestmark = pytest.mark.django_db

TWO_WAVES = (
    "from,to,type,direction,round,round_date\n"
    "a,b,knows,undirected,Wave 1,2022-03-01\n"
    "b,c,knows,undirected,Wave 1,2022-03-01\n"
    "a,b,knows,undirected,Wave 2,2023-03-01\n"
    "c,d,knows,undirected,Wave 2,2023-03-01\n"
)


def _file(text: str, name: str) -> io.BytesIO:
    data = io.BytesIO(text.encode())
    data.name = name
    return data


def test_two_waves_in_one_file_are_dated_and_the_later_one_is_current():
    program = ProgramFactory()
    members = _file("id,name\na,Ann\nb,Bo\nc,Cy\nd,Di\n", "members.csv")
    report = network_import(
        program=program, members_file=members, ties_file=_file(TWO_WAVES, "t.csv")
    )
    assert report.written, [str(p) for p in report.problems]
    waves = {r.name: r for r in Round.objects.filter(program=program)}
    assert str(waves["Wave 1"].observed_on) == "2022-03-01"
    assert waves["Wave 2"].is_current and not waves["Wave 1"].is_current
    assert "Current round: “Wave 2” (2023-03-01), the one with the latest date." in report.notes
    assert waves["Wave 2"].previous() == waves["Wave 1"]
    # The comparison is there at once: a-b kept, c-d new, b-c lost.
    comparison = round_comparison(program=program, before=waves["Wave 1"], after=waves["Wave 2"])
    assert (comparison.ties_new, comparison.ties_lost) == (1, 1)


def test_a_new_round_without_a_date_is_refused_naming_file_row_and_column(tmp_path):
    program = ProgramFactory(slug="dates")
    path = tmp_path / "ties.txt"
    path.write_text("a b\nb c\n")
    with pytest.raises(CommandError, match="1 problem; nothing was imported"):
        call_command("import_network", "--program", "dates", "--ties", str(path), "--round", "Y1")
    assert not Member.objects.filter(program=program).exists()
    out = io.StringIO()
    call_command(
        "import_network", "--program", "dates", "--ties", str(path), "--round", "Y1",
        "--round-date", "2021-06-30", stdout=out,
    )  # fmt: skip
    assert Round.objects.get(program=program).observed_on.isoformat() == "2021-06-30"
    assert "Current round: “Y1” (2021-06-30)" in out.getvalue()


def test_the_refusal_names_the_round_column():
    program = ProgramFactory()
    report = network_import(
        program=program, members_file=_file("a,b,Spring\n", "e.csv"), round_name=""
    )
    [problem] = report.problems
    assert (problem.file, problem.row, problem.column) == ("e.csv", 1, "round")
    assert "round “Spring” is new and has no date" in problem.message


def test_staff_choice_of_current_round_is_kept():
    program = ProgramFactory(current_round_chosen=True)
    chosen = RoundFactory(program=program, name="Chosen", is_current=True)
    members = _file("id,name\na,Ann\nb,Bo\nc,Cy\nd,Di\n", "members.csv")
    report = network_import(
        program=program, members_file=members, ties_file=_file(TWO_WAVES, "t.csv")
    )
    assert report.written
    chosen.refresh_from_db()
    assert chosen.is_current
    assert "Current round: “Chosen”" in report.notes[-1] and "as staff chose" in report.notes[-1]


@pytest.mark.parametrize("separator", [" ", "\t", ",", ";"])
def test_plain_edge_list_with_comments_weights_and_dates(separator):
    program = ProgramFactory()
    text = "# exported by a script\n" + "\n".join(
        separator.join(row)
        for row in [["x", "y", "2.5", "2020-01-01"], ["y", "z", "0.5", "2020-01-01"]]
    )
    report = network_import(program=program, members_file=None, ties_file=_file(text, "e.txt"))
    assert report.written, [str(p) for p in report.problems]
    assert sorted(Member.objects.filter(program=program).values_list("name", "external_id")) == [
        ("x", "x"), ("y", "y"), ("z", "z"),
    ]  # fmt: skip
    ties = sorted(Relationship.objects.filter(program=program).values_list("weight", "strength"))
    assert ties == [(0.5, 1), (2.5, 5)]
    # A members file imported later fills them in, matched by external id.
    later = network_import(program=program, members_file=_file("id,name\nx,Xavier\n", "m.csv"))
    assert later.written
    assert Member.objects.get(program=program, external_id="x").name == "Xavier"
    assert Member.objects.filter(program=program).count() == 3


def test_a_typo_in_a_relationship_type_is_flagged():
    program = ProgramFactory()
    RelationshipTypeFactory(program=program, name="collaborates with")
    RoundFactory(program=program, name="Now", is_current=True)
    MemberFactory(program=program, name="Ann")
    MemberFactory(program=program, name="Bo")
    ties = _file("from,to,type\nAnn,Bo,colaborates with\n", "t.csv")
    report = network_import(program=program, members_file=None, ties_file=ties, dry_run=True)
    assert "“colaborates with” — did you mean “collaborates with”?" in " ".join(report.notes)


def test_an_import_says_everyone_it_names_answered_its_round():
    from members.responses import ANSWERED, response_statuses

    program = ProgramFactory()
    members = _file("id,name\na,Ann\nb,Bo\nc,Cy\nd,Di\n", "members.csv")
    network_import(program=program, members_file=members, ties_file=_file(TWO_WAVES, "t.csv"))
    wave_1 = Round.objects.get(program=program, name="Wave 1")
    statuses = response_statuses(round_=wave_1)
    named = set(
        Member.objects.filter(program=program, external_id__in="abc").values_list("pk", flat=True)
    )
    assert {m for m, s in statuses.items() if s == ANSWERED} == named
