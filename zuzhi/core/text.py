"""Chinese text helpers."""

import csv
from functools import lru_cache
from pathlib import Path

from django.db.models import Q
from pypinyin import Style, lazy_pinyin

SURNAME_READINGS = Path(__file__).parent / "data" / "surname_readings.csv"


@lru_cache(maxsize=200_000)
def pinyin_initials(text: str) -> str:
    """拼音首字母, lower case: 城关镇 → cgz. Non-Chinese characters are kept.

    Cached: an import computes the same names in its preview and again when it writes."""
    return "".join(lazy_pinyin(text or "", style=Style.FIRST_LETTER, errors="default")).lower()


@lru_cache(maxsize=1)
def surname_readings() -> dict[str, tuple[str, ...]]:
    """Surnames read otherwise than their commonest reading (姓氏读音), as initials:
    曾 → ("z",), 尉迟 → ("yc",), 乐 → ("y", "l"). The table is data, in
    core/data/surname_readings.csv: a reading's syllables are separated by spaces, several
    readings by "/"."""
    table = {}
    with SURNAME_READINGS.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            table[row["surname"]] = tuple(
                "".join(syllable[0] for syllable in reading.split())
                for reading in row["readings"].split("/")
            )
    return table


@lru_cache(maxsize=200_000)
def person_initials(name: str) -> tuple[str, ...]:
    """Every initials reading of a person's name, the commonest first: 曾国华 → ("cgh",
    "zgh"), since pypinyin reads 曾 as ceng but the surname is zeng. Each surname of the
    table that begins the name (单 and 单于 both begin 单于明) adds its readings, so a clerk
    finds the person whichever way the surname is read. The one rule for everyone searched
    by name (members, cadres…); stored with `initials_index` and matched with `initials_q`."""
    compact = "".join((name or "").split())
    common = pinyin_initials(compact)
    readings = [common]
    for surname, initials in surname_readings().items():
        if compact.startswith(surname):
            rest = pinyin_initials(compact[len(surname) :])
            readings.extend(i + rest for i in initials)
    return tuple(dict.fromkeys(readings))


def initials_index(name: str) -> str:
    """The readings of `person_initials` as stored in a `name_initials` column: space-separated."""
    return " ".join(person_initials(name))


def initials_q(field: str, typed: str) -> Q:
    """Matches a stored `initials_index` one of whose readings begins with `typed`."""
    typed = "".join(typed.split()).lower()
    return Q(**{f"{field}__startswith": typed}) | Q(**{f"{field}__contains": f" {typed}"})
