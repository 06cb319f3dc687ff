"""Files for analysts and other tools: one program round as GEXF (Gephi), GraphML, Kumu
(JSON blueprint or workbook) and CSV member and tie lists, each also anonymised.

`export_data_load` reads the round into plain rows, with any anonymising already done, so
nothing a writer sees can leak a name. The writers take those rows and yield bytes chunk
by chunk: a 10,000-member program streams out without the whole file in memory (GraphML
goes through networkx, which holds its XML tree; the workbook is built in a temporary file).

Spreadsheet and CSV text cells that start with `= + - @`, a tab or a carriage return get a
leading `'`, so Excel and LibreOffice show them as text instead of running a formula.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import random
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from xml.sax.saxutils import escape

from django.db.models import IntegerField
from django.utils import timezone
from django.utils.text import slugify

from members.models import AuditEvent, Member, Program, Relationship, Round
from members.privacy.services import audit_record
from networkmaps.glossary import MEMBER_METRICS
from networkmaps.models import MetricRun, NodeMetric

try:
    from networkmaps.graph.poster import PALETTE
except ImportError:  # the poster module is optional; its palette starts with these
    PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")

logger = logging.getLogger("netlead.exports")

# Clusters beyond the palette are small ones; one quiet grey keeps the big ones readable.
OTHER_CLUSTER_COLOUR = "#BBBBBB"
CHUNK_ROWS = 1000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ANONYMOUS_LABEL = "Member {}"
ANONYMOUS_ID = "member-{}"


# --- rows ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportMember:
    id: str  # what ties refer to; stable across exports unless anonymised
    label: str
    email: str
    organisation: str
    title: str
    cohorts: tuple[str, ...]
    sector: str
    region: str
    tags: tuple[str, ...]
    metrics: dict[str, float | int | str | None]
    position: tuple[float, float] | None


@dataclass(frozen=True)
class ExportTie:
    source: str
    target: str
    type: str
    directed: bool
    strength: int
    round: str


@dataclass
class ExportData:
    program: str
    round: str
    anonymised: bool
    members: list[ExportMember]
    ties: list[ExportTie]
    metric_columns: list[str] = field(default_factory=list)
    integer_metrics: frozenset[str] = frozenset()
    exported_on: date = field(default_factory=date.today)

    @property
    def any_directed(self) -> bool:
        return any(tie.directed for tie in self.ties)

    def metric_type(self, column: str) -> str:
        """'integer', 'double' or 'string' (brokerage roles)."""
        if column in self.integer_metrics or column.endswith("_count"):
            return "integer"
        if column.startswith("brokerage_"):
            return "string"
        return "double"


def member_file_id(pk: int, external_id: str) -> str:
    """A member's id in exported files: their external id if they have one, else one made from
    the database id. Both stay the same from export to export, so Kumu (which matches on ID)
    updates the elements it has instead of adding copies, and our importer matches them too.
    """
    return external_id or f"netlead-{pk}"


def export_data_load(*, program: Program, round_: Round, anonymised: bool) -> ExportData:
    """Every member of the program and the round's ties, with the metrics and positions of
    the round's current metric run (none before a run has finished).

    Anonymised: no names, emails, external ids, organisations or titles; each member becomes
    "Member N" where N comes from a fresh shuffle, so ids differ from export to export and
    cannot be joined back to a named file. Rows are written in that shuffled order too.
    """
    members = list(
        Member.objects.filter(program=program)
        .order_by("pk")
        .values_list(
            "pk", "name", "email", "external_id", "title", "sector", "region", "issue_areas",
            "organisation__name",
        )
    )  # fmt: skip
    cohorts: dict[int, list[str]] = defaultdict(list)
    memberships = (
        Member.cohorts.through.objects.filter(member__program=program)
        .order_by("cohort__year", "cohort__name")
        .values_list("member_id", "cohort__name")
    )
    for member_id, cohort in memberships:
        cohorts[member_id].append(cohort)

    run = MetricRun.objects.current().filter(round=round_).first()
    metrics: dict[int, dict] = {}
    positions: dict[int, tuple[float, float]] = {}
    brokerage_columns: set[str] = set()
    if run is not None:
        fields = [m.key for m in MEMBER_METRICS]
        rows = NodeMetric.objects.filter(run=run).values_list(
            "member_id", "x", "y", "brokerage", *fields
        )
        for member_id, x, y, brokerage, *values in rows.iterator(chunk_size=5000):
            metrics[member_id] = dict(zip(fields, values, strict=True)) | (brokerage or {})
            brokerage_columns.update(brokerage or {})
            if x is not None and y is not None:
                positions[member_id] = (x, y)
    metric_columns = [m.key for m in MEMBER_METRICS] + sorted(brokerage_columns) if run else []

    if anonymised:
        numbers = list(range(1, len(members) + 1))
        random.SystemRandom().shuffle(numbers)
        number_of = {row[0]: n for row, n in zip(members, numbers, strict=True)}
        ids = {pk: ANONYMOUS_ID.format(n) for pk, n in number_of.items()}
        labels = {pk: ANONYMOUS_LABEL.format(n) for pk, n in number_of.items()}
        members.sort(key=lambda row: number_of[row[0]])
    else:
        ids, labels, used = {}, {}, set()
        for pk, name, _, external_id, *_ in members:
            file_id = member_file_id(pk, external_id)
            # Someone gave a member an external id that looks like one of ours: keep both apart.
            ids[pk] = file_id if file_id not in used else f"{file_id}~{pk}"
            used.add(ids[pk])
            labels[pk] = name

    rows = []
    for pk, _, email, _, title, sector, region, tags, organisation in members:
        rows.append(
            ExportMember(
                id=ids[pk],
                label=labels[pk],
                email="" if anonymised else email,
                organisation="" if anonymised else (organisation or ""),
                title="" if anonymised else title,
                cohorts=tuple(cohorts.get(pk, ())),
                sector=sector,
                region=region,
                tags=tuple(tags or ()),
                metrics=metrics.get(pk, {}),
                position=positions.get(pk),
            )
        )

    types = {
        pk: (name, directed)
        for pk, name, directed in program.relationship_types.values_list("pk", "name", "directed")
    }
    ties = []
    recorded = (
        Relationship.objects.filter(round=round_)
        .order_by("pk")
        .values_list("source_id", "target_id", "type_id", "strength")
    )
    for source, target, type_id, strength in recorded.iterator(chunk_size=10000):
        type_name, directed = types[type_id]
        ties.append(ExportTie(ids[source], ids[target], type_name, directed, strength, round_.name))
    if anonymised:
        # Tie order follows entry order, which could hint at who was entered first.
        ties.sort(key=lambda t: (t.type, _number_in(t.source), _number_in(t.target)))
    return ExportData(
        program=program.name,
        round=round_.name,
        anonymised=anonymised,
        members=rows,
        ties=ties,
        metric_columns=metric_columns,
        integer_metrics=frozenset(
            f.name for f in NodeMetric._meta.get_fields() if isinstance(f, IntegerField)
        ),
        exported_on=timezone.localdate(),
    )


def _number_in(anonymous_id: str) -> int:
    return int(anonymous_id.rsplit("-", 1)[1])


# --- cell values --------------------------------------------------------------------------


def spreadsheet_text(value: str) -> str:
    """Text that a spreadsheet shows as text: a would-be formula gets a leading `'`."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return spreadsheet_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    return value


