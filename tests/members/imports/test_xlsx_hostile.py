"""Hostile workbooks cost a bounded amount to read: one row of millions of cells, millions of
rows, a row numbered a million rows down, millions of shared strings. Each is refused with a
clear problem, and reading one ten times larger takes about as long and as much memory."""

import io
import time
import tracemalloc
import zipfile

import openpyxl
import pytest

from members.imports.read import xlsx
from members.imports.read.sheets import Limits

# Small row limits, so that files over them are quick to build; the cell limits are patched
# down for the same reason (the code paths are the ones production limits take).
LIMITS = Limits(member_rows=2_000, tie_rows=3_000)


@pytest.fixture(autouse=True)
def _small_cell_limit(monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_CELLS", 100_000)


def _workbook(sheet_xml: bytes, shared: bytes | None = None) -> bytes:
    """A valid small workbook whose first sheet's XML is replaced by `sheet_xml`."""
    book = openpyxl.Workbook()
    book.active.append(["name", "email"])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            dst.writestr(item.filename, data)
        if shared is not None:
            dst.writestr("xl/sharedStrings.xml", shared)
    return out.getvalue()


def _sheet(rows: bytes) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>" + rows + b"</sheetData></worksheet>"
    )


def one_wide_row(cells: int) -> bytes:
    row = b'<row r="1">' + b'<c t="inlineStr"><is><t>x</t></is></c>' * cells + b"</row>"
    return _workbook(_sheet(row))


def many_rows(rows: int) -> bytes:
    return _workbook(_sheet(b'<row><c t="inlineStr"><is><t>p</t></is></c></row>' * rows))


def far_row(number: int) -> bytes:
    return _workbook(
        _sheet(b'<row r="1"><c t="inlineStr"><is><t>name</t></is></c></row>'
               b'<row r="%d"><c t="inlineStr"><is><t>x</t></is></c></row>' % number)
    )  # fmt: skip


def many_strings(count: int) -> bytes:
    shared = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + b"<si><t>s</t></si>" * count
        + b"</sst>"
    )
    return _workbook(_sheet(b'<row r="1"><c t="s"><v>0</v></c></row>'), shared)


def _read(data: bytes):
    """(sheets, problems, seconds, peak bytes allocated): timed without tracemalloc's cost."""
    started = time.perf_counter()
    sheets, problems = xlsx.read_workbook("hostile.xlsx", data, LIMITS)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    xlsx.read_workbook("hostile.xlsx", data, LIMITS)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return sheets, problems, seconds, peak


@pytest.mark.parametrize(
    ("make", "size", "words"),
    [
        # The reported attack: a 63 KB file, one row of 2M cells (here 0.2M and 2M).
        (one_wide_row, 200_000, "row with more than"),
        (many_rows, 200_000, "rows numbered past"),
        (far_row, 1_000_000, "rows numbered past"),
        (many_strings, 2_000_000, "texts"),
    ],
    ids=["one-wide-row", "many-rows", "far-row", "many-strings"],
)
def test_hostile_workbooks_are_refused_in_flat_time_and_memory(make, size, words):
    small, large = make(size // 10), make(size)
    _, small_problems, small_seconds, small_peak = _read(small)
    sheets, problems, seconds, peak = _read(large)
    assert sheets == [] and problems, "the larger file must be refused"
    if words:
        assert words in problems[0].message
    # Ten times the file: not ten times the cost (the read stops at a limit).
    assert seconds < 3 * small_seconds + 1.0, (small_seconds, seconds)
    assert peak < 3 * small_peak + 20 * 2**20, (small_peak, peak)
    assert peak < 200 * 2**20


def test_a_genuine_workbook_still_reads():
    book = openpyxl.Workbook()
    book.active.append(["name", "email"])
    for i in range(2000):
        book.active.append([f"Person {i}", f"p{i}@example.org"])
    data = io.BytesIO()
    book.save(data)
    sheets, problems = xlsx.read_workbook("people.xlsx", data.getvalue(), LIMITS)
    assert problems == [] and len(sheets[0].rows) == 2000


def test_the_reported_attack_file_is_refused_at_once():
    data = one_wide_row(2_000_000)
    assert len(data) < 300_000  # compresses to a small upload
    sheets, problems, seconds, peak = _read(data)
    assert sheets == [] and "row with more than 1,000 cells" in problems[0].message
    assert seconds < 2 and peak < 50 * 2**20
