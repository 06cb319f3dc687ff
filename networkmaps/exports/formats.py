"""The export formats a program round is offered in, and the service that builds one file
(and records who exported what)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.utils.text import slugify

from members.models import AuditEvent, Program, Round
from members.privacy.audit import audit_record
from networkmaps.exports.rows import ExportData, export_data_load
from networkmaps.exports.writers.csv import csv_members_write, csv_ties_write
from networkmaps.exports.writers.gexf import gexf_write
from networkmaps.exports.writers.graphml import graphml_write
from networkmaps.exports.writers.kumu import kumu_json_write, kumu_xlsx_write

logger = logging.getLogger("netlead.exports")


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