def _joined(values: Iterable[str]) -> str:
    return "|".join(values)


def _member_columns(data: ExportData) -> list[tuple[str, Callable[[ExportMember], object]]]:
    """(header, value) of the member columns every table format shares, in our import's
    column names so the file imports straight back."""
    columns: list[tuple[str, Callable[[ExportMember], object]]] = [
        ("id", lambda m: m.id),
        ("name", lambda m: m.label),
    ]
    if not data.anonymised:
        columns += [
            ("email", lambda m: m.email),
            ("organisation", lambda m: m.organisation),
            ("title", lambda m: m.title),
        ]
    columns += [
        ("cohort", lambda m: _joined(m.cohorts)),
        ("sector", lambda m: m.sector),
        ("region", lambda m: m.region),
        ("tags", lambda m: _joined(m.tags)),
        ("x", lambda m: m.position[0] if m.position else None),
        ("y", lambda m: m.position[1] if m.position else None),
    ]
    columns += [(key, lambda m, key=key: m.metrics.get(key)) for key in data.metric_columns]
    return columns


def _direction(tie: ExportTie) -> str:
    return "directed" if tie.directed else "undirected"


# --- CSV ----------------------------------------------------------------------------------


def _csv_rows(header: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    # The byte-order mark makes Excel read the file as UTF-8 (names with accents survive).
    buffer.write("\ufeff")
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_cell(value) for value in row])
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def csv_members_write(data: ExportData) -> Iterator[bytes]:
    """One row per member: attributes, map position and every metric of the round."""
    columns = _member_columns(data)
    rows = ([value(m) for _, value in columns] for m in data.members)
    return _csv_rows([header for header, _ in columns], rows)


