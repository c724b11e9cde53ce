"""The demand catalogue import (人才需求目录导入, kind "talent_demands"): Excel rows → the
entries of one draft edition (?edition=<id>, from the edition's page).

Every row is checked by services.entry_rules; any bad cell leaves the whole file unwritten
(core.imports rolls back), and the good rows are then written at once."""

from typing import Any

from zuzhi.core.excel import CellError, Column, Row
from zuzhi.core.imports import ImportOutcome
from zuzhi.core.params import id_param
from zuzhi.core.parsers import choice_parser, parse_text
from zuzhi.talent.models import Degree

from .models import DemandEdition, EditionStatus
from .services import entries_bulk_create, entry_rules


def parse_number(value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 9999:
        raise CellError("需求人数应为 1 至 9999 的整数。")
    return value


COLUMNS = [
    Column("所属产业", "industry", required=True, parse=parse_text, help="如：氯碱化工"),
    Column("用人单位", "employer", required=True, parse=parse_text),
    Column("需求岗位", "post", required=True, parse=parse_text),
    Column("需求人数", "number", required=True, parse=parse_number),
    Column(
        "学历要求",
        "degree",
        parse=choice_parser(Degree.choices),
        choices=lambda: [label for _, label in Degree.choices],
    ),
    Column("专业要求", "major", parse=parse_text),
    Column("经验要求", "experience", parse=parse_text),
    Column("其他要求", "requirements", parse=parse_text),
    Column("薪酬待遇", "salary", parse=parse_text, help="如：年薪15-25万元"),
    Column("住房保障", "housing", parse=parse_text),
    Column("补贴政策", "subsidies", parse=parse_text),
    Column(
        "联系方式",
        "contact",
        parse=parse_text,
        help="单位的办公电话（座机）或电子邮箱，会公开，不填个人手机；可不填",
    ),
    Column("内部备注", "note", parse=parse_text, help="不公开"),
]
HEADERS = {c.field: c.header for c in COLUMNS}
NO_EDITION = "请从一份草稿状态的需求目录页面进入导入（导入的岗位加入该目录）。"


class DemandEntryImporter:
    kind = "talent_demands"
    title = "人才需求岗位"
    label_field = "post"
    columns = COLUMNS
    notes = [
        "3. 每行一个需求岗位，导入到所选的年度需求目录（须为草稿，已发布的请先撤回发布）。",
        "4. 需求人数填整数；学历要求填“博士研究生”“硕士研究生”“大学本科”“大学专科”“其他”或不填。",
        "5. 联系方式填单位的办公电话，可不填；内部备注不会公开。",
    ]

    def params_from(self, data) -> dict:
        edition = id_param(data, "edition")
        return {"edition": edition} if edition else {}

    def apply(
        self,
        *,
        actor,
        rows: list[Row],
        outcome: ImportOutcome,
        progress,
        dry_run: bool,
        confirmed: frozenset[int] = frozenset(),
        params=None,
    ) -> None:
        edition = (
            DemandEdition.objects.visible_to(actor)
            .filter(pk=(params or {}).get("edition") or 0)
            .select_related("county")
            .first()
        )
        if edition is None:
            outcome.error(None, "", NO_EDITION)
            return
        if edition.status != EditionStatus.DRAFT:
            outcome.error(None, "", f"“{edition.title}”已发布，不能导入，请先撤回发布。")
            return
        good = []
        for done, row in enumerate(rows, start=1):
            for header, message in row.errors.items():
                outcome.error(row.number, header, message)
            failed = {f for f, h in HEADERS.items() if h in row.errors}
            data = {k: v for k, v in row.values.items() if v is not None}
            errors = {f: m for f, m in entry_rules(data).items() if f not in failed}
            for field, messages in errors.items():
                for message in messages:
                    outcome.error(row.number, HEADERS.get(field, ""), message)
            if not errors and not row.errors:
                good.append(data)
            progress(done)
        if good and not outcome.errors and not dry_run:
            entries_bulk_create(actor=actor, edition=edition, rows=good)
        if good:
            outcome.count("created", len(good))


DEMAND_ENTRY_IMPORTER = DemandEntryImporter()
