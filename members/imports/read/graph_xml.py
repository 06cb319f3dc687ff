"""Reading a GEXF (Gephi) or GraphML file into a node sheet and an edge sheet.

The file is read once, front to back (iterparse), and each node or edge is dropped as soon
as it is a row: time and memory grow with the file, never with its square.
"""

from __future__ import annotations

import io
from xml.etree import ElementTree

import defusedxml
from defusedxml import ElementTree as defused_etree

from members.imports.read.sheets import MAX_COLUMNS, Problem, Sheet, normalise

_XML_ENTITY_MESSAGE = (
    "contains XML entity or document-type declarations, which network files never need and "
    "which can be used to attack the server; it was not read."
)
# Graph-level GraphML data with these names apply to every edge (a file per wave).
_GRAPH_DEFAULTS = {"round", "round date", "date", "wave"}


def read_graph_xml(name: str, data: bytes) -> tuple[list[Sheet], list[Problem]]:
    """A GEXF (Gephi) or GraphML file as a node sheet and an edge sheet.

    Parsed with defusedxml, which refuses entity declarations (billion laughs) and external
    references (XXE); a document type declaration is refused too, as neither format needs one.
    """
    reader = _Reader()
    try:
        events = defused_etree.iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=True)
        for event, element in events:
            reader.feed(event, element)
    except defusedxml.DefusedXmlException:
        return [], [Problem(name, _XML_ENTITY_MESSAGE)]
    except ElementTree.ParseError as exc:
        return [], [Problem(name, f"is not well-formed XML ({exc}).")]
    if reader.kind not in ("gexf", "graphml") or not reader.graph_seen:
        return [], [Problem(name, "is XML, but not a GEXF (Gephi) or GraphML network.")]
    file_format = "GEXF" if reader.kind == "gexf" else "GraphML"
    return [
        _records_sheet(name, "node", reader.nodes, file_format),
        _records_sheet(name, "edge", reader.edges, file_format),
    ], []


class _Reader:
    """Turns the parser's events into node and edge records (attribute → value)."""

    def __init__(self) -> None:
        self.kind = ""
        self.graph_seen = False
        self.path: list[str] = []
        self.nodes: list[dict] = []
        self.edges: list[dict] = []
        # GEXF: attribute id → title per class; GraphML: key id → name, and defaults.
        self.titles: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
        self.keys: dict[str, str] = {}
        self.defaults: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
        self.graph_values: dict[str, str] = {}
        self.default_direction = "undirected"
        self.edge_default = "directed"

    def feed(self, event: str, element) -> None:
        tag = _local(element.tag)
        if event == "start":
            if not self.path:
                self.kind = tag
            self.path.append(tag)
            if tag == "graph" and len(self.path) == 2:
                self.graph_seen = True
                self.default_direction = element.get("defaultedgetype", "undirected")
                self.edge_default = element.get("edgedefault", "directed")
            return
        self.path.pop()
        parent = self.path[-1] if self.path else ""
        if self.kind == "gexf":
            self._gexf_end(tag, parent, element)
        elif self.kind == "graphml":
            self._graphml_end(tag, parent, element)

    # --- GEXF ------------------------------------------------------------------------------

    def _gexf_end(self, tag: str, parent: str, element) -> None:
        if tag == "attributes":
            kind = element.get("class", "node")
            for attribute in _all(element, "attribute"):
                ident = attribute.get("id", "")
                self.titles.setdefault(kind, {})[ident] = attribute.get("title") or ident
            element.clear()
        elif tag == "node" and parent == "nodes":
            record = {"id": element.get("id", ""), "label": element.get("label", "")}
            self.nodes.append(record | self._attvalues(element, "node"))
            element.clear()
        elif tag == "edge" and parent == "edges":
            record = {"source": element.get("source", ""), "target": element.get("target", "")}
            record |= self._attvalues(element, "edge")
            record["direction"] = element.get("type", self.default_direction)
            record["label"] = element.get("label", "")
            if not any(normalise(k) == "strength" for k in record):
                record["weight"] = element.get("weight", "")
            # A dynamic edge is observed at each spell's start: one row per wave.
            starts = [s.get("start", "") for s in _nested(element, "spells", "spell")]
            starts = [s for s in starts if s] or [element.get("start", "")]
            for start in starts:
                self.edges.append(record | ({"start": start} if start else {}))
            element.clear()

    def _attvalues(self, element, kind: str) -> dict[str, str]:
        titles = self.titles.get(kind, {})
        found = {}
        for value in _nested(element, "attvalues", "attvalue"):
            key = value.get("for") or value.get("id") or ""
            found[titles.get(key, key)] = value.get("value", "")
        return found

    # --- GraphML ---------------------------------------------------------------------------

    def _graphml_end(self, tag: str, parent: str, element) -> None:
        if tag == "key":
            ident = element.get("id", "")
            name = self.keys[ident] = element.get("attr.name") or ident
            default = next((d.text for d in element if _local(d.tag) == "default"), None)
            if default is not None:
                scope = element.get("for", "all")
                for kind in ("node", "edge") if scope == "all" else (scope,):
                    self.defaults.setdefault(kind, {})[name] = default
            element.clear()
        elif tag == "data" and parent == "graph" and len(self.path) == 2:
            name = self.keys.get(element.get("key", ""), element.get("key", ""))
            if normalise(name) in _GRAPH_DEFAULTS:
                self.graph_values[name] = (element.text or "").strip()
        elif tag == "node" and parent == "graph":
            record = {"id": element.get("id", ""), **self.defaults["node"]}
            self.nodes.append(record | self._data(element))
            element.clear()
        elif tag == "edge" and parent == "graph":
            record = {"source": element.get("source", ""), "target": element.get("target", "")}
            record |= self.graph_values | self.defaults["edge"] | self._data(element)
            if not any(normalise(k) in ("directed", "direction") for k in record):
                default = "true" if self.edge_default == "directed" else "false"
                record["direction"] = element.get("directed", default)
            self.edges.append(record)
            element.clear()

    def _data(self, element) -> dict[str, str]:
        return {
            self.keys.get(data.get("key", ""), data.get("key", "")): (data.text or "").strip()
            for data in _all(element, "data")
        }


def _records_sheet(label: str, unit: str, records: list[dict[str, str]], file_format: str) -> Sheet:
    """Records (attribute → value) as a sheet; a record's number is its place in the file."""
    header: dict[str, None] = {}
    for record in records:
        for key in record:
            if key not in header:
                header[key] = None
    columns = list(header)[:MAX_COLUMNS]
    rows = [
        (number, [str(record.get(key, "") or "").strip() for key in columns])
        for number, record in enumerate(records, start=1)
    ]
    return Sheet(label, columns, rows, unit, file_format)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _all(element, name: str) -> list:
    return [child for child in element if _local(child.tag) == name]


def _nested(element, group: str, name: str) -> list:
    return [item for holder in _all(element, group) for item in _all(holder, name)]
