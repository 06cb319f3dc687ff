"""Reading an .xlsx workbook into Sheets, after refusing zip bombs, DTDs and formulas."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time

import defusedxml
import openpyxl
from openpyxl.xml import DEFUSEDXML

from members.imports.read.sheets import MAX_COLUMNS, MB, Limits, Problem, Sheet, unescape

# openpyxl parses through defusedxml only when it is installed. It is a dependency: without
# it workbooks could carry entity attacks, so refuse to load rather than read them unsafely.
if not DEFUSEDXML:
    raise ImportError("defusedxml is required to read Excel workbooks safely")

_ENTITY_MESSAGE = (
    "contains XML entity or document-type declarations, which spreadsheets never need and "
    "which can be used to attack the server; it was not read. Re-save it from Excel."
)
_UNREADABLE_MESSAGE = (
    "could not be read as an Excel workbook (.xlsx). Save it again as .xlsx or as CSV UTF-8."
)


def read_workbook(name: str, data: bytes, limits: Limits) -> tuple[list[Sheet], list[Problem]]:
    """Every sheet of an .xlsx workbook, after checking that it is safe to open."""
    problem = _unsafe_workbook(name, data, limits)
    if problem:
        return [], [problem]
    sheets: list[Sheet] = []
    problems: list[Problem] = []
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False
        )
    except Exception as exc:  # noqa: BLE001 — a hostile file can break the parser in any way.
        return [], [_unreadable(name, exc)]
    try:
        for worksheet in workbook.worksheets:
            if not hasattr(worksheet, "iter_rows"):  # a chart sheet
                continue
            sheet, sheet_problems = _read_worksheet(worksheet, limits)
            problems += sheet_problems
            if sheet:
                sheets.append(sheet)
    except Exception as exc:  # noqa: BLE001
        return [], [_unreadable(name, exc)]
    finally:
        workbook.close()
    return sheets, problems


def _unreadable(name: str, exc: BaseException) -> Problem:
    # openpyxl wraps parser errors in its own, so look down the chain for defusedxml's.
    while exc is not None:
        if isinstance(exc, defusedxml.DefusedXmlException):
            return Problem(name, _ENTITY_MESSAGE)
        exc = exc.__cause__ or exc.__context__
    return Problem(name, _UNREADABLE_MESSAGE)


def _unsafe_workbook(name: str, data: bytes, limits: Limits) -> Problem | None:
    """Refuse zip bombs and XML with a DTD before openpyxl touches the file.

    Sizes are the ones the zip declares; Python's zipfile never inflates a part beyond its
    declared size, so the check holds for lying headers too. The DTD check is a first line:
    openpyxl parses through defusedxml as well, which forbids entities anywhere.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return Problem(name, _UNREADABLE_MESSAGE)
    with archive:
        parts = archive.infolist()
        if len(parts) > limits.zip_parts:
            return Problem(name, f"has more than {limits.zip_parts} parts; not a normal workbook.")
        if sum(part.file_size for part in parts) > limits.unpacked_bytes:
            return Problem(
                name,
                f"would unpack to more than {limits.unpacked_bytes // MB} MB "
                "(a compressed “zip bomb”?); it was not opened.",
            )
        for part in parts:
            if not part.filename.endswith((".xml", ".rels", ".vml")):
                continue
            try:
                with archive.open(part) as stream:
                    head = stream.read(64 * 1024)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError):
                return Problem(name, _UNREADABLE_MESSAGE)
            if head.startswith((b"\xff\xfe", b"\xfe\xff")):
                head = head.decode("utf-16", errors="ignore").encode()
            if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                return Problem(name, _ENTITY_MESSAGE)
    return None


def _read_worksheet(worksheet, limits: Limits) -> tuple[Sheet | None, list[Problem]]:
    label = worksheet.title
    # The stored dimensions can be wrong (or huge, to make every row huge): read what is there.
    worksheet.reset_dimensions()
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    problems: list[Problem] = []
    row_limit = limits.member_rows + limits.tie_rows  # which kind it is is known later
    for number, cells in enumerate(worksheet.iter_rows(), start=1):
        values = []
        for position, cell in enumerate(cells[:MAX_COLUMNS]):
            if cell.data_type == "f":
                problems.append(
                    Problem(
                        label,
                        "holds a formula; formulas are not imported. Copy the column "
                        "and paste it back as values.",
                        number,
                        _column(header, position),
                    )
                )
                values.append("")
            elif cell.data_type == "e":
                problems.append(
                    Problem(
                        label,
                        f"holds the spreadsheet error {cell.value}.",
                        number,
                        _column(header, position),
                    )
                )
                values.append("")
            else:
                values.append(_text(cell.value))
        if not any(values):
            continue
        if header is None:
            header = values
            continue
        rows.append((number, values))
        if len(rows) > row_limit:
            problems.append(Problem(label, f"has more than {row_limit:,} rows; not read."))
            return None, problems
    if header is None:
        return None, problems
    return Sheet(label, header, rows), problems


def _column(header: list[str] | None, position: int) -> str:
    """The column's header if it has one, else its letter (A, B, …)."""
    if header and position < len(header) and header[position]:
        return header[position]
    return openpyxl.utils.get_column_letter(position + 1)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 12.0 → "12": ids and strengths typed as numbers
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    return unescape(str(value).strip())
