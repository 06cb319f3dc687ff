"""Reading spreadsheets into rows (members/imports/read/): no database."""

import io
import zipfile

import openpyxl
import pytest
from openpyxl.xml import functions as openpyxl_xml

from members.imports.read import (
    GEPHI,
    KUMU,
    NETLEAD,
    Directory,
    Limits,
    Problem,
    Upload,
    read_network,
)


def upload(name: str, content: bytes | str) -> Upload:
    data = content.encode() if isinstance(content, str) else content
    return Upload(name, io.BytesIO(data))


def workbook(**sheets: list[list]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_part(xlsx: bytes, part: str, content: bytes) -> bytes:
    """The workbook with one of its XML parts replaced."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == part else source.read(info))
    return buffer.getvalue()


KUMU_BOOK = workbook(
    Elements=[
        ["Label", "Type", "Description", "Tags", "Email", "Organization"],
        ["Jo Smith", "Person", "Founder", "health|education", "jo@example.org", "Acme"],
        ["Ann Lee", "Person", "", "", "ann@example.org", "Beta"],
        ["Bo Chen", "Person", "", "housing", "", ""],
    ],
    Connections=[
        ["From", "To", "Type", "Strength", "Direction"],
        ["Jo Smith", "Ann Lee|Bo Chen", "collaborates with", 4, "mutual"],
        ["Ann Lee", "Bo Chen", "seeks advice from", 2.0, "directed"],
    ],
)


def test_problem_reads_like_a_spreadsheet_user_would_say_it():
    problem = Problem("Connections", "no member “J. Smith” — did you mean “Jo Smith”?", 57, "To")
    assert (
        str(problem)
        == "Connections row 57, column To: no member “J. Smith” — did you mean “Jo Smith”?"
    )
    assert str(Problem("ties.csv", "is empty.")) == "ties.csv: is empty."


def test_semicolon_csv_with_bom_is_read():
    members = (
        "\ufeffName;Email;Organisation;Cohort;Tags\n"
        "Jo Smith;jo@example.org;Acme;Fellows 2019;health, housing\n"
    )
    parsed = read_network(members=upload("members.csv", members.encode("utf-8")))
    assert parsed.problems == []
    assert parsed.convention == NETLEAD
    (row,) = parsed.members.rows
    assert (row.row, row.name, row.email, row.organisation) == (
        2,
        "Jo Smith",
        "jo@example.org",
        "Acme",
    )
    assert row.cohorts == ("Fellows 2019",)
    assert row.tags == ("health", "housing")


def test_rows_are_counted_as_a_spreadsheet_shows_them():
    members = 'name,title\n\nJo Smith,"Director,\nprograms"\nAnn Lee,Chair\n'
    parsed = read_network(members=upload("members.csv", members))
    assert [(r.row, r.name) for r in parsed.members.rows] == [(3, "Jo Smith"), (4, "Ann Lee")]
    assert parsed.members.rows[0].title == "Director,\nprograms"


def test_kumu_workbook_gives_members_and_one_tie_per_name_in_to():
    parsed = read_network(members=upload("map.xlsx", KUMU_BOOK))
    assert parsed.problems == []
    assert parsed.convention == KUMU
    assert [m.name for m in parsed.members.rows] == ["Jo Smith", "Ann Lee", "Bo Chen"]
    assert parsed.members.rows[0].tags == ("health", "education")
    assert parsed.members.rows[0].organisation == "Acme"
    ties = [(t.row, t.source, t.target, t.type, t.weight, t.directed) for t in parsed.ties.rows]
    assert ties == [
        (2, "Jo Smith", "Ann Lee", "collaborates with", 4, False),
        (2, "Jo Smith", "Bo Chen", "collaborates with", 4, False),
        (3, "Ann Lee", "Bo Chen", "seeks advice from", 2, True),
    ]
    assert any("Type, Description" in note for note in parsed.notes)


def test_kumu_as_two_csv_files():
    parsed = read_network(
        members=upload("elements.csv", "Label,Email\nJo Smith,jo@example.org\nAnn Lee,\n"),
        ties=upload("connections.csv", "From,To,Type\nJo Smith,Ann Lee,knows\n"),
    )
    assert parsed.problems == []
    assert parsed.convention == KUMU
    assert parsed.ties.rows[0][1:4] == ("Jo Smith", "Ann Lee", "knows")


def test_gephi_type_column_says_the_direction_and_label_names_the_relationship():
    parsed = read_network(
        members=upload("nodes.csv", "Id;Label;sector\n1;Jo Smith;health\n2;Ann Lee;housing\n"),
        ties=upload(
            "edges.csv",
            "Source;Target;Type;Weight;Label\n"
            "1;2;Directed;3.0;seeks advice from\n2;1;Undirected;1;\n",
        ),
    )
    assert parsed.problems == []
    assert parsed.convention == GEPHI
    assert [(m.external_id, m.name, m.sector) for m in parsed.members.rows] == [
        ("1", "Jo Smith", "health"),
        ("2", "Ann Lee", "housing"),
    ]
    assert [(t.source, t.target, t.type, t.weight, t.directed) for t in parsed.ties.rows] == [
        ("1", "2", "seeks advice from", 3, True),
        ("2", "1", "", 1, False),
    ]


def test_a_weight_that_is_not_a_number_names_row_and_column():
    parsed = read_network(
        members=upload("m.csv", "name\nJo\nAnn\n"),
        ties=upload("t.csv", "from,to,strength\nJo,Ann,3\nAnn,Jo,7\nJo,Ann,lots\n"),
    )
    assert [str(p) for p in parsed.problems] == [
        "t.csv row 4, column strength: should be a number, not “lots”.",
    ]


def test_formula_cells_are_refused_with_their_row_and_column():
    book = workbook(Elements=[["Label", "Email"], ["Jo Smith", '=CONCAT("jo","@example.org")']])
    parsed = read_network(members=upload("map.xlsx", book))
    (problem,) = parsed.problems
    assert (problem.file, problem.row, problem.column) == ("Elements", 2, "Email")
    assert "formula" in problem.message


def billion_laughs(root: str) -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10)
    )
    return f'<?xml version="1.0"?><!DOCTYPE {root} [{entities}]>'.encode()


@pytest.mark.parametrize(
    "part, content",
    [
        (
            "xl/worksheets/sheet1.xml",
            b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
            b"</sheetData></worksheet>",
        ),
        (
            "xl/workbook.xml",
            billion_laughs("workbook") + b"<workbook>&lol9;</workbook>",
        ),
    ],
    ids=["xxe", "billion-laughs"],
)
def test_xml_entity_attacks_are_refused(part, content):
    book = with_part(KUMU_BOOK, part, content)
    parsed = read_network(members=upload("map.xlsx", book))
    assert parsed.members is None
    (problem,) = parsed.problems
    assert problem.file == "map.xlsx" and "entity" in problem.message


def test_defusedxml_refuses_entities_hidden_past_the_first_check():
    # 70 kB of comments push the DTD past what _unsafe_workbook looks at; defusedxml,
    # which openpyxl parses with, still refuses the entity.
    padding = b"<!--" + b"x" * 70_000 + b"-->"
    content = (
        b'<?xml version="1.0"?>' + padding + b'<!DOCTYPE s [<!ENTITY e "boom">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    book = with_part(KUMU_BOOK, "xl/worksheets/sheet1.xml", content)
    assert openpyxl_xml.iterparse.__module__.startswith("defusedxml")
    parsed = read_network(members=upload("map.xlsx", book))
    assert parsed.members is None
    assert "entity" in parsed.problems[0].message


def test_zip_bomb_is_refused_before_unpacking():
    book = with_part(KUMU_BOOK, "docProps/app.xml", b"<a>" + b" " * 3_000_000 + b"</a>")
    parsed = read_network(members=upload("map.xlsx", book), limits=Limits(unpacked_bytes=2 * 2**20))
    assert "zip bomb" in parsed.problems[0].message


def test_file_size_and_row_limits():
    big = "name\n" + "".join(f"Member {i}\n" for i in range(50))
    parsed = read_network(members=upload("m.csv", big), limits=Limits(file_bytes=100))
    assert "larger than" in parsed.problems[0].message
    parsed = read_network(members=upload("m.csv", big), limits=Limits(member_rows=10))
    assert str(parsed.problems[0]) == "m.csv: has 50 members; the limit is 10."


@pytest.mark.parametrize(
    "content, says",
    [
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "old-style .xls"),
        (b"PK\x03\x04 not really a zip", "could not be read as an Excel workbook"),
        (b"name\nJos\xe9\n", "is not UTF-8"),
        (b"   \n", "is empty"),
        (b"colour,size,shape,mood,tone\nred,2,x,y,z\n", "found no members sheet"),
        (b"from,to,type,strength,round\nJo,Ann,knows,3,B\n", "looks like a ties file"),
    ],
)
def test_unusable_files_get_a_clear_message(content, says):
    parsed = read_network(members=upload("members file", content))
    assert says in parsed.problems[0].message


def test_directory_matches_id_then_email_then_name_and_suggests():
    directory = Directory()
    directory.add(1, name="Jo Smith", email="Jo@Example.org", external_id="F-1")
    directory.add(2, name="Ann Lee")
    directory.add(3, name="Ann Lee", email="ann2@example.org")
    assert directory.find("F-1") == (1, "")
    assert directory.find("jo@example.ORG") == (1, "")
    assert directory.find("Jo Smith") == (1, "")
    assert directory.find("J. Smith") == (None, "no member “J. Smith” — did you mean “Jo Smith”?")
    assert directory.find("Ann Lee")[1].startswith("2 members are named “Ann Lee”")
    assert directory.find("Zed") == (None, "no member “Zed”")


GEXF = """<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">
<graph defaultedgetype="directed" mode="static">
<attributes class="node" mode="static">
  <attribute id="email" title="email" type="string"/>
  <attribute id="betweenness" title="betweenness" type="double"/>
</attributes>
<attributes class="edge" mode="static">
  <attribute id="relationship_type" title="relationship type" type="string"/>
  <attribute id="round" title="round" type="string"/>
</attributes>
<nodes>
  <node id="F-1" label="Jo Smith"><attvalues><attvalue for="email" value="jo@example.org"/>
    <attvalue for="betweenness" value="0.5"/></attvalues></node>
  <node id="F-2" label="Ann Lee"/>
</nodes>
<edges>
  <edge id="0" source="F-1" target="F-2" type="mutual" weight="4.0"><attvalues>
    <attvalue for="relationship_type" value="knows"/><attvalue for="round" value="Baseline"/>
  </attvalues></edge>
  <edge id="1" source="F-2" target="F-1" label="seeks advice from" weight="2"/>
</edges>
</graph>
</gexf>
"""


def test_gexf_nodes_and_edges_are_read():
    parsed = read_network(members=upload("network.gexf", GEXF))
    assert parsed.problems == []
    assert parsed.convention == "GEXF"
    assert [(m.row, m.external_id, m.name, m.email) for m in parsed.members.rows] == [
        (1, "F-1", "Jo Smith", "jo@example.org"),
        (2, "F-2", "Ann Lee", ""),
    ]
    ties = [
        (t.row, t.source, t.target, t.type, t.weight, t.round, t.directed) for t in parsed.ties.rows
    ]
    assert ties == [
        (1, "F-1", "F-2", "knows", 4, "Baseline", False),
        (2, "F-2", "F-1", "seeks advice from", 2, "", True),
    ]
    assert parsed.notes == ["network.gexf: columns not imported: betweenness."]


def test_graphml_written_by_networkx_is_read():
    import networkx as nx

    graph = nx.MultiDiGraph()
    graph.add_node("F-1", label="Jo Smith", cohort="Fellows 2019|Fellows 2020")
    graph.add_node("F-2", label="Ann Lee")
    graph.add_edge("F-1", "F-2", relationship_type="knows", weight=3, round="R1", directed=False)
    data = "\n".join(nx.generate_graphml(graph)).encode()
    parsed = read_network(members=upload("network.graphml", data))
    assert parsed.problems == []
    assert parsed.convention == "GraphML"
    assert parsed.members.rows[0].cohorts == ("Fellows 2019", "Fellows 2020")
    (tie,) = parsed.ties.rows
    assert (tie.source, tie.target, tie.type, tie.weight, tie.round, tie.directed) == (
        "F-1", "F-2", "knows", 3, "R1", False,
    )  # fmt: skip


def test_graph_file_problems_name_the_node_or_edge():
    bad = GEXF.replace('weight="2"', 'weight="heavy"')
    parsed = read_network(members=upload("network.gexf", bad))
    assert [str(p) for p in parsed.problems] == [
        "network.gexf edge 2, column weight: should be a number, not “heavy”."
    ]


@pytest.mark.parametrize(
    "name, content",
    [
        ("laughs.gexf", billion_laughs("gexf") + b"<gexf><graph>&lol9;</graph></gexf>"),
        (
            "xxe.graphml",
            b'<?xml version="1.0"?><!DOCTYPE g [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<graphml><graph edgedefault="undirected"><node id="&x;"/></graph></graphml>',
        ),
        (
            "external-dtd.gexf",
            b'<?xml version="1.0"?><!DOCTYPE gexf SYSTEM "http://example.org/evil.dtd">'
            b"<gexf><graph/></gexf>",
        ),
    ],
)
def test_network_xml_with_entities_or_a_dtd_is_refused(name, content):
    parsed = read_network(members=upload(name, content))
    assert parsed.members is None
    (problem,) = parsed.problems
    assert problem.file == name and "entity or document-type declarations" in problem.message


def test_xml_that_is_not_a_network_is_refused():
    parsed = read_network(members=upload("x.xml", "<html><body/></html>"))
    assert "not a GEXF (Gephi) or GraphML network" in parsed.problems[0].message
    parsed = read_network(members=upload("x.gexf", "<gexf><graph>"))
    assert "is not well-formed XML" in parsed.problems[0].message


def test_exported_formula_escapes_are_undone():
    parsed = read_network(members=upload("m.csv", "name,title\n'=Jo Smith,'-CEO\n"))
    assert (parsed.members.rows[0].name, parsed.members.rows[0].title) == ("=Jo Smith", "-CEO")
