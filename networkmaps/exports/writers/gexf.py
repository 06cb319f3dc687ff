"""GEXF 1.2 for Gephi, written element by element so a big round streams out."""

from __future__ import annotations

from collections.abc import Iterator

from networkmaps.exports.rows import CHUNK_ROWS, ExportData, batched
from networkmaps.exports.writers.graph_xml import (
    cluster_colour,
    largest_betweenness,
    node_attributes,
    node_size,
    node_values,
    rgb,
    xml_attr,
    xml_number,
    xml_text,
)

GEXF_NAMESPACE = "http://www.gexf.net/1.2draft"
GEXF_VIZ_NAMESPACE = "http://www.gexf.net/1.2draft/viz"


def gexf_write(data: ExportData) -> Iterator[bytes]:
    """GEXF 1.2 for Gephi: attributes and metrics per member, map position, colour by
    cluster, size by betweenness; ties with their type (as label and attribute), strength
    as weight, round, and `carried` (true: carried from the previous round under the
    missing-answer rule, not reported in this one).

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
        f"<description>{xml_text(data.title)}</description></meta>\n"
        f'<graph defaultedgetype="{"directed" if directed else "undirected"}" mode="static">\n'
    ).encode()
    attributes = node_attributes(data)
    lines = ['<attributes class="node" mode="static">']
    lines += [
        f"<attribute id={xml_attr(i)} title={xml_attr(t)} type={xml_attr(k)}/>"
        for i, t, k in attributes
    ]
    lines += [
        '</attributes>\n<attributes class="edge" mode="static">',
        '<attribute id="relationship_type" title="relationship type" type="string"/>',
        '<attribute id="round" title="round" type="string"/>',
        '<attribute id="round_date" title="round_date" type="string"/>',
        '<attribute id="strength" title="strength" type="integer"/>',
        '<attribute id="carried" title="carried" type="boolean"/>',
        *(
            ['<attribute id="trust" title="trust" type="double"/>',
             '<attribute id="value" title="value" type="double"/>']
            if data.tie_quality else []
        ),
        "</attributes>\n<nodes>\n",
    ]  # fmt: skip
    yield "\n".join(lines).encode()

    largest = largest_betweenness(data)
    names = [name for name, _, _ in attributes]
    for chunk in batched(data.members):
        out = []
        for member in chunk:
            values = node_values(member)
            out.append(f"<node id={xml_attr(member.id)} label={xml_attr(member.label)}>")
            out.append("<attvalues>")
            for name in names:
                value = values.get(name)
                text = value if isinstance(value, str) else xml_number(value)
                if text:
                    out.append(f"<attvalue for={xml_attr(name)} value={xml_attr(text)}/>")
            out.append("</attvalues>")
            if member.metrics:
                red, green, blue = rgb(cluster_colour(member.metrics.get("community")))
                out.append(f'<viz:color r="{red}" g="{green}" b="{blue}"/>')
                size = node_size(member.metrics.get("betweenness"), largest)
                out.append(f'<viz:size value="{size!r}"/>')
            if member.position:
                x, y = member.position
                # Gephi's y axis points up, the map's (and poster's) down: flip so they match.
                out.append(f'<viz:position x="{x!r}" y="{-y!r}" z="0.0"/>')
            out.append("</node>\n")
        yield "".join(out).encode()

    yield b"</nodes>\n<edges>\n"
    number = 0
    for chunk in batched(data.ties, CHUNK_ROWS * 5):
        out = []
        for tie in chunk:
            kind = "directed" if tie.directed else ("mutual" if directed else "undirected")
            out.append(
                f'<edge id="{number}" source={xml_attr(tie.source)} '
                f'target={xml_attr(tie.target)} type="{kind}" label={xml_attr(tie.type)} '
                f'weight="{float(tie.strength)!r}"><attvalues>'
                f'<attvalue for="relationship_type" value={xml_attr(tie.type)}/>'
                f'<attvalue for="round" value={xml_attr(tie.round)}/>'
                f'<attvalue for="round_date" value={xml_attr(tie.round_date)}/>'
                f'<attvalue for="strength" value="{tie.strength}"/>'
                f'<attvalue for="carried" value="{"true" if tie.carried else "false"}"/>'
                + "".join(
                    f'<attvalue for="{name}" value="{xml_number(number)}"/>'
                    for name, number in (("trust", tie.trust), ("value", tie.value))
                    if number is not None
                )
                + "</attvalues></edge>\n"
            )
            number += 1
        yield "".join(out).encode()
    yield b"</edges>\n</graph>\n</gexf>\n"