def csv_ties_write(data: ExportData) -> Iterator[bytes]:
    """One row per recorded tie; `from`/`to` are the member ids of the member list."""
    header = ["from", "to", "type", "direction", "strength", "round"]
    rows = ([t.source, t.target, t.type, _direction(t), t.strength, t.round] for t in data.ties)
    return _csv_rows(header, rows)


# --- GEXF ---------------------------------------------------------------------------------

GEXF_NAMESPACE = "http://www.gexf.net/1.2draft"
GEXF_VIZ_NAMESPACE = "http://www.gexf.net/1.2draft/viz"
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ATTRIBUTE_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def _xml_attr(value) -> str:
    return '"' + escape(_XML_ILLEGAL.sub("", str(value)), _ATTRIBUTE_ENTITIES) + '"'


def _xml_number(value) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return repr(value) if isinstance(value, float) else str(value)


def cluster_colour(community: int | None) -> str:
    if community is None or community >= len(PALETTE):
        return OTHER_CLUSTER_COLOUR
    return PALETTE[community]


def _node_size(betweenness: float | None, largest: float) -> float:
    """Gephi node size: 5 for no brokerage up to 50 for the top broker (area ~ betweenness)."""
    if not betweenness or largest <= 0:
        return 5.0
    return round(5.0 + 45.0 * math.sqrt(betweenness / largest), 3)


def _gexf_attributes(data: ExportData) -> list[tuple[str, str, str]]:
    """(id, title, type) of node attributes."""
    text = ["cohort", "sector", "region", "tags"]
    if not data.anonymised:
        text = ["email", "organisation", "title", *text]
    return [(name, name, "string") for name in text] + [
        (column, column, data.metric_type(column)) for column in data.metric_columns
    ]


def _gexf_node_values(member: ExportMember, data: ExportData) -> dict[str, object]:
    values = {
        "email": member.email,
        "organisation": member.organisation,
        "title": member.title,
        "cohort": _joined(member.cohorts),
        "sector": member.sector,
        "region": member.region,
        "tags": _joined(member.tags),
    }
    return values | member.metrics


