"""Importing a network from spreadsheets: the service, the command and the staff page."""

import io
import threading
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from members.imports import services
from members.imports.services import network_import
from members.models import (
    Cohort,
    Member,
    Organisation,
    Program,
    Relationship,
    RelationshipType,
    Round,
)
from networkmaps.models import MetricRun
from tests.factories import (
    MemberFactory,
    ProgramFactory,
    ProgramRoleFactory,
    RelationshipFactory,
    RoundFactory,
    UserFactory,
)

MEMBERS_CSV = (
    "name,email,organisation,title,cohort,sector,region,tags\n"
    "Jo Smith,jo@example.org,Acme,Director,Fellows 2019,health,North,equity|housing\n"
    "Ann Lee,ann@example.org,Beta Trust,Chair,Fellows 2019,education,South,\n"
    "Bo Chen,bo@example.org,Acme,,Fellows 2020,health,North,\n"
)
TIES_CSV = (
    "from,to,type,strength,round\n"
    "jo@example.org,ann@example.org,knows,4,\n"
    "Ann Lee,Bo Chen,collaborates with,3,\n"
    "bo@example.org,jo@example.org,knows,2,\n"
)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def counts(program: Program) -> dict[str, int]:
    return {
        "members": Member.objects.filter(program=program).count(),
        "organisations": Organisation.objects.filter(program=program).count(),
        "cohorts": Cohort.objects.filter(program=program).count(),
        "types": RelationshipType.objects.filter(program=program).count(),
        "rounds": Round.objects.filter(program=program).count(),
        "ties": Relationship.objects.filter(program=program).count(),
        "memberships": Member.cohorts.through.objects.filter(member__program=program).count(),
    }


