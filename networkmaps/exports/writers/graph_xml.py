"""What the GEXF and GraphML files share: XML-safe text, the node attributes, and each
member's colour (by cluster, as on the poster) and size (by betweenness)."""

from __future__ import annotations

import math
import re
from xml.sax.saxutils import escape

from networkmaps.exports.rows import ExportData, ExportMember, joined
from networkmaps.graph.poster import PALETTE

# Clusters beyond the palette are small ones; one quiet grey keeps the big ones readable.
OTHER_CLUSTER_COLOUR = "#BBBBBB"
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ATTRIBUTE_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def xml_text(value) -> str:
    """Element text: escaped, with the characters XML 1.0 cannot hold dropped."""
    return escape(_XML_ILLEGAL.sub("", str(value)))


def xml_attr(value) -> str:
    """A quoted attribute value, escaped as `xml_text` and with quotes and whitespace kept."""
    return '"' + escape(_XML_ILLEGAL.sub("", str(value)), _ATTRIBUTE_ENTITIES) + '"'


def xml_number(value) -> str | None:
    """A number as XML text; None for no value, booleans and NaN/∞ (written as nothing)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return repr(value) if isinstance(value, float) else str(value)


def cluster_colour(community: int | None) -> str:
    if community is None or community >= len(PALETTE):
        return OTHER_CLUSTER_COLOUR
    return PALETTE[community]


def rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def node_size(betweenness: float | None, largest: float) -> float:
    """Node size: 5 for no brokerage up to 50 for the top broker (area ~ betweenness)."""
    if not betweenness or largest <= 0:
        return 5.0
    return round(5.0 + 45.0 * math.sqrt(betweenness / largest), 3)


def largest_betweenness(data: ExportData) -> float:
    return max((m.metrics.get("betweenness") or 0.0 for m in data.members), default=0.0)


def node_attributes(data: ExportData) -> list[tuple[str, str, str]]:
    """(id, title, type) of node attributes; no personal ones in an anonymised file."""
    text = ["cohort", "sector", "region", "tags"]
    if not data.anonymised:
        text = ["email", "organisation", "title", *text]
    return (
        [(name, name, "string") for name in text]
        + [(key, key, kind) for key, kind in data.attribute_columns]  # issue 12
        + [(column, column, data.metric_type(column)) for column in data.metric_columns]
    )


def node_values(member: ExportMember) -> dict[str, object]:
    """Attribute name -> value of one member (attributes and metrics)."""
    values = {
        "email": member.email,
        "organisation": member.organisation,
        "title": member.title,
        "cohort": joined(member.cohorts),
        "sector": member.sector,
        "region": member.region,
        "tags": joined(member.tags),
    }
    return values | member.attributes | member.metrics