def gexf_write(data: ExportData) -> Iterator[bytes]:
    """GEXF 1.2 for Gephi: attributes and metrics per member, map position, colour by
    cluster, size by betweenness; ties with their type (as label and attribute), strength
    as weight, and round.

    GEXF has one default direction per graph. With any directed relationship type the graph
    is directed and ties of undirected types are written as "mutual" (both ways).
    """
    directed = data.any_directed
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<gexf xmlns="{GEXF_NAMESPACE}" xmlns:viz="{GEXF_VIZ_NAMESPACE}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{GEXF_NAMESPACE} {GEXF_NAMESPACE}/gexf.xsd" version="1.2">\n'
        f'<meta lastmodifieddate="{data.exported_on.isoformat()}">'
        "<creator>netlead</creator>"
        f"<description>{escape(_XML_ILLEGAL.sub('', _title(data)))}</description></meta>\n"
        f'<graph defaultedgetype="{"directed" if directed else "undirected"}" mode="static">\n'
    ).encode()
    attributes = _gexf_attributes(data)
    lines = ['<attributes class="node" mode="static">']
    lines += [
        f"<attribute id={_xml_attr(i)} title={_xml_attr(t)} type={_xml_attr(k)}/>"
        for i, t, k in attributes
    ]
    lines += [
        '</attributes>\n<attributes class="edge" mode="static">',
        '<attribute id="relationship_type" title="relationship type" type="string"/>',
        '<attribute id="round" title="round" type="string"/>',
        '<attribute id="strength" title="strength" type="integer"/>',
        "</attributes>\n<nodes>\n",
    ]
    yield "\n".join(lines).encode()

    largest = max((m.metrics.get("betweenness") or 0.0 for m in data.members), default=0.0)
    names = [name for name, _, _ in attributes]
    for chunk in _batched(data.members, CHUNK_ROWS):
        out = []
        for member in chunk:
            values = _gexf_node_values(member, data)
            out.append(f"<node id={_xml_attr(member.id)} label={_xml_attr(member.label)}>")
            out.append("<attvalues>")
            for name in names:
                value = values.get(name)
                text = value if isinstance(value, str) else _xml_number(value)
                if text:
                    out.append(f"<attvalue for={_xml_attr(name)} value={_xml_attr(text)}/>")
            out.append("</attvalues>")
            if member.metrics:
                red, green, blue = _rgb(cluster_colour(member.metrics.get("community")))
                out.append(f'<viz:color r="{red}" g="{green}" b="{blue}"/>')
                size = _node_size(member.metrics.get("betweenness"), largest)
                out.append(f'<viz:size value="{size!r}"/>')
            if member.position:
                x, y = member.position
                # Gephi's y axis points up, the map's (and poster's) down: flip so they match.
                out.append(f'<viz:position x="{x!r}" y="{-y!r}" z="0.0"/>')
            out.append("</node>\n")
        yield "".join(out).encode()

    yield b"</nodes>\n<edges>\n"
    number = 0
    for chunk in _batched(data.ties, CHUNK_ROWS * 5):
        out = []
        for tie in chunk:
            kind = "directed" if tie.directed else ("mutual" if directed else "undirected")
            out.append(
                f'<edge id="{number}" source={_xml_attr(tie.source)} '
                f'target={_xml_attr(tie.target)} type="{kind}" label={_xml_attr(tie.type)} '
                f'weight="{float(tie.strength)!r}"><attvalues>'
                f'<attvalue for="relationship_type" value={_xml_attr(tie.type)}/>'
                f'<attvalue for="round" value={_xml_attr(tie.round)}/>'
                f'<attvalue for="strength" value="{tie.strength}"/>'
                "</attvalues></edge>\n"
            )
            number += 1
        yield "".join(out).encode()
    yield b"</edges>\n</graph>\n</gexf>\n"


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _batched(rows: list, size: int) -> Iterator[list]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _title(data: ExportData) -> str:
    anonymised = " (anonymised)" if data.anonymised else ""
    return f"{data.program} — {data.round}{anonymised}"


# --- GraphML ------------------------------------------------------------------------------


GRAPHML_NAMESPACE = "http://graphml.graphdrawing.org/xmlns"
_GRAPHML_TYPES = {"integer": "int", "double": "double", "string": "string", "boolean": "boolean"}


