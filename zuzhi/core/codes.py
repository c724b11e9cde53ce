"""Official code tables (代码表) from DmGrp.xml, the appointment-form software's code file."""

import csv
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DMGRP_PATH = Path(__file__).parent / "data" / "DmGrp.xml"

# GB/T 4658 学历 codes used by other departments, mapped to the ZB64 codes of DmGrp.xml.
GB4658_TO_ZB64 = {
    "10": "1",  # 研究生教育
    "11": "11",  # 博士研究生
    "14": "11",  # 硕士研究生
    "20": "2",  # 大学本科
    "21": "21",
    "30": "3",  # 大学专科
    "31": "31",
    "40": "35",  # 中等专科
    "41": "35",
    "50": "36",  # 技工学校
    "60": "37",  # 普通高中
    "61": "37",
    "70": "38",  # 初中
    "80": "39",  # 小学
}

# Codes that mean one thing in ZB64 and another in GB/T 4658 (the 结业/肄业 codes): a sheet
# saying 23 could mean 省委党校大学 or 大学本科肄业, so the name must be written.
ZB64_GB4658_CLASHES = {
    "12": "博士研究生结业",
    "22": "大学本科结业",
    "23": "大学本科肄业",
    "32": "大学专科结业",
    "33": "大学专科肄业",
}


def read_code_tables(path: Path = DMGRP_PATH) -> list[dict[str, str]]:
    root = ET.parse(path).getroot()
    rows = []
    seen = set()
    for group in root:
        for item in group:
            key = (group.get("id").strip(), item.get("id").strip())
            if key in seen:
                continue  # the official file lists 530821 twice; the first entry counts
            seen.add(key)
            parent = (item.get("parentid") or "").strip()
            rows.append(
                {
                    "table": group.get("id").strip(),
                    "table_name": group.get("name").strip(),
                    "code": item.get("id").strip(),
                    "name": item.get("dmcpt").strip(),
                    "initials": (item.get("PinYin") or "").strip().lower(),
                    "parent_code": ""
                    if parent.lower() == group.get("id").strip().lower()
                    else parent,
                }
            )
    return rows


def code_tables_load(model) -> int:
    """Insert or refresh every code; `model` is CodeItem (or its migration-state twin)."""
    existing = {(c.table, c.code): c for c in model.objects.all()}
    new, changed = [], []
    for row in read_code_tables():
        item = existing.get((row["table"], row["code"]))
        if item is None:
            new.append(model(**row))
        elif any(getattr(item, k) != v for k, v in row.items()):
            for k, v in row.items():
                setattr(item, k, v)
            changed.append(item)
    model.objects.bulk_create(new, batch_size=500)
    model.objects.bulk_update(
        changed, ["table_name", "name", "initials", "parent_code"], batch_size=500
    )
    return len(new) + len(changed)


def code_map(table: str) -> dict[str, str]:
    """code → name for one table. Code tables change only with a migration, so one read
    per process is enough."""
    if table not in _CODE_MAPS:
        from .models import CodeItem

        _CODE_MAPS[table] = dict(CodeItem.objects.filter(table=table).values_list("code", "name"))
    return _CODE_MAPS[table]


_CODE_MAPS: dict[str, dict[str, str]] = {}


# ---------------------------------------------------------------------------------------------
# Reading code table values as offices write them (代码值别名).
#
# A cell is accepted by the entry's name (汉族), its code (01), the code without leading zeros
# (1), the name without its trailing 族 (汉), GB/T 4658 codes for ZB64, and the aliases of
# data/code_aliases.csv (`table,alias,codes,note`; several codes separated by | when the alias
# is ambiguous, and the import then asks which one is meant).

CODE_ALIASES_PATH = Path(__file__).parent / "data" / "code_aliases.csv"
HINT_LIMIT = 5
SHORT_TABLE = 20  # tables this small list every name in the "not a value" message

_SPACE_RX = re.compile(r"\s+")


def normalize_value(text: str) -> str:
    """What a cell is compared as when it is not found as written: NFKC (full-width letters
    and brackets become ASCII), every space removed (汉 族 → 汉族)."""
    return _SPACE_RX.sub("", unicodedata.normalize("NFKC", text))


@cache
def _alias_rows() -> dict[str, dict[str, list[str]]]:
    """table → alias as written in code_aliases.csv → its codes. Read once per process."""
    tables: dict[str, dict[str, list[str]]] = {}
    with CODE_ALIASES_PATH.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            codes = [c.strip() for c in row["codes"].split("|") if c.strip()]
            alias = row["alias"].strip()
            if alias and codes:
                tables.setdefault(row["table"].strip(), {})[alias] = codes
    return tables


def code_aliases(table: str) -> dict[str, list[str]]:
    """The aliases code_aliases.csv gives for one table, as written there → their codes (one,
    or several when the alias is ambiguous). Derived spellings (汉 for 汉族) are not listed."""
    return {alias: list(codes) for alias, codes in _alias_rows().get(table, {}).items()}


