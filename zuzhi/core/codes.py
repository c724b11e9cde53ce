"""Official code tables (代码表) from DmGrp.xml, the appointment-form software's code file."""

import xml.etree.ElementTree as ET
from pathlib import Path

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