def graphml_write(data: ExportData) -> Iterator[bytes]:
    """GraphML (yEd, Cytoscape, igraph, networkx): the same attributes as the GEXF file, with
    x, y, cluster colour and size as plain node data, and `directed` on every tie.

    Written element by element (like the GEXF file) rather than through networkx, which
    holds the whole XML tree: ~380 MB for 10,000 members instead of ~40 MB.
    """
    node_keys = [("label", "string")] + [
        (name, kind) for name, _, kind in _gexf_attributes(data) if name not in data.metric_columns
    ]
    node_keys += [("color", "string"), ("size", "double"), ("x", "double"), ("y", "double")]
    node_keys += [(column, data.metric_type(column)) for column in data.metric_columns]
    edge_keys = [
        ("relationship_type", "string"), ("weight", "integer"), ("round", "string"),
        ("directed", "boolean"),
    ]  # fmt: skip
    ids = {("node", name): f"n{i}" for i, (name, _) in enumerate(node_keys)}
    ids |= {("edge", name): f"e{i}" for i, (name, _) in enumerate(edge_keys)}
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<graphml xmlns="{GRAPHML_NAMESPACE}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{GRAPHML_NAMESPACE} {GRAPHML_NAMESPACE}/1.0/graphml.xsd">',
        '<key id="g0" for="graph" attr.name="name" attr.type="string"/>',
    ]
    for kind, keys in (("node", node_keys), ("edge", edge_keys)):
        lines += [
            f'<key id={_xml_attr(ids[kind, name])} for="{kind}" attr.name={_xml_attr(name)} '
            f'attr.type="{_GRAPHML_TYPES[type_]}"/>'
            for name, type_ in keys
        ]
    default = "directed" if data.any_directed else "undirected"
    lines.append(f'<graph id="G" edgedefault="{default}">')
    lines.append(f'<data key="g0">{escape(_XML_ILLEGAL.sub("", _title(data)))}</data>\n')
    yield "\n".join(lines).encode()

    def data_element(kind: str, name: str, value) -> str:
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, str):
            text = escape(_XML_ILLEGAL.sub("", value))
        else:
            text = _xml_number(value)
        return f'<data key="{ids[kind, name]}">{text}</data>' if text else ""

    largest = max((m.metrics.get("betweenness") or 0.0 for m in data.members), default=0.0)
    for chunk in _batched(data.members, CHUNK_ROWS):
        out = []
        for member in chunk:
            values = {"label": member.label} | _gexf_node_values(member, data)
            if member.metrics:
                values["color"] = cluster_colour(member.metrics.get("community"))
                values["size"] = _node_size(member.metrics.get("betweenness"), largest)
            if member.position:
                values["x"], values["y"] = member.position
            out.append(f"<node id={_xml_attr(member.id)}>")
            out += [data_element("node", name, values.get(name)) for name, _ in node_keys]
            out.append("</node>\n")
        yield "".join(out).encode()
    for start in range(0, len(data.ties), CHUNK_ROWS * 5):
        out = []
        for number, tie in enumerate(data.ties[start : start + CHUNK_ROWS * 5], start=start):
            out.append(
                f'<edge id="e{number}" source={_xml_attr(tie.source)} '
                f"target={_xml_attr(tie.target)}>"
                + data_element("edge", "relationship_type", tie.type)
                + data_element("edge", "weight", tie.strength)
                + data_element("edge", "round", tie.round)
                + data_element("edge", "directed", tie.directed)
                + "</edge>\n"
            )
        yield "".join(out).encode()
    yield b"</graph>\n</graphml>\n"


# --- Kumu ---------------------------------------------------------------------------------


def _kumu_connection_id(tie: ExportTie) -> str:
    # No round in the id: the same tie seen again next round updates the Kumu connection.
    return f"{tie.source}~{tie.target}~{slugify(tie.type) or 'tie'}"


def kumu_json_write(data: ExportData) -> Iterator[bytes]:
    """A Kumu blueprint: `{"elements": [...], "connections": [...]}` with stable `id`s, which
    Kumu matches on, so importing a newer export into the same map updates it."""

    def element(member: ExportMember) -> dict:
        values = {"id": member.id, "label": member.label, "type": "Person"}
        if not data.anonymised:
            values |= {"email": member.email, "organisation": member.organisation,
                       "title": member.title}  # fmt: skip
        values |= {
            "tags": list(member.tags),
            "cohort": list(member.cohorts),
            "sector": member.sector,
            "region": member.region,
        }
        return values | {k: _json_value(member.metrics.get(k)) for k in data.metric_columns}

    def connection(tie: ExportTie) -> dict:
        return {
            "id": _kumu_connection_id(tie),
            "from": tie.source,
            "to": tie.target,
            "type": tie.type,
            "direction": _direction(tie),
            "strength": tie.strength,
            "round": tie.round,
        }

    yield b'{"elements": ['
    yield from _json_items(data.members, element)
    yield b'],\n"connections": ['
    yield from _json_items(data.ties, connection)
    yield b"]}\n"


def _json_items(rows: list, to_dict: Callable[[object], dict]) -> Iterator[bytes]:
    for start in range(0, len(rows), CHUNK_ROWS):
        comma = "," if start else ""
        chunk = rows[start : start + CHUNK_ROWS]
        text = ",".join("\n" + json.dumps(to_dict(row), ensure_ascii=False) for row in chunk)
        yield (comma + text).encode()


