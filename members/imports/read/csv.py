"""Reading a CSV file (UTF-8 or UTF-16, comma, semicolon or tab, sniffed) into a Sheet."""

from __future__ import annotations

import csv
import io

from members.imports.read.sheets import MAX_COLUMNS, Limits, Problem, Sheet, unescape


def read_csv(name: str, data: bytes, limits: Limits) -> tuple[list[Sheet], list[Problem]]:
    """A CSV file as a Sheet: UTF-8 (a BOM is fine; so is UTF-16, as Excel's 'Unicode text')."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data.count(b"\n", 0, exc.start) + 1
        message = "is not UTF-8 text. In Excel choose Save As › “CSV UTF-8”."
        return [], [Problem(name, message, row=row)]
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",;\t", key=lambda d: len(next(csv.reader([first_line], delimiter=d))))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    row_limit = limits.member_rows + limits.tie_rows  # which kind it is is known later
    try:
        # A spreadsheet shows a quoted multi-line value as one row, so count records, not lines.
        for number, record in enumerate(reader, start=1):
            values = [unescape(value.strip()) for value in record[:MAX_COLUMNS]]
            if not any(values):
                continue
            if header is None:
                header = values
                continue
            rows.append((number, values))
            if len(rows) > row_limit:
                return [], [Problem(name, f"has more than {row_limit:,} rows; not read.")]
    except csv.Error as exc:
        return [], [Problem(name, f"is not a readable CSV file ({exc}).", row=reader.line_num)]
    if header is None:
        return [], [Problem(name, "is empty.")]
    return [Sheet(name, header, rows)], []
