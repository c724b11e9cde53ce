"""Import headers as offices write them (表头同义词).

A sheet's header is compared after normalize_header(); header_lookup() says which template
header each accepted spelling stands for. The spellings are data: data/header_synonyms.csv,
one row per synonym (`header,synonym`). The file is global, but each import asks only for its
own headers, so one synonym may mean different headers in different imports (党组织代码 is the
member's 所在党组织代码 in the member import and 组织代码 in the organization import).
"""

import csv
import re
import unicodedata
from functools import cache
from pathlib import Path

HEADER_SYNONYMS_PATH = Path(__file__).parent / "data" / "header_synonyms.csv"

_WHITESPACE_RX = re.compile(r"\s+")
_LEADING_MARK_RX = re.compile(r"^[*※]+")
_TRAILING_MARK_RX = re.compile(r"[*※:]+$")
_TRAILING_HINT_RX = re.compile(r"(?:\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】)$")
# A trailing parenthetical naming what the column holds is part of the header, not a hint:
# 所在党组织（代码） and 所在党组织（名称） are different columns.
_QUALIFIER_WORDS = ("代码", "编码", "编号", "名称")


def normalize_header(text, *, keep_hint: bool = False) -> str:
    """The form in which headers are compared: NFKC (full-width letters, ＊, ：, （） become
    their ASCII forms), all whitespace and line breaks removed, leading and trailing `*`/`※`
    marks and a trailing colon removed, and a trailing hint in brackets removed
    (出生日期（可不填） → 出生日期), unless the bracket names what the column holds
    (所在党组织（代码） stays as it is)."""
    if text is None:
        return ""
    header = _WHITESPACE_RX.sub("", unicodedata.normalize("NFKC", str(text)))
    while True:
        before = header
        header = _LEADING_MARK_RX.sub("", header)
        header = _TRAILING_MARK_RX.sub("", header)
        hint = None if keep_hint else _TRAILING_HINT_RX.search(header)
        if hint and hint.start() > 0 and not any(w in hint.group() for w in _QUALIFIER_WORDS):
            header = header[: hint.start()]
        if header == before:
            return header


@cache
def header_synonyms() -> dict[str, tuple[str, ...]]:
    """Template header → the synonyms data/header_synonyms.csv gives for it (read once)."""
    synonyms: dict[str, list[str]] = {}
    with HEADER_SYNONYMS_PATH.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            header, synonym = row["header"].strip(), row["synonym"].strip()
            if header and synonym:
                synonyms.setdefault(header, []).append(synonym)
    return {header: tuple(spellings) for header, spellings in synonyms.items()}


def header_lookup(headers: list[str]) -> dict[str, str]:
    """Every normalized spelling accepted for a template's headers (each header itself and its
    synonyms) → the template header.

    Raises ValueError when one spelling would stand for two of these headers: a mistake in
    header_synonyms.csv (the tests check every import's headers), never the user's.
    """
    synonyms = header_synonyms()
    lookup: dict[str, str] = {}
    stripped: dict[str, list[str]] = {}
    for header in headers:
        stripped.setdefault(normalize_header(header), []).append(header)
    for key, same in stripped.items():
        if len(same) == 1:
            lookup[key] = same[0]
            continue
        # Two headers of the template that differ only by their bracket (党员教育（线上）,
        # 党员教育（线下）) keep it: each is matched with its bracket, neither without.
        for header in same:
            kept = normalize_header(header, keep_hint=True)
            if kept in lookup and lookup[kept] != header:
                raise ValueError(f"表头“{header}”与“{lookup[kept]}”规范化后相同。")
            lookup[kept] = header
    for header in headers:
        for synonym in synonyms.get(header, ()):
            key = normalize_header(synonym)
            if lookup.setdefault(key, header) != header:
                raise ValueError(
                    f"header_synonyms.csv：“{synonym}”既指“{header}”又指“{lookup[key]}”。"
                )
    return lookup
