"""Reading an .xlsx workbook into Sheets, after refusing zip bombs, DTDs and formulas.

The cost of reading is bounded before openpyxl parses a sheet: a streaming count of each
worksheet's XML refuses a row wider than MAX_ROW_CELLS cells, more than MAX_CELLS cells in
all, or a row number past what the import could take (openpyxl would pad the gap with empty
rows), and reading stops with a clear problem once READ_SECONDS have passed.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, time
from time import monotonic

import defusedxml
import openpyxl
from openpyxl.xml import DEFUSEDXML

from members.imports.read.sheets import MAX_COLUMNS, MB, Limits, Problem, Sheet, unescape

# Cells one row may hold (written cells, empty styled ones included) and in the whole
# workbook; a genuine member or tie list is far inside both.
MAX_ROW_CELLS = 1_000
MAX_CELLS = 4_000_000
# Seconds one workbook may take to read, whatever it holds.
READ_SECONDS = 60
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="(\d+)"')
_ROW_START = re.compile(rb"<(?:\w+:)?row\b")
_CELL = re.compile(rb"<(?:\w+:)?c\b")
_SHARED_STRING = re.compile(rb"<(?:\w+:)?si\b")

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
    problem = _unsafe_workbook(name, data, limits) or _too_big(name, data, limits)
    if problem:
        return [], [problem]
    deadline = monotonic() + READ_SECONDS
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
            sheet, sheet_problems = _read_worksheet(worksheet, limits, deadline)
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


def _too_big(name: str, data: bytes, limits: Limits) -> Problem | None:
    """Refuse a workbook whose sheets would cost more to read than any import needs, by
    counting rows and cells in the worksheet XML as it streams out of the zip (flat memory:
    a megabyte at a time; stops at the first limit passed)."""
    most_rows = 2 * (limits.member_rows + limits.tie_rows)
    cells = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for part in archive.infolist():
            if part.filename.endswith("sharedStrings.xml"):
                # openpyxl holds every shared string in memory before reading any sheet.
                if _count(archive, part, _SHARED_STRING, MAX_CELLS) > MAX_CELLS:
                    return Problem(
                        name, f"holds more than {MAX_CELLS:,} texts; split it into smaller files."
                    )
                continue
            if not (part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml")):
                continue
            rows = row_cells = 0
            tail = b""
            with archive.open(part) as stream:
                while chunk := stream.read(1 << 20):
                    # A tag may straddle two chunks: the last one waits for the next chunk.
                    text = tail + chunk
                    cut = max(text.rfind(b"<"), 0)
                    if cut == 0 and len(text) > 1 << 20:
                        cut = len(text)  # no tag in a megabyte: nothing to carry over
                    body, tail = text[:cut], text[cut:]
                    starts = _occurrences(body, _ROW_START)
                    rows += len(starts)
                    # Cells before the first row start belong to the row still open.
                    bounds = [0, *starts, len(body)]
                    for index in range(len(bounds) - 1):
                        if index:
                            cells += row_cells
                            row_cells = 0
                        row_cells += _cells_in(body, bounds[index], bounds[index + 1])
                        if row_cells > MAX_ROW_CELLS:
                            return Problem(
                                name,
                                f"has a row with more than {MAX_ROW_CELLS:,} cells; no member "
                                "or tie list needs that many. Delete the unused columns and "
                                "save it again.",
                            )
                    if cells + row_cells > MAX_CELLS:
                        return Problem(
                            name,
                            f"holds more than {MAX_CELLS:,} cells; split it into smaller "
                            "files or save it as CSV.",
                        )
                    numbers = _ROW_NUMBER.findall(body) if starts else []
                    if rows > most_rows or (numbers and max(map(int, numbers)) > most_rows):
                        return Problem(
                            name,
                            f"has rows numbered past {most_rows:,}; delete the empty rows "
                            "below your data and save it again.",
                        )
            cells += row_cells
    return None


def _occurrences(text: bytes, pattern: re.Pattern) -> list[int]:
    """Where `pattern` starts in `text`; plain `<row` is found by bytes.find (fast)."""
    if b":row" in text:  # a namespace prefix: the slower regular expression
        return [m.start() for m in pattern.finditer(text)]
    found, at = [], text.find(b"<row")
    while at >= 0:
        after = text[at + 4 : at + 5]
        if after in (b" ", b">", b"/", b"\t", b"\n", b"\r"):
            found.append(at)
        at = text.find(b"<row", at + 4)
    return found


def _cells_in(text: bytes, start: int, end: int) -> int:
    """How many cell elements (`<c …>`) text[start:end] opens, without copying it."""
    if text.find(b":c", start, end) >= 0:
        return len(_CELL.findall(text, start, end))
    return sum(text.count(tag, start, end) for tag in (b"<c ", b"<c>", b"<c/>", b"<c\n"))


def _count(archive: zipfile.ZipFile, part, pattern: re.Pattern, stop: int) -> int:
    """How often `pattern` occurs in a part, read a megabyte at a time (stops past `stop`)."""
    found, tail = 0, b""
    with archive.open(part) as stream:
        while chunk := stream.read(1 << 20):
            text = tail + chunk
            cut = max(len(text) - 16, 0)
            if b":si" in text:
                found += len(pattern.findall(text, 0, cut))
            else:
                found += text.count(b"<si>", 0, cut) + text.count(b"<si ", 0, cut)
            tail = text[cut:]
            if found > stop:
                break
    return found + len(pattern.findall(tail))


def _read_worksheet(
    worksheet, limits: Limits, deadline: float
) -> tuple[Sheet | None, list[Problem]]:
    label = worksheet.title
    # The stored dimensions can be wrong (or huge, to make every row huge): read what is there.
    worksheet.reset_dimensions()
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    problems: list[Problem] = []
    row_limit = limits.member_rows + limits.tie_rows  # which kind it is is known later
    # max_col: openpyxl pads every row out to its widest, and nothing past it is read.
    for number, cells in enumerate(worksheet.iter_rows(max_col=MAX_COLUMNS), start=1):
        if number % 1000 == 0 and monotonic() > deadline:
            problems.append(
                Problem(label, f"took longer than {READ_SECONDS} s to read; not read.", number)
            )
            return None, problems
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
