"""Reading a GEXF (Gephi) or GraphML file into a node sheet and an edge sheet."""

from __future__ import annotations

from xml.etree import ElementTree

import defusedxml
from defusedxml import ElementTree as defused_etree

from members.imports.read.sheets import MAX_COLUMNS, Problem, Sheet, normalise

_XML_ENTITY_MESSAGE = (
    "contains XML entity or document-type declarations, which network files never need and "
    "which can be used to attack the server; it was not read."
)


def read_graph_xml(name: str, data: bytes) -> tuple[list[Sheet], list[Problem]]:
    """A GEXF (Gephi) or GraphML file as a node sheet and an edge sheet.

    Parsed with defusedxml, which refuses entity declarations (billion laughs) and external
    references (XXE); a document type declaration is refused too, as neither format needs one.
    """
    try:
        root = defused_etree.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException:
        return [], [Problem(name, _XML_ENTITY_MESSAGE)]
    except ElementTree.ParseError as exc:
        return [], [Problem(name, f"is not well-formed XML ({exc}).")]
    kind = _local(root.tag)
    graph = next((child for child in root if _local(child.tag) == "graph"), None)
    if kind not in ("gexf", "graphml") or graph is None:
        return [], [Problem(name, "is XML, but not a GEXF (Gephi) or GraphML network.")]
    nodes, edges = (_gexf_records if kind == "gexf" else _graphml_records)(root, graph)
    file_format = "GEXF" if kind == "gexf" else "GraphML"
    return [
        _records_sheet(name, "node", nodes, file_format),
        _records_sheet(name, "edge", edges, file_format),
    ], []


def _gexf_records(root, graph) -> tuple[list[dict], list[dict]]:
    default_direction = graph.get("defaultedgetype", "undirected")
    titles: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
    for attributes in _all(graph, "attributes"):
        for attribute in _all(attributes, "attribute"):
            ident = attribute.get("id", "")
            titles.setdefault(attributes.get("class", "node"), {})[ident] = (
                attribute.get("title") or ident
            )

    def values(element, kind: str) -> dict[str, str]:
        found = {}
        for attvalues in _all(element, "attvalues"):
            for value in _all(attvalues, "attvalue"):
                key = value.get("for") or value.get("id") or ""
                found[titles[kind].get(key, key)] = value.get("value", "")
        return found

    nodes = [
        {"id": node.get("id", ""), "label": node.get("label", ""), **values(node, "node")}
        for group in _all(graph, "nodes")
        for node in _all(group, "node")
    ]
    edges = []
    for group in _all(graph, "edges"):
        for edge in _all(group, "edge"):
            record = {"source": edge.get("source", ""), "target": edge.get("target", "")}
            record |= values(edge, "edge")
            record["direction"] = edge.get("type", default_direction)
            record["label"] = edge.get("label", "")
            if not any(normalise(k) == "strength" for k in record):
                record["weight"] = edge.get("weight", "")
            edges.append(record)
    return nodes, edges


def _graphml_records(root, graph) -> tuple[list[dict], list[dict]]:
    keys: dict[str, str] = {}
    defaults: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
    for key in _all(root, "key"):
        ident = key.get("id", "")
        keys[ident] = key.get("attr.name") or ident
        default = next((d.text for d in key if _local(d.tag) == "default"), None)
        if default is not None:
            for kind in ("node", "edge") if key.get("for", "all") == "all" else (key.get("for"),):
                defaults.setdefault(kind, {})[keys[ident]] = default

    def values(element) -> dict[str, str]:
        return {
            keys.get(data.get("key", ""), data.get("key", "")): (data.text or "").strip()
            for data in _all(element, "data")
        }

    nodes = [
        {"id": node.get("id", ""), **defaults["node"], **values(node)}
        for node in _all(graph, "node")
    ]
    edge_default = graph.get("edgedefault", "directed")
    edges = []
    for edge in _all(graph, "edge"):
        record = {"source": edge.get("source", ""), "target": edge.get("target", "")}
        record |= defaults["edge"] | values(edge)
        if not any(normalise(k) in ("directed", "direction") for k in record):
            directed = edge.get("directed", "true" if edge_default == "directed" else "false")
            record["direction"] = directed
        edges.append(record)
    return nodes, edges


def _records_sheet(label: str, unit: str, records: list[dict[str, str]], file_format: str) -> Sheet:
    """Records (attribute → value) as a sheet; a record's number is its place in the file."""
    header: list[str] = []
    for record in records:
        header += [key for key in record if key not in header]
    header = header[:MAX_COLUMNS]
    rows = [
        (number, [str(record.get(key, "") or "").strip() for key in header])
        for number, record in enumerate(records, start=1)
    ]
    return Sheet(label, header, rows, unit, file_format)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _all(element, name: str) -> list:
    return [child for child in element if _local(child.tag) == name]