def _json_value(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def kumu_xlsx_write(data: ExportData) -> Iterator[bytes]:
    """A Kumu workbook: sheets Elements (ID, Label, Type, Tags, …) and Connections (ID, From,
    To, Type, Direction, Strength, Round). Several tags or cohorts are `|`-separated."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def clean(value):
        value = _cell(value)
        return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value

    workbook = Workbook(write_only=True)
    elements = workbook.create_sheet("Elements")
    header = ["ID", "Label", "Type", "Tags"]
    if not data.anonymised:
        header += ["Email", "Organisation", "Title"]
    header += ["Cohort", "Sector", "Region", *data.metric_columns]
    elements.append(header)
    for member in data.members:
        row = [member.id, member.label, "Person", _joined(member.tags)]
        if not data.anonymised:
            row += [member.email, member.organisation, member.title]
        row += [_joined(member.cohorts), member.sector, member.region]
        row += [member.metrics.get(k) for k in data.metric_columns]
        elements.append([clean(value) for value in row])
    connections = workbook.create_sheet("Connections")
    connections.append(["ID", "From", "To", "Type", "Direction", "Strength", "Round"])
    for tie in data.ties:
        row = [
            _kumu_connection_id(tie), tie.source, tie.target, tie.type, _direction(tie),
            tie.strength, tie.round,
        ]  # fmt: skip
        connections.append([clean(value) for value in row])
    with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as file:
        workbook.save(file)
        file.seek(0)
        while chunk := file.read(256 * 1024):
            yield chunk


# --- formats, the service and the audit hook ----------------------------------------------


@dataclass(frozen=True)
class ExportFormat:
    key: str
    label: str
    help: str
    extension: str
    content_type: str
    write: Callable[[ExportData], Iterator[bytes]]
    suffix: str = ""  # added to the file name when one program round gives several files


FORMATS: dict[str, ExportFormat] = {
    f.key: f
    for f in (
        ExportFormat(
            "gexf", "Gephi (GEXF)", "Opens in Gephi with the map's positions, cluster colours "
            "and sizes by broker score; every metric is a node attribute.",
            "gexf", "application/gexf+xml", gexf_write,
        ),
        ExportFormat(
            "graphml", "GraphML", "For yEd, Cytoscape, igraph or networkx.",
            "graphml", "application/graphml+xml", graphml_write,
        ),
        ExportFormat(
            "kumu-json", "Kumu blueprint (JSON)", "Drop onto a Kumu map. IDs stay the same "
            "between exports, so a newer export updates the map instead of duplicating it.",
            "json", "application/json", kumu_json_write,
        ),
        ExportFormat(
            "kumu-xlsx", "Kumu workbook (Excel)", "Elements and Connections sheets for Kumu's "
            "spreadsheet import; also opens in Excel.",
            "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            kumu_xlsx_write,
        ),
        ExportFormat(
            "csv-members", "Member list (CSV)", "One row per member with every metric.",
            "csv", "text/csv", csv_members_write, "-members",
        ),
        ExportFormat(
            "csv-ties", "Tie list (CSV)", "One row per tie: from, to, type, direction, "
            "strength, round.",
            "csv", "text/csv", csv_ties_write, "-ties",
        ),
    )
}  # fmt: skip


@dataclass
class ExportFile:
    filename: str
    content_type: str
    chunks: Iterator[bytes]


def export_round(*, program: Program, name: str | None) -> Round | None:
    """The round called `name`, or without a name the current round (else the latest)."""
    rounds = program.rounds.all()
    if name:
        return rounds.filter(name=name).first()
    return program.current_round() or rounds.order_by("observed_on", "id").last()


def export_build(
    *, program: Program, round_: Round, fmt: str, anonymised: bool, user
) -> ExportFile:
    """One export of a program round, ready to stream. Records who exported what."""
    file_format = FORMATS[fmt]
    data = export_data_load(program=program, round_=round_, anonymised=anonymised)
    export_audit(user=user, program=program, fmt=fmt, anonymised=anonymised)
    name = f"{program.slug}-{slugify(round_.name) or 'round'}"
    name += "-anonymised" if anonymised else ""
    return ExportFile(
        filename=f"{name}{file_format.suffix}.{file_format.extension}",
        content_type=file_format.content_type
        + ("; charset=utf-8" if file_format.content_type.startswith("text/") else ""),
        chunks=file_format.write(data),
    )


def export_audit(*, user, program: Program, fmt: str, anonymised: bool) -> None:
    """Record that `user` exported `program` as `fmt`: the one place exports are audited
    (a log line and a row in the program's audit trail)."""
    details = {"format": fmt, "anonymised": anonymised}
    logger.info(
        "export",
        extra={
            "user": user.get_username() if user is not None else "",
            "program": program.slug,
            **details,
        },
    )
    audit_record(
        program=program, actor=user, action=AuditEvent.Action.EXPORT, target=fmt, details=details
    )
