"""The indicator data import (指标数据导入): one row per entrant and indicator → the same
service the data-entry page uses (zuzhi.contests.services.indicator_value_set)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from zuzhi.core.excel import CellError, Column, Row, parse_text
from zuzhi.core.imports import ImportOutcome, validation_messages
from zuzhi.core.scope import path_in_scope

from .models import Contest, Entrant, Indicator, IndicatorValue, StageKind
from .selectors import contest_visible_q
from .services import indicator_value_set


def parse_id(value):
    text = parse_text(value)
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 2**62:
        raise CellError(f"“{text}”不是有效的编号，应为正整数。")
    return int(text)


COLUMNS = [
    Column("考评编号", "contest_id", required=True, parse=parse_id, help="考评竞赛页地址中的数字"),
    Column("参评对象编号", "number", required=True, parse=parse_id),
    Column("参评对象名称", "name", parse=parse_text, help="可不填；填了须与编号一致，防止错行"),
    Column(
        "指标",
        "indicator",
        required=True,
        parse=parse_text,
        help="末级指标名称；重名时写“上级/指标”",
    ),
    Column("数值", "value", required=True, parse=parse_text),
    Column("说明", "note", parse=parse_text),
]
HEADERS = {c.field: c.header for c in COLUMNS} | {"indicator": "指标"}


def _leaf_names(contest: Contest) -> dict[str, Indicator]:
    """Every leaf by its name and by "parent/name"; a name shared by two leaves is ambiguous."""
    nodes = {
        n.pk: n
        for n in Indicator.objects.filter(stage__contest=contest, stage__kind=StageKind.INDICATORS)
    }
    parents = {n.parent_id for n in nodes.values()}
    leaves = [n for n in nodes.values() if n.pk not in parents]
    names: dict[str, Indicator | None] = {}
    for leaf in leaves:
        if leaf.parent_id:
            names[f"{nodes[leaf.parent_id].name}/{leaf.name}"] = leaf
        names[leaf.name] = None if leaf.name in names else leaf
    return names


class IndicatorValueImporter:
    kind = "indicator_values"
    title = "考评指标数据"
    label_field = "name"
    columns = COLUMNS
    notes = [
        "3. 每行填一个参评对象的一项末级指标；同一对象同一指标再次导入按修改处理。",
        "4. 只能填写您管理范围内的参评对象；结果发布后数据锁定，不能再导入。",
        "5. 数值最多 4 位小数，不带单位。",
    ]

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
        contests: dict[int, Contest | None] = {}
        leaves: dict[int, dict] = {}
        entrants: dict[int, dict[int, Entrant]] = {}
        for done, row in enumerate(rows, start=1):
            progress(done)
            for header, message in row.errors.items():
                outcome.error(row.number, header, message)
            if row.errors:
                continue
            v = row.values
            cid = v["contest_id"]
            if cid not in contests:
                contests[cid] = (
                    Contest.objects.filter(contest_visible_q(actor), pk=cid, is_template=False)
                    .select_related("organization")
                    .first()
                )
                if contests[cid] is not None:
                    leaves[cid] = _leaf_names(contests[cid])
                    entrants[cid] = {
                        e.number: e
                        for e in Entrant.objects.filter(contest_id=cid).select_related(
                            "organization", "contest"
                        )
                    }
            contest = contests[cid]
            if contest is None:
                outcome.error(row.number, "考评编号", f"考评编号 {cid} 不存在或您无权查看。")
                continue
            entrant = entrants[cid].get(v["number"])
            if entrant is None or not path_in_scope(actor, entrant.organization.path):
                outcome.error(
                    row.number,
                    "参评对象编号",
                    f"本次考评没有编号为 {v['number']} 的参评对象，或不在您的管理范围内。",
                )
                continue
            if v.get("name") and v["name"] != entrant.name:
                outcome.error(
                    row.number,
                    "参评对象名称",
                    f"编号 {entrant.number} 是“{entrant.name}”，与所填名称不一致。",
                )
                continue
            leaf = leaves[cid].get(v["indicator"])
            if leaf is None:
                message = (
                    f"指标“{v['indicator']}”有重名，请写成“上级指标/指标”。"
                    if v["indicator"] in leaves[cid]
                    else f"本次考评没有末级指标“{v['indicator']}”。"
                )
                outcome.error(row.number, "指标", message)
                continue
            known = IndicatorValue.objects.filter(indicator=leaf, entrant=entrant).exists()
            try:
                with transaction.atomic():
                    indicator_value_set(
                        actor=actor,
                        entrant=entrant,
                        indicator=leaf,
                        value=v["value"],
                        note=v.get("note") or "",
                    )
                outcome.count("updated" if known else "created")
            except ValidationError as exc:
                for header, message in validation_messages(exc, HEADERS):
                    outcome.error(row.number, header or "数值", message)
            except Http404:
                outcome.error(row.number, "参评对象编号", "该参评对象不在您的管理范围内。")


INDICATOR_VALUE_IMPORTER = IndicatorValueImporter()
