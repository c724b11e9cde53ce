"""The indicator data import (指标数据导入) → the same service the data-entry page uses
(zuzhi.contests.services.indicator_value_set).

Two shapes of sheet: one row per entrant and indicator (考评编号, 参评对象, 指标, 数值), or,
uploaded from a contest's data page, the county's natural wide sheet: one row per entrant, one
column per leaf indicator. Entrants are named by number, or by name or short name when unique.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from zuzhi.core.cells import parse_decimal
from zuzhi.core.excel import CellError, Column, Row
from zuzhi.core.imports import ImportOutcome, validation_messages
from zuzhi.core.params import MAX_ID, id_param
from zuzhi.core.parsers import parse_text

from .models import Contest, Entrant, Indicator, IndicatorValue, StageKind
from .rules import acts_for
from .selectors import contest_visible_q
from .services import indicator_value_set


def parse_id(value):
    text = parse_text(value)
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_ID:
        raise CellError(f"“{text}”不是有效的编号，应为正整数。")
    return int(text)


CONTEST = Column(
    "考评编号", "contest_id", required=True, parse=parse_id, help="考评竞赛页地址中的数字"
)
NUMBER = Column(
    "参评对象编号",
    "number",
    required=True,
    parse=parse_id,
    alternative="参评对象名称",
    help="填编号，或在“参评对象名称”列填名称或简称（如“城关镇”）",
)
NAME = Column("参评对象名称", "name", parse=parse_text, help="填了编号时须与编号一致，防止错行")
INDICATOR = Column(
    "指标", "indicator", required=True, parse=parse_text, help="末级指标名称；重名时写“上级/指标”"
)
VALUE = Column("数值", "value", required=True, parse=parse_decimal)
NOTE = Column("说明", "note", parse=parse_text)
COLUMNS = [CONTEST, NUMBER, NAME, INDICATOR, VALUE, NOTE]
HEADERS = {c.field: c.header for c in COLUMNS}
LEAF = "leaf:"


def _leaf_names(contest: Contest) -> dict[str, Indicator | None]:
    """Every leaf by its name and by "parent/name"; a name shared by two leaves is ambiguous
    (None)."""
    nodes = {
        n.pk: n
        for n in Indicator.objects.filter(stage__contest=contest, stage__kind=StageKind.INDICATORS)
    }
    parents = {n.parent_id for n in nodes.values()}
    leaves = [n for n in nodes.values() if n.pk not in parents]
    names: dict[str, Indicator | None] = {}
    for leaf in sorted(leaves, key=lambda n: (n.order, n.pk)):
        if leaf.parent_id:
            names[f"{nodes[leaf.parent_id].name}/{leaf.name}"] = leaf
        names[leaf.name] = None if leaf.name in names else leaf
    return names


def _optional(col: Column) -> Column:
    return Column(col.header, col.field, parse=col.parse, help=col.help)


class EntrantResolver:
    """An entrant of one contest by number or by name (the entrant's name or its
    organization's short name), when that name is unique."""

    def __init__(self, contest: Contest):
        self.contest = contest
        self.by_number = {
            e.number: e
            for e in Entrant.objects.filter(contest=contest).select_related(
                "organization", "contest"
            )
        }
        self.by_name: dict[str, list[Entrant]] = {}

    def named(self, name: str) -> list[Entrant]:
        if name not in self.by_name:
            compact = "".join(name.split())
            found = [
                e for e in self.by_number.values() if compact in (e.name, e.organization.short_name)
            ] or [
                e
                for e in self.by_number.values()
                if e.name.startswith(compact) or e.organization.name.endswith(compact)
            ]
            self.by_name[name] = sorted(found, key=lambda e: e.number)
        return self.by_name[name]

    def resolve(self, actor, row: Row, outcome: ImportOutcome) -> Entrant | None:
        number, name = row.values.get("number"), row.values.get("name")
        if number is not None:
            entrant = self.by_number.get(number)
            if entrant is None or not acts_for(actor, entrant):
                outcome.error(
                    row.number,
                    NUMBER.header,
                    f"本次考评没有编号为 {number} 的参评对象，或不在您的管理范围内。",
                )
                return None
            if name and "".join(name.split()) not in (
                entrant.name,
                entrant.organization.short_name,
            ):
                outcome.error(
                    row.number,
                    NAME.header,
                    f"编号 {entrant.number} 是“{entrant.name}”，与所填名称不一致。",
                )
                return None
            return entrant
        if not name:
            if NUMBER.header not in row.errors and NAME.header not in row.errors:
                outcome.error(row.number, NAME.header, "请填写参评对象的编号或名称。")
            return None
        found = [e for e in self.named(name) if acts_for(actor, e)]
        if len(found) == 1:
            return found[0]
        if not found:
            outcome.error(
                row.number,
                NAME.header,
                f"本次考评在您的管理范围内没有名为“{name}”的参评对象，请核对名称或改填编号。",
            )
        else:
            outcome.error(
                row.number,
                NAME.header,
                f"“{name}”对应多个参评对象，请改填编号："
                + "；".join(f"{e.number} {e.name}" for e in found[:5])
                + "。",
            )
        return None


class IndicatorValueImporter:
    kind = "indicator_values"
    title = "考评指标数据"
    label_field = "name"
    columns = COLUMNS
    notes = [
        "3. 每行填一个参评对象的一项末级指标；同一对象同一指标再次导入按修改处理。"
        "从某项考评的“指标数据”页进入导入时，也可以用“一行一个参评对象、一列一项指标”的宽表，"
        "列名为末级指标名称，空白格不修改。",
        "4. 参评对象可填编号，或填名称、简称（如“城关镇”，须唯一）；只能填写您管理范围内的参评对象；"
        "结果发布后数据锁定，不能再导入。",
        "5. 数值最多 4 位小数，不带单位；百分数按百分号前的数值读取：92.5% 即 92.5。",
    ]

    def params_from(self, data) -> dict:
        contest = id_param(data, "contest")
        return {"contest": contest} if contest else {}

    def _contest(self, actor, contest_id) -> Contest | None:
        return (
            Contest.objects.filter(contest_visible_q(actor), pk=contest_id, is_template=False)
            .select_related("organization")
            .first()
        )

    def columns_for(self, *, actor, params) -> list[Column]:
        """From a contest's page: the long columns (the contest known) and one column per
        leaf indicator, so either shape of sheet is read."""
        contest = self._contest(actor, params["contest"]) if params.get("contest") else None
        if contest is None:
            return COLUMNS
        taken = {c.header for c in COLUMNS}
        leaves = [
            Column(label, f"{LEAF}{leaf.pk}", parse=parse_decimal)
            for label, leaf in _leaf_names(contest).items()
            if leaf is not None and label not in taken
        ]
        return [
            _optional(CONTEST),
            NUMBER,
            NAME,
            _optional(INDICATOR),
            _optional(VALUE),
            NOTE,
            *leaves,
        ]

    def template_columns(self, *, actor, params) -> list[Column]:
        """From a contest's page the template is the wide sheet: the entrant, then one
        column per leaf indicator (by name, or "上级/指标" where two leaves share a name)."""
        contest = self._contest(actor, params["contest"]) if params.get("contest") else None
        if contest is None:
            return COLUMNS
        leaves: dict[int, str] = {}
        for label, leaf in _leaf_names(contest).items():
            if leaf is not None and ("/" not in label or leaf.pk not in leaves):
                leaves.setdefault(leaf.pk, label)
        units = {n.pk: n.unit for n in Indicator.objects.filter(pk__in=leaves).only("pk", "unit")}
        return [
            _optional(NUMBER),
            NAME,
            *(
                Column(
                    label,
                    f"{LEAF}{pk}",
                    parse=parse_decimal,
                    help=f"单位：{units[pk]}" if units.get(pk) else "",
                )
                for pk, label in leaves.items()
            ),
        ]

    def template_rows(self, *, actor, params, limit: int) -> list[list]:
        """The contest's entrants in the user's scope, so that only the values are typed."""
        contest = self._contest(actor, params["contest"]) if params.get("contest") else None
        if contest is None:
            return []
        entrants = Entrant.objects.filter(contest=contest).visible_to(actor).order_by("number")
        return [[e.number, e.name] for e in entrants[:limit]]

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
        params = params or {}
        contests: dict[int, Contest | None] = {}
        leaves: dict[int, dict] = {}
        entrants: dict[int, EntrantResolver] = {}
        fixed = params.get("contest")
        for done, row in enumerate(rows, start=1):
            progress(done)
            for header, message in row.errors.items():
                outcome.error(row.number, header, message)
            v = row.values
            cid = v.get("contest_id") or fixed
            if cid is None:
                continue  # its 考评编号 cell was refused above
            if fixed and cid != fixed:
                outcome.error(
                    row.number,
                    CONTEST.header,
                    f"本页导入的是考评编号 {fixed} 的数据，此行为 {cid}。",
                )
                continue
            if cid not in contests:
                contests[cid] = self._contest(actor, cid)
                if contests[cid] is not None:
                    leaves[cid] = _leaf_names(contests[cid])
                    entrants[cid] = EntrantResolver(contests[cid])
            if contests[cid] is None:
                outcome.error(row.number, CONTEST.header, f"考评编号 {cid} 不存在或您无权查看。")
                continue
            entrant = entrants[cid].resolve(actor, row, outcome)
            if entrant is None or row.errors:
                continue
            if v.get("indicator") or v.get("value") is not None:
                self._long(actor, row, outcome, entrant, leaves[cid])
            else:
                self._wide(actor, row, outcome, entrant, leaves[cid])

    def _long(self, actor, row, outcome, entrant, leaves) -> None:
        v = row.values
        if not v.get("indicator") or v.get("value") is None:
            missing = INDICATOR.header if not v.get("indicator") else VALUE.header
            outcome.error(row.number, missing, "必填，不能为空。")
            return
        leaf = leaves.get(v["indicator"])
        if leaf is None:
            message = (
                f"指标“{v['indicator']}”有重名，请写成“上级指标/指标”。"
                if v["indicator"] in leaves
                else f"本次考评没有末级指标“{v['indicator']}”。"
            )
            outcome.error(row.number, INDICATOR.header, message)
            return
        changed = self._set(
            actor, row, outcome, entrant, leaf, v["value"], v.get("note") or "", VALUE.header
        )
        if changed:
            outcome.change(row.number, [changed])

    def _wide(self, actor, row, outcome, entrant, leaves) -> None:
        """Each filled indicator column of the row; an empty cell leaves the value as it is."""
        by_pk = {leaf.pk: (label, leaf) for label, leaf in leaves.items() if leaf is not None}
        written, changes = False, []
        for field, value in row.values.items():
            if not field.startswith(LEAF) or value is None:
                continue
            header, leaf = by_pk[int(field[len(LEAF) :])]
            changed = self._set(actor, row, outcome, entrant, leaf, value, None, header)
            if changed:
                changes.append(changed)
            written = True
        if changes:
            outcome.change(row.number, changes)
        if not written:
            outcome.count("unchanged")

    def _set(self, actor, row, outcome, entrant, leaf, value, note, header) -> dict | None:
        """Write one value; an earlier, different value is returned as the change to list."""
        current = IndicatorValue.objects.filter(indicator=leaf, entrant=entrant).first()
        try:
            with transaction.atomic():
                indicator_value_set(
                    actor=actor, entrant=entrant, indicator=leaf, value=value, note=note
                )
            outcome.count("updated" if current else "created")
        except ValidationError as exc:
            for column, message in validation_messages(exc, HEADERS | {"value": header}):
                outcome.error(row.number, column or header, message)
        except Http404:
            outcome.error(row.number, NUMBER.header, "该参评对象不在您的管理范围内。")
        else:
            if current is not None and current.value != value:
                return {
                    "label": f"{entrant.name}：{header}",
                    "old": f"{current.value.normalize():f}",
                    "new": f"{value.normalize():f}",
                    "identity": False,
                }
        return None


INDICATOR_VALUE_IMPORTER = IndicatorValueImporter()