def xlsx(**sheets: list[list]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _quick_passwords(settings):
    # The factories set a password for every user; the real hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def program(db):
    return ProgramFactory(name="Lakeside Fellows", slug="lakeside")


@pytest.fixture
def files(tmp_path):
    return write(tmp_path, "members.csv", MEMBERS_CSV), write(tmp_path, "ties.csv", TIES_CSV)


# --- the service -------------------------------------------------------------------------


def test_import_creates_members_groups_and_ties(program, files):
    members, ties = files
    report = network_import(
        program=program,
        members_file=members,
        ties_file=ties,
        round_name="Baseline",
        round_date="2024-01-15",
    )
    assert report.ok and report.written, report.problems
    assert counts(program) == {
        "members": 3, "organisations": 2, "cohorts": 2, "types": 2, "rounds": 1, "ties": 3,
        "memberships": 3,
    }  # fmt: skip
    jo = Member.objects.get(program=program, email="jo@example.org")
    assert (jo.organisation.name, jo.title, jo.sector, jo.region) == (
        "Acme",
        "Director",
        "health",
        "North",
    )
    assert jo.issue_areas == ["equity", "housing"]
    assert Cohort.objects.get(program=program, name="Fellows 2019").year == 2019
    baseline = Round.objects.get(program=program)
    assert baseline.name == "Baseline" and baseline.is_current  # the program's first round
    assert not RelationshipType.objects.get(program=program, name="knows").directed
    tie = Relationship.objects.get(source=jo, type__name="knows")
    assert (tie.target.name, tie.strength, tie.origin) == ("Ann Lee", 4, "import")


def test_new_members_get_the_defaults_fresh_ids_and_their_tags_and_attributes(program, tmp_path):
    # Members go in by COPY / executemany with ids taken ahead: check what a Member would get.
    gone = MemberFactory(program=program)
    gone_pk = gone.pk
    gone.delete()
    before = timezone.now()
    content = "id,name,email,tags,office,floor\nA1,Ann,ann@example.org,x|y,Leeds,3\nA2,Bo,,,,\n"
    report = network_import(program=program, members_file=write(tmp_path, "m.csv", content))
    assert report.written and report.tallies["members"].created == 2
    ann, bo = Member.objects.filter(program=program).order_by("pk")
    assert gone_pk < ann.pk < bo.pk  # an erased member's id is never given again
    assert (ann.name, ann.external_id, ann.email) == ("Ann", "A1", "ann@example.org")
    assert ann.issue_areas == ["x", "y"] and ann.attributes == {"office": "Leeds", "floor": 3}
    assert (bo.email, bo.organisation, bo.issue_areas, bo.attributes) == ("", None, [], {})
    assert ann.visibility == Member.Visibility.STAFF and ann.accepts_introductions
    assert ann.user is None and ann.consent_recorded_at is None
    assert before <= ann.created_at == ann.updated_at <= timezone.now()
    later = Member.objects.create(program=program, name="Cy")  # the id sequence moved on
    assert later.pk > bo.pk


def test_reimporting_the_same_files_changes_nothing(program, files):
    members, ties = files
    network_import(
        program=program,
        members_file=members,
        ties_file=ties,
        round_name="Baseline",
        round_date="2024-01-15",
    )
    before = counts(program)
    report = network_import(program=program, members_file=members, ties_file=ties)
    assert report.ok and not report.changes
    assert counts(program) == before
    assert report.tallies["members"].unchanged == 3
    assert report.tallies["ties"].unchanged == 3


def test_reimport_updates_strength_and_members_without_duplicating(program, files, tmp_path):
    members, ties = files
    network_import(
        program=program,
        members_file=members,
        ties_file=ties,
        round_name="Baseline",
        round_date="2024-01-15",
    )
    # Bo → Jo was "knows" with strength 2; an undirected tie written the other way round
    # is the same tie.
    changed_ties = write(tmp_path, "t2.csv", "from,to,type,strength\nJo Smith,Bo Chen,knows,5\n")
    changed_members = write(tmp_path, "m2.csv", "email,title\nBO@example.org,Treasurer\n")
    report = network_import(program=program, members_file=changed_members, ties_file=changed_ties)
    assert report.ok, report.problems
    assert report.tallies["ties"].updated == 1 and report.tallies["ties"].created == 0
    assert report.tallies["members"].updated == 1
    assert Relationship.objects.filter(program=program).count() == 3
    bo = Member.objects.get(program=program, email="bo@example.org")
    assert bo.title == "Treasurer" and bo.sector == "health"  # blank cells leave data alone
    assert Relationship.objects.get(source=bo, type__name="knows").strength == 5


def test_members_match_by_external_id_then_email_then_name(program, tmp_path):
    by_id = MemberFactory(program=program, name="Old Name", external_id="F-1", email="")
    by_email = MemberFactory(program=program, name="Ann Lee", email="Ann@Example.org")
    by_name = MemberFactory(program=program, name="Bo Chen", email="")
    members = write(
        tmp_path,
        "m.csv",
        "id,name,email\nF-1,Jo Smith,jo@example.org\n,Ann L.,ann@example.org\n,Bo Chen,\n",
    )
    report = network_import(program=program, members_file=members)
    assert report.ok, report.problems
    assert report.tallies["members"].created == 0
    by_id.refresh_from_db()
    by_email.refresh_from_db()
    assert (by_id.name, by_id.email) == ("Jo Smith", "jo@example.org")
    assert by_email.name == "Ann L."
    assert Member.objects.filter(program=program).count() == 3
    assert by_name.pk in Member.objects.filter(name="Bo Chen").values_list("pk", flat=True)


def test_one_bad_row_among_10000_imports_nothing_and_names_row_and_column(program, tmp_path):
    members = "id,name\n" + "".join(f"F-{i},Member {i}\n" for i in range(400))
    lines = [f"F-{i % 400},F-{(i * 7 + 1) % 400},knows,{i % 5 + 1}" for i in range(10_000)]
    lines[5_000] = "F-3,J. Smith,knows,3"  # spreadsheet row 5,002 (the header is row 1)
    lines = [line for line in lines if line.split(",")[0] != line.split(",")[1]]
    bad_row = lines.index("F-3,J. Smith,knows,3") + 2
    report = network_import(
        program=program,
        members_file=write(tmp_path, "members.csv", members),
        ties_file=write(tmp_path, "ties.csv", "from,to,type,strength\n" + "\n".join(lines)),
        round_name="Baseline",
        round_date="2024-01-15",
    )
    assert [str(p) for p in report.problems] == [
        f"ties.csv row {bad_row}, column to: no member “J. Smith”"
    ]
    assert not report.written
    assert counts(program) == dict.fromkeys(counts(program), 0)


def test_every_problem_is_reported_with_row_and_column(program, tmp_path):
    MemberFactory(program=program, name="Jo Smith", email="jo@example.org")
    members = write(
        tmp_path,
        "members.csv",
        "name,email\nAnn Lee,ann@example\nBo Chen,bo@example.org\nBo Chen,bo@example.org\n",
    )
    ties = write(
        tmp_path,
        "ties.csv",
        "from,to,strength\nJ. Smith,Bo Chen,3\nJo Smith,jo@example.org,3\nJo Smith,Bo Chen,9\n",
    )
    report = network_import(
        program=program,
        members_file=members,
        ties_file=ties,
        round_name="R1",
        round_date="2024-01-15",
    )
    assert [str(p) for p in report.problems] == [
        "members.csv row 2, column email: “ann@example” is not an email address.",
        "members.csv row 4, column email: is also on row 3; each member needs their own.",
        "ties.csv row 2, column from: no member “J. Smith” — did you mean “Jo Smith”?",
        "ties.csv row 3, column to: is Jo Smith again; a member cannot have a tie to themselves.",
    ]
    assert Member.objects.filter(program=program).count() == 1


def test_ties_without_a_round_need_a_current_round(program, files):
    members, ties = files
    report = network_import(program=program, members_file=members, ties_file=ties)
    assert "no current round" in str(report.problems[0])
    RoundFactory(program=program, name="Year one", is_current=True)
    report = network_import(program=program, members_file=members, ties_file=ties)
    assert report.written
    assert set(Relationship.objects.values_list("round__name", flat=True)) == {"Year one"}


def test_dry_run_reports_the_same_changes_and_writes_nothing(program, files):
    members, ties = files
    dry = network_import(
        program=program,
        members_file=members,
        ties_file=ties,
        round_name="B",
        round_date="2024-01-15",
        dry_run=True,
    )
    assert dry.ok and not dry.written
    assert counts(program) == dict.fromkeys(counts(program), 0)
    real = network_import(
        program=program,
        members_file=members,
        ties_file=ties,
        round_name="B",
        round_date="2024-01-15",
    )
    assert real.fingerprint() == dry.fingerprint()
    assert dry.tallies["ties"].examples[0] == ("Jo Smith — Ann Lee (knows, B): strength 4 (row 2)")


def test_a_preview_is_not_imported_when_the_program_changed_since(program, files):
    members, ties = files
    preview = network_import(
        program=program,
        members_file=members,
        ties_file=ties,
        round_name="B",
        round_date="2024-01-15",
        dry_run=True,
    )
    MemberFactory(program=program, name="Jo Smith", email="jo@example.org")
    report = network_import(
        program=program,
        members_file=members,
        ties_file=ties,
        round_name="B",
        round_date="2024-01-15",
        expected_fingerprint=preview.fingerprint(),
    )
    assert report.changed_since_preview and not report.written
    assert Member.objects.filter(program=program).count() == 1


def test_kumu_workbook_with_directed_and_multiple_targets(program, tmp_path):
    book = xlsx(
        Elements=[
            ["Label", "Type", "Email", "Tags", "Organization"],
            ["Jo Smith", "Person", "jo@example.org", "health|housing", "Acme"],
            ["Ann Lee", "Person", "ann@example.org", "", "Beta"],
            ["Bo Chen", "Person", "", "", ""],
        ],
        Connections=[
            ["From", "To", "Type", "Strength", "Direction"],
            ["Jo Smith", "Ann Lee|Bo Chen", "collaborates with", 4, "mutual"],
            ["Ann Lee", "Bo Chen", "seeks advice from", 2, "directed"],
        ],
    )
    report = network_import(
        program=program,
        members_file=write(tmp_path, "map.xlsx", book),
        round_name="Kumu",
        round_date="2024-01-15",
    )
    assert report.ok, report.problems
    assert report.convention == "Kumu"
    assert counts(program)["ties"] == 3
    assert RelationshipType.objects.get(program=program, name="seeks advice from").directed
    assert not RelationshipType.objects.get(program=program, name="collaborates with").directed


def test_gephi_nodes_and_edges(program, tmp_path):
    nodes = write(tmp_path, "nodes.csv", "Id,Label,region\nn1,Jo Smith,North\nn2,Ann Lee,South\n")
    edges = write(
        tmp_path,
        "edges.csv",
        "Source,Target,Type,Weight,Label\n"
        "n1,n2,Directed,3.0,seeks advice from\nn2,n1,Undirected,5,\n",
    )
    report = network_import(
        program=program,
        members_file=nodes,
        ties_file=edges,
        round_name="G",
        round_date="2024-01-15",
    )
    assert report.ok, report.problems
    assert report.convention == "Gephi"
    assert set(Member.objects.values_list("external_id", "name", "region")) == {
        ("n1", "Jo Smith", "North"),
        ("n2", "Ann Lee", "South"),
    }
    advice = Relationship.objects.get(type__name="seeks advice from")
    assert (advice.source.name, advice.strength, advice.type.directed) == ("Jo Smith", 3, True)
    assert Relationship.objects.get(type__name="knows").strength == 5


def test_semicolon_csv_with_bom(program, tmp_path):
    members = write(
        tmp_path, "m.csv", "\ufeffname;email;cohort\nJosé Núñez;jose@example.org;Fellows 2021\n"
    )
    report = network_import(program=program, members_file=members)
    assert report.ok, report.problems
    assert Member.objects.get(program=program).name == "José Núñez"


def test_formula_cells_are_refused_and_nothing_changes(program, tmp_path):
    book = xlsx(members=[["name", "email"], ["Jo Smith", '=LOWER("JO@EXAMPLE.ORG")']])
    report = network_import(program=program, members_file=write(tmp_path, "m.xlsx", book))
    assert "members row 2, column email: holds a formula" in str(report.problems[0])
    assert Member.objects.filter(program=program).count() == 0


@pytest.mark.parametrize(
    "sheet",
    [
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>&x;</t></is></c></row></sheetData>'
        b"</worksheet>",
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>&c;</t></is></c></row></sheetData>'
        b"</worksheet>",
    ],
    ids=["xxe", "billion-laughs"],
)
def test_xml_entity_attacks_are_refused_with_no_data_change(program, tmp_path, sheet):
    MemberFactory(program=program, name="Jo Smith")
    source = zipfile.ZipFile(io.BytesIO(xlsx(members=[["name"], ["Ann Lee"]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            body = sheet if info.filename == "xl/worksheets/sheet1.xml" else source.read(info)
            target.writestr(info.filename, body)
    before = counts(program)
    report = network_import(
        program=program, members_file=write(tmp_path, "evil.xlsx", buffer.getvalue())
    )
    assert "evil.xlsx: contains XML entity" in str(report.problems[0])
    assert counts(program) == before


def test_a_successful_import_queues_metric_runs_after_commit(
    program, files, django_capture_on_commit_callbacks, monkeypatch
):
    from networkmaps.runs import tasks

    members, ties = files
    monkeypatch.setattr(tasks.metric_run_execute, "delay", lambda run_id: None)
    with django_capture_on_commit_callbacks(execute=True):
        network_import(
            program=program,
            members_file=members,
            ties_file=ties,
            round_name="B",
            round_date="2024-01-15",
        )
    assert MetricRun.objects.filter(program=program).count() == 1


def test_the_command_prints_the_report_and_fails_listing_every_problem(program, files, tmp_path):
    members, ties = files
    out = io.StringIO()
    call_command(
        "import_network", "--program", "lakeside", "--members", str(members), "--ties", str(ties),
        "--round", "Baseline", "--round-date", "2024-01-15", "--dry-run", stdout=out,
    )  # fmt: skip
    assert "ties: 3 new, 0 updated, 0 unchanged" in out.getvalue()
    assert "Dry run" in out.getvalue()
    assert Member.objects.count() == 0

    bad = write(tmp_path, "bad.csv", "from,to\nJo Smith,Nobody\nNobody,Ann Lee\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 problems; nothing was imported"):
        call_command(
            "import_network", "--program", "lakeside", "--members", str(members), "--ties",
            str(bad), "--round", "Baseline", "--round-date", "2024-01-15", stderr=err,
        )  # fmt: skip
    assert "bad.csv row 2, column to: no member “Nobody”" in err.getvalue()
    assert "bad.csv row 3, column from: no member “Nobody”" in err.getvalue()
    assert Member.objects.count() == 0


# --- the staff page ----------------------------------------------------------------------


@pytest.fixture
def staff(client, program):
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program)
    client.force_login(user)
    return client


@pytest.fixture
def staging(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media" / "imports"


def uploads():
    return {
        "members_file": SimpleUploadedFile("members.csv", MEMBERS_CSV.encode()),
        "ties_file": SimpleUploadedFile("ties.csv", TIES_CSV.encode()),
        "round_name": "Baseline",
        "round_date": "2024-01-15",
    }


def test_preview_shows_what_would_change_and_writes_nothing(staff, program, staging):
    url = reverse("members:import", args=[program.slug])
    assert staff.get(url).status_code == 200
    response = staff.post(url, uploads())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Preview: nothing has been changed yet" in page
    assert "Jo Smith — Ann Lee (knows, Baseline): strength 4 (row 2)" in page
    assert counts(program) == dict.fromkeys(counts(program), 0)
    assert len(list(staging.iterdir())) == 1  # the files wait for the confirmation


def test_confirming_the_preview_imports_and_cleans_up(staff, program, staging):
    url = reverse("members:import", args=[program.slug])
    preview = staff.post(url, uploads())
    token = preview.context["token"]
    response = staff.post(url, {"token": token, "action": "confirm"}, follow=True)
    assert response.redirect_chain == [
        (reverse("members:program-detail", args=[program.slug]), 302)
    ]
    assert "Imported: organisations 2 new; cohorts 2 new;" in response.content.decode()
    assert counts(program)["ties"] == 3 and counts(program)["members"] == 3
    assert list(staging.iterdir()) == []
    # The same token cannot import twice.
    again = staff.post(url, {"token": token, "action": "confirm"}, follow=True)
    assert b"expired" in again.content
    assert counts(program)["ties"] == 3


def test_cancel_deletes_the_uploaded_files(staff, program, staging):
    url = reverse("members:import", args=[program.slug])
    token = staff.post(url, uploads()).context["token"]
    staff.post(url, {"token": token, "action": "cancel"})
    assert list(staging.iterdir()) == []
    assert counts(program)["members"] == 0


def test_problems_are_listed_on_the_page(staff, program, staging):
    url = reverse("members:import", args=[program.slug])
    data = uploads() | {"ties_file": SimpleUploadedFile("ties.csv", b"from,to\nJ. Smith,Ann Lee\n")}
    response = staff.post(url, data)
    page = response.content.decode()
    assert "Nothing was imported: 1 problem" in page
    assert "ties.csv row 2, column from: no member “J. Smith” — did you mean “Jo Smith”?" in page
    assert response.context["token"] is None
    assert list(staging.iterdir()) == []


@pytest.mark.parametrize(
    "name, content",
    [
        ("members.xlsx", b"PK\x03\x04this is not a workbook"),
        ("members.csv", b"\x00\x01\x02\xff\xfe garbage \x00"),
        ("members.csv", b""),
    ],
)
def test_a_malformed_upload_shows_an_error_not_a_500(staff, program, staging, name, content):
    url = reverse("members:import", args=[program.slug])
    response = staff.post(url, {"members_file": SimpleUploadedFile(name, content)})
    assert response.status_code in (200, 400)
    assert b"error" in response.content
    assert counts(program)["members"] == 0


def test_a_forged_token_is_refused(staff, program, staging):
    url = reverse("members:import", args=[program.slug])
    response = staff.post(url, {"token": "forged:token", "action": "confirm"}, follow=True)
    assert b"expired or is not yours" in response.content


def test_an_upload_over_the_limit_is_refused_with_a_clear_message(staff, program, settings):
    settings.IMPORT_MAX_FILE_MB = 1
    url = reverse("members:import", args=[program.slug])
    big = SimpleUploadedFile("members.csv", b"name\n" + b"Jo Smith\n" * 400_000)
    response = staff.post(url, {"members_file": big})
    assert response.status_code == 413
    assert b"each file may be at most 1 MB" in response.content


def test_people_who_are_not_staff_get_404(client, program):
    url = reverse("members:import", args=[program.slug])
    member = UserFactory()
    ProgramRoleFactory(user=member, program=program, role="member")
    client.force_login(member)
    assert client.get(url).status_code == 404
    assert client.post(url, uploads()).status_code == 404
    stranger = UserFactory()
    ProgramRoleFactory(user=stranger)  # staff of another program
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert counts(program)["members"] == 0


# --- two imports at once -----------------------------------------------------------------


def test_two_imports_into_one_program_run_one_after_the_other(transactional_db, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time anyway; the row lock is for PostgreSQL")
    program = ProgramFactory()
    RoundFactory(program=program, is_current=True)
    members, ties = write(tmp_path, "m.csv", MEMBERS_CSV), write(tmp_path, "t.csv", TIES_CSV)
    planning = services.members_plan
    windows = []

    def slow_members(*, plan, sheet):
        # Hold the lock a while: without it the two imports would overlap here and both
        # would create the same members.
        started = time.monotonic()
        planning(plan=plan, sheet=sheet)
        time.sleep(0.5)
        windows.append((started, time.monotonic()))

    reports = []

    def run():
        try:
            reports.append(network_import(program=program, members_file=members, ties_file=ties))
        finally:
            connection.close()

    services.members_plan = slow_members
    try:
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        services.members_plan = planning
    assert all(report.written for report in reports) and len(reports) == 2
    (first_start, first_end), (second_start, _) = sorted(windows)
    assert second_start >= first_end
    assert sorted(r.tallies["members"].created for r in reports) == [0, 3]
    assert counts(program)["members"] == 3 and counts(program)["ties"] == 3


def test_existing_ties_of_other_origins_are_updated_not_duplicated(program, tmp_path):
    tie = RelationshipFactory(program=program, strength=2)
    members = write(tmp_path, "m.csv", f"name\n{tie.source.name}\n{tie.target.name}\n")
    ties = write(
        tmp_path, "t.csv", f"from,to,type,strength\n{tie.target.name},{tie.source.name},knows,4\n"
    )
    report = network_import(
        program=program, members_file=members, ties_file=ties, round_name=tie.round.name
    )
    assert report.ok and report.tallies["ties"].updated == 1
    tie.refresh_from_db()
    assert tie.strength == 4 and Relationship.objects.count() == 1


@pytest.mark.parametrize(
    "name, content",
    [
        (
            "laughs.gexf",
            b'<?xml version="1.0"?><!DOCTYPE gexf [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
            b'<gexf><graph><nodes><node id="1" label="&c;"/></nodes></graph></gexf>',
        ),
        (
            "xxe.graphml",
            b'<?xml version="1.0"?><!DOCTYPE g [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<graphml><graph edgedefault="undirected"><node id="&x;"/></graph></graphml>',
        ),
    ],
)
def test_billion_laughs_gexf_and_xxe_graphml_change_nothing(program, tmp_path, name, content):
    MemberFactory(program=program)
    before = counts(program)
    report = network_import(program=program, members_file=write(tmp_path, name, content))
    assert str(report.problems[0]).startswith(f"{name}: contains XML entity")
    assert counts(program) == before


def test_gexf_file_imports_members_and_ties(program, tmp_path):
    from tests.members.imports.test_read import GEXF

    gexf = write(tmp_path, "n.gexf", GEXF)
    report = network_import(program=program, members_file=gexf)
    assert "no current round" in str(report.problems[0])  # the second edge names no round
    report = network_import(
        program=program, members_file=gexf, round_name="Baseline", round_date="2024-01-15"
    )
    assert report.ok, report.problems
    assert report.convention == "GEXF"
    assert counts(program)["members"] == 2 and counts(program)["ties"] == 2
    advice = Relationship.objects.get(type__name="seeks advice from")
    assert advice.type.directed and advice.round.name == "Baseline"


def test_an_import_is_audited_and_a_dry_run_is_not(program, files):
    from members.models import AuditEvent

    members, ties = files
    network_import(
        program=program,
        members_file=members,
        ties_file=ties,
        round_name="B",
        round_date="2024-01-15",
        dry_run=True,
    )
    assert not AuditEvent.objects.filter(program=program).exists()
    network_import(
        program=program,
        members_file=members,
        ties_file=ties,
        round_name="B",
        round_date="2024-01-15",
    )
    event = AuditEvent.objects.get(program=program)
    assert event.action == "import" and event.target == "members.csv"
