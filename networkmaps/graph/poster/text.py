"""Text on the poster: DejaVu Sans widths, XML-safe characters and ellipsis fitting."""

from __future__ import annotations

import re
import unicodedata
from xml.sax.saxutils import escape


def text_width(text: str, font_mm: float, *, bold: bool = False) -> float:
    """Width of ``text`` in DejaVu Sans, erring on the wide side."""
    em = sum(_char_em(ch) for ch in text)
    return em * font_mm * (1.15 if bold else 1.0)


_NARROW = set("fijlrtI!'.,:;|()[]-/\\` ")
_WIDE = set("mwMW@%")
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _char_em(ch: str) -> float:
    if ch in _NARROW:
        return 0.42
    if ch in _WIDE:
        return 1.0
    if ch.isascii():
        return 0.8 if ch.isupper() else 0.66
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.05
    if unicodedata.combining(ch):
        return 0.0
    return 0.9


def clean(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (control codes, lone surrogates)."""
    return _INVALID_XML.sub("", str(text))


def xml_text(text: str) -> str:
    return escape(clean(text), {'"': "&quot;"})


def fit_text(text: str, font_mm: float, width: float) -> str:
    """``text``, cut with an ellipsis if it is wider than ``width``."""
    if text_width(text, font_mm) <= width:
        return text
    out = text
    while out and text_width(out + "…", font_mm) > width:
        out = out[:-1]
    return out.rstrip() + "…"