def code_choices(table: str) -> list[str]:
    """The names of a table in code order, for an Excel drop-down list."""
    return [name for _, name in sorted(code_map(table).items())]


@dataclass(frozen=True)
class _Lookup:
    exact: dict[str, str]  # every accepted spelling, as written and normalized → code
    ambiguous: dict[str, list[str]]  # normalized alias → its codes
    names: dict[str, str]  # normalized name → name, for hints


def _lookup_build(table: str) -> _Lookup:
    codes = code_map(table)
    # Later layers win: a real name or code is never shadowed by an alias (the tests check
    # that code_aliases.csv does not try).
    layers: list[dict[str, str]] = []
    ambiguous: dict[str, list[str]] = {}
    csv_aliases: dict[str, str] = {}
    for alias, alias_codes in _alias_rows().get(table, {}).items():
        if len(alias_codes) == 1:
            csv_aliases[alias] = alias_codes[0]
        else:
            ambiguous[normalize_value(alias)] = alias_codes
    layers.append(csv_aliases)
    # 汉 for 汉族, 蒙古 for 蒙古族, 其他 for 其他族; names without 族 (外国血统) give nothing.
    layers.append(
        {name[:-1]: code for code, name in codes.items() if name.endswith("族") and len(name) > 1}
    )
    if table == "ZB64":
        layers.append(dict(GB4658_TO_ZB64))
    layers.append({c.lstrip("0"): c for c in codes if c.isdigit() and c.lstrip("0")})
    layers.append({name: code for code, name in codes.items()})
    layers.append({code: code for code in codes})
    exact: dict[str, str] = {}
    for layer in layers:  # normalized spellings first, then as written
        for spelling, code in layer.items():
            exact[normalize_value(spelling)] = code
    for layer in layers:
        exact.update(layer)
    for key in list(ambiguous):
        if key in exact:  # a real spelling is never ambiguous
            del ambiguous[key]
    names = {normalize_value(name): name for name in codes.values()}
    return _Lookup(exact=exact, ambiguous=ambiguous, names=names)


def _lookup(table: str) -> _Lookup:
    if table not in _LOOKUPS:
        _LOOKUPS[table] = _lookup_build(table)
    return _LOOKUPS[table]


_LOOKUPS: dict[str, _Lookup] = {}


def _not_found(table: str, what: str, text: str, key: str, lookup: _Lookup) -> str:
    message = f"“{text}”不是{what}代码表中的值。"
    close = [name for norm, name in lookup.names.items() if key and (key in norm or norm in key)]
    if close:
        shown = "、".join(close[:HINT_LIMIT]) + ("等" if len(close) > HINT_LIMIT else "")
        return message + f"相近的有：{shown}，请改为其中之一。"
    choices = code_choices(table)
    if len(choices) <= SHORT_TABLE:
        return message + "请改为其中之一：" + "、".join(choices) + "。"
    return message + "请填写代码表中的名称或代码。"


def code_parser(table: str, what: str) -> Callable[[Any], str]:
    """A parser for one Excel cell of code table `table` (`what` names it in messages, e.g.
    民族): returns the code. Accepts the name (汉族), the code (01), the code without leading
    zeros (1), the name without 族 (汉), GB/T 4658 codes for ZB64 (学历), and the aliases of
    code_aliases.csv, also with spaces inside (汉 族) or in full-width characters.

    Unknown or ambiguous text raises CellError saying what to write instead. The lookup is
    built on the first cell (the tables live in the database) and shared by every parser of
    the table; a cell costs one dict lookup unless it is not found as written.
    """
    from .excel import CellError
    from .parsers import parse_text

    lookup: _Lookup | None = None

    def parse(value: Any) -> str:
        nonlocal lookup
        if lookup is None:
            lookup = _lookup(table)
        text = value if type(value) is str else parse_text(value)
        if table == "ZB64" and text.strip() in ZB64_GB4658_CLASHES:
            code = text.strip()
            raise CellError(
                f"代码“{code}”在组织部学历代码中是“{code_map(table).get(code, code)}”，在 GB/T 4658 "
                f"中是“{ZB64_GB4658_CLASHES[code]}”，含义不同，请改填学历名称。"
            )
        code = lookup.exact.get(text)
        if code is not None:
            return code
        text = text.strip()
        key = normalize_value(text)
        code = lookup.exact.get(key)
        if code is not None:
            return code
        codes = lookup.ambiguous.get(key)
        if codes is not None:
            names = code_map(table)
            raise CellError(
                f"“{text}”有多种含义，请改为其中之一："
                + "、".join(names.get(c, c) for c in codes)
                + "。"
            )
        raise CellError(_not_found(table, what, text, key, lookup))

    return parse
