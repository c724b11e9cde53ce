"""The member import (党员信息导入): the township's Excel sheet → zuzhi.members.services."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from zuzhi.core.cells import PartialDate, format_partial, parse_partial_date
from zuzhi.core.codes import code_choices, code_map, code_parser
from zuzhi.core.excel import CellError, Column, Row
from zuzhi.core.imports import ImportOutcome, validation_messages
from zuzhi.core.parsers import (
    choice_parser,
    parse_id_number,
    parse_person_name,
    parse_phone,
    parse_text,
)
from zuzhi.core.personal import personal_masked
from zuzhi.core.scope import path_in_scope
from zuzhi.orgs.models import Organization
from zuzhi.orgs.selectors import org_by_name, org_scoped

from .models import Member, MemberCategory, MemberStatus, member_date_display
from .services import (
    MEMBER_ORG_TYPES,
    member_bulk_check,
    member_bulk_insert,
    member_rules,
    member_status_implied,
    member_update,
)
from .services.rules import local_today


def parse_gender(value):
    text = "".join(parse_text(value).split())
    if text in ("男", "1", "男性"):
        return "1"
    if text in ("女", "2", "女性"):
        return "2"
    raise CellError(f"“{text}”不是有效性别，请填“男”或“女”。")


_parse_status_label = choice_parser(MemberStatus.choices)
# 党员状态 as rosters write it: the short form, or the political status (政治面貌) name.
STATUS_ALIASES = {
    "正式": "正式党员",
    "预备": "预备党员",
    "中共党员": "正式党员",
    "中共正式党员": "正式党员",
    "中共预备党员": "预备党员",
}


def parse_status(value):
    text = "".join(parse_text(value).split())
    return _parse_status_label(STATUS_ALIASES.get(text, text))


ORG_CODE, ORG_NAME, STATUS = "所在党组织代码", "所在党组织", "党员状态"
COLUMNS = [
    Column("姓名", "name", required=True, parse=parse_person_name),
    Column("公民身份号码", "id_number", required=True, parse=parse_id_number),
    Column(
        "性别",
        "gender",
        parse=parse_gender,
        help="可不填，按公民身份号码自动判断",
        choices=lambda: ["男", "女"],
    ),
    Column(
        "民族",
        "ethnicity",
        required=True,
        parse=code_parser("GB3304", "民族"),
        choices=lambda: code_choices("GB3304"),
    ),
    Column(
        "出生日期",
        "birth_date",
        parse=parse_partial_date,
        help="可不填，按公民身份号码自动判断；可只写年月，如 1985.03",
    ),
    Column(
        "学历",
        "education",
        # Sheets from other departments carry GB/T 4658 codes: they are read too.
        parse=code_parser("ZB64", "学历"),
        help="可填学历名称、组织部学历代码或 GB/T 4658 代码",
        choices=lambda: code_choices("ZB64"),
    ),
    Column("入党日期", "join_date", required=True, parse=parse_partial_date),
    Column("转正日期", "full_date", parse=parse_partial_date),
    Column(
        STATUS,
        "status",
        parse=parse_status,
        help="正式党员或预备党员；不填时按入党、转正时间推定（入党不满一年为预备党员，"
        "有转正时间或入党满两年为正式党员）",
        choices=lambda: [label for _, label in MemberStatus.choices],
    ),
    Column(
        ORG_CODE,
        "org_code",
        required=True,
        parse=parse_text,
        alternative=ORG_NAME,
        help="填代码或在“所在党组织”列填名称，二者填一即可；代码见“可导入的党组织”工作表",
    ),
    Column(ORG_NAME, "org_name", parse=parse_text, help="党支部或党总支的名称，如“郭坪村党支部”"),
    Column(
        "人员类别",
        "category",
        parse=choice_parser(MemberCategory.choices),
        choices=lambda: [label for _, label in MemberCategory.choices],
    ),
    Column("联系电话", "phone", parse=parse_phone),
    Column("工作单位及职务", "work_unit", parse=parse_text),
]
FIELD_HEADERS = {c.field: c.header for c in COLUMNS}
HEADERS = FIELD_HEADERS | {"organization": ORG_CODE}
IDENTITY_FIELDS = ("name", "birth_date", "gender")
BATCH = 5000


def _shown(field: str, value) -> str:
    """A field's value as the preview shows it: labels, not codes."""
    if value in (None, ""):
        return "（空）"
    if field == "ethnicity":
        return code_map("GB3304").get(value, value)
    if field == "education":
        return code_map("ZB64").get(value, value)
    if field == "gender":
        return {"1": "男", "2": "女"}.get(value, value)
    if field == "status":
        return MemberStatus(value).label if value in MemberStatus.values else value
    if field == "category":
        return MemberCategory(value).label if value in MemberCategory.values else value
    if isinstance(value, PartialDate):
        return format_partial(value)
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}"
    return str(value)


MONTH_DATES = ("join_date", "full_date")


def _changes(member: Member, data: dict) -> tuple[dict, list[dict]]:
    """What an update changes, field by field as the preview shows it (labels, dates at their
    precision). A month-only date in the sheet for a date known to the day within that month
    says nothing new: the day is kept rather than thrown away."""
    data = dict(data)
    for field in MONTH_DATES:
        flag = f"{field}_month_only"
        stored = getattr(member, field)
        if (
            data.get(flag)
            and stored is not None
            and not getattr(member, flag)
            and (stored.year, stored.month) == (data[field].year, data[field].month)
        ):
            del data[field], data[flag]
    changed = []
    for field, value in data.items():
        if field.endswith("_month_only") or not hasattr(member, field):
            continue
        if field in MONTH_DATES:
            flag = f"{field}_month_only"
            old = member_date_display(getattr(member, field), getattr(member, flag))
            new = member_date_display(value, data.get(flag, False))
            if old == new:
                continue
            old, new = old or "（空）", new or "（空）"
        elif getattr(member, field) == value:
            continue
        else:
            stored = personal_masked(member, field, getattr(member, field))
            old, new = _shown(field, stored), _shown(field, value)
        changed.append(
            {
                "label": FIELD_HEADERS.get(field, field),
                "old": old,
                "new": new,
                "identity": field in IDENTITY_FIELDS,
            }
        )
    return data, changed


class OrgResolver:
    """所在党组织 by code or by name, within the uploader's scope: one query per distinct
    name or batch of codes in the file."""

    def __init__(self, actor, rows: list[Row]):
        self.actor = actor
        codes = {r.values.get("org_code") for r in rows if r.values.get("org_code")}
        self.by_code = {o.code: o for o in org_scoped(user=actor).filter(code__in=codes)}
        self.by_name: dict[str, tuple[Organization | None, list[Organization]]] = {}

    def named(self, name: str) -> tuple[Organization | None, list[Organization]]:
        """orgs.selectors.org_by_name, once per distinct name in the file."""
        if name not in self.by_name:
            self.by_name[name] = org_by_name(user=self.actor, name=name, org_types=MEMBER_ORG_TYPES)
        return self.by_name[name]

    def resolve(self, row: Row, outcome: ImportOutcome) -> Organization | None:
        code, name = row.values.get("org_code"), row.values.get("org_name")
        if code:
            org = self.by_code.get(code)
            if org is None:
                outcome.error(
                    row.number, ORG_CODE, f"党组织代码“{code}”不存在或不在您的权限范围内。"
                )
            elif (
                name
                and "".join(name.split()) not in (org.name, org.short_name)
                and not (org.name.endswith("".join(name.split())))
            ):
                outcome.error(
                    row.number,
                    ORG_NAME,
                    f"代码“{code}”是“{org.name}”，与所填名称“{name}”不一致，请核对。",
                )
                return None
            return org
        if not name:
            if ORG_CODE not in row.errors and ORG_NAME not in row.errors:
                outcome.error(row.number, ORG_NAME, "请填写所在党组织的名称或代码。")
            return None
        org, candidates = self.named(name)
        if org is not None:
            if "".join(name.split()) not in (org.name, org.short_name):
                outcome.notice(
                    row.number, ORG_NAME, f"“{name}”按全称“{org.name}”（{org.code}）读取。"
                )
            return org
        if not candidates:
            outcome.error(
                row.number,
                ORG_NAME,
                f"在您的管理范围内没有名为“{name}”的党支部或党总支，请核对名称，或改填党组织代码。",
            )
        else:
            outcome.error(
                row.number,
                ORG_NAME,
                f"没有名为“{name}”的党支部或党总支，是否是以下之一？请改填全称或代码："
                + "；".join(f"{o.name}（{o.code}）" for o in candidates[:5])
                + "。",
            )
        return None


class MemberImporter:
    kind = "members"
    title = "党员"
    label_field = "name"
    columns = COLUMNS
    shown_value = staticmethod(_shown)
    notes = [
        "3. 公民身份号码用于识别党员：已登记的号码按修改处理，不会重复登记；末位 x 可小写。"
        "公民身份号码列必须是“文本”格式：Excel 把 18 位号码存成数字时只保留 15 位有效数字，"
        "后几位会丢失，这样的单元格将被拒绝。15 位旧号码按国家标准自动转为 18 位。",
        "4. 民族、学历可填名称、简称（如“汉”）或代码；性别、出生日期可不填，系统按身份号码判断，"
        "填了须一致。",
        "5. 所在党组织填代码或名称均可（见“可导入的党组织”工作表），须在您的管理范围内；"
        "党员换组织请办理组织关系转接，不能在导入中修改。",
        "6. 人员类别填：" + "、".join(label for _, label in MemberCategory.choices) + "。",
        "7. 出生日期、入党日期、转正日期可只写年月（1985.03、1985年3月、198503），按年月保存，"
        "不会补出日期。",
        "8. 修改已登记党员的姓名时，预览页会列出新旧姓名，须逐行勾选确认后才会写入。",
        "9. 党员状态可不填：有转正时间或入党满两年的推定为正式党员，入党不满一年的推定为预备党员，"
        "入党一至两年且没有转正时间的须填写；已登记党员不填则保持不变。",
    ]

    def template_orgs(self, *, actor, limit: int) -> list[tuple[str, str]]:
        """The branches and general branches the user may import members into."""
        visible = Organization.objects.visible_to(actor)
        return list(
            visible.filter(org_type__in=MEMBER_ORG_TYPES, is_active=True)
            .order_by("path")
            .values_list("name", "code")[:limit]
        )

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
        """New members go through the bulk check and insert; known ID numbers are updates
        through member_update. The preview checks without inserting.

        The file is worked through BATCH rows at a time (plan, check, write) so that memory
        stays flat; an error anywhere still rolls everything back (the caller's transaction).
        """
        orgs = OrgResolver(actor, rows)
        seen: set[str] = set()
        today = local_today()
        implied: dict[str, list[int]] = {}
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            numbers = [r.values.get("id_number") for r in batch if r.values.get("id_number")]
            existing = {
                m.id_number: m
                for m in Member.objects.select_related("organization").filter(id_number__in=numbers)
            }
            creates: list[tuple[Row, Organization, dict]] = []
            for done, row in enumerate(batch, start=1):
                planned = self._plan(actor, row, outcome, orgs, existing, seen, today, implied)
                if planned is None:
                    pass
                elif planned[0] == "create":
                    creates.append((row, planned[1], planned[2]))
                else:
                    self._update(actor, row, outcome, planned[1], planned[2], dry_run, confirmed)
                # Checking is about half of a batch's work, writing the other half.
                progress(start + done // 2)
            good, errors = member_bulk_check(
                actor=actor, rows=[(org, data) for _, org, data in creates]
            )
            for index, fields in errors.items():
                for field, messages in fields.items():
                    for message in messages:
                        outcome.error(creates[index][0].number, HEADERS.get(field, ""), message)
            if not outcome.errors and not dry_run:
                member_bulk_insert(actor=actor, rows=good)
            if good:
                outcome.count("created", len(good))
            progress(start + len(batch))
        for status, numbers in implied.items():
            outcome.notice(
                None,
                STATUS,
                f"{len(numbers)} 名新登记党员未填党员状态，已按入党、转正时间推定为"
                f"{MemberStatus(status).label}"
                + (
                    "（有转正时间或入党已满两年）"
                    if status == MemberStatus.FULL
                    else "（入党不满一年）"
                )
                + "：第 "
                + "、".join(map(str, numbers[:20]))
                + (f" 等 {len(numbers)} 行" if len(numbers) > 20 else " 行")
                + "。",
            )

    def _data(self, row: Row, outcome: ImportOutcome) -> tuple[dict, set[str]]:
        """The row's fields for the services, and the fields refused here; month-only dates
        checked against the ID number and kept at their precision."""
        refused: set[str] = set()
        data = {
            k: v
            for k, v in row.values.items()
            if v is not None and k not in ("org_code", "org_name")
        }
        born = data.pop("birth_date", None)
        if born is not None:
            if born.precision == "day":
                data["birth_date"] = born.day
            elif data.get("id_number") and len(data["id_number"]) == 18:
                number = data["id_number"]
                if number[6:12] != f"{born.day:%Y%m}":
                    outcome.error(
                        row.number,
                        "出生日期",
                        f"出生年月与公民身份号码不一致（号码中为 {number[6:10]}.{number[10:12]}）。",
                    )
                    refused.add("birth_date")
        for field in ("join_date", "full_date"):
            if isinstance(data.get(field), PartialDate):
                partial = data.pop(field)
                data[field] = partial.day
                data[f"{field}_month_only"] = partial.precision == "month"
        return data, refused

    def _implied_status(self, row: Row, data: dict, outcome, implied, today) -> bool:
        """A new member's 党员状态 left out of the sheet, filled where the dates leave no
        doubt (member_status_implied) and listed in the preview; False after an error."""
        if "status" in data or STATUS in row.errors or "join_date" not in data:
            return True
        status = member_status_implied(
            join_date=data["join_date"],
            join_month_only=data.get("join_date_month_only", False),
            full_date=data.get("full_date"),
            today=today,
        )
        if status is None:
            outcome.error(
                row.number,
                STATUS,
                "未填党员状态：入党已满一年、不满两年且没有转正日期，无法判断是否已转正，"
                "请填写“正式党员”或“预备党员”。",
            )
            return False
        data["status"] = status
        implied.setdefault(status, []).append(row.number)
        return True

    def _plan(self, actor, row: Row, outcome: ImportOutcome, orgs, existing, seen, today, implied):
        """("create", org, data), ("update", member, data), or None after recording errors.
        A row with unreadable cells still gets every other check, so that one upload shows
        all of its problems."""
        for header, message in row.errors.items():
            outcome.error(row.number, header, message)
        organization = orgs.resolve(row, outcome)
        data, refused = self._data(row, outcome)
        number = data.get("id_number")
        current = existing.get(number) if number else None
        if current is None and not self._implied_status(row, data, outcome, implied, today):
            refused.add("status")
        incomplete = bool(row.errors or refused)
        if incomplete:
            failed = refused | {f for f, h in FIELD_HEADERS.items() if h in row.errors}
            for field, messages in member_rules(dict(data), today=today).items():
                if field not in failed:
                    for message in messages:
                        outcome.error(row.number, HEADERS.get(field, ""), message)
        if number is None:
            return None
        if number in seen:
            outcome.error(row.number, "公民身份号码", "该公民身份号码在文件中重复出现。")
            return None
        seen.add(number)
        if current is not None:
            if not path_in_scope(actor, current.organization.path):
                outcome.error(
                    row.number, "公民身份号码", "该党员已登记在其他党组织，请办理组织关系转接。"
                )
                return None
            if organization is not None and current.organization_id != organization.pk:
                outcome.error(
                    row.number,
                    ORG_CODE if row.values.get("org_code") else ORG_NAME,
                    f"该党员现在“{current.organization.name}”，换组织请办理组织关系转接。",
                )
                return None
        if incomplete or organization is None:
            return None
        if current is None:
            return ("create", organization, data)
        return ("update", current, data)

    def _update(
        self,
        actor,
        row: Row,
        outcome: ImportOutcome,
        member: Member,
        data: dict,
        dry_run: bool,
        confirmed: frozenset[int],
    ) -> None:
        data, changed = _changes(member, data)
        if changed:
            outcome.change(row.number, changed)
        identity = [c for c in changed if c["identity"]]
        if identity and not dry_run and row.number not in confirmed:
            outcome.error(
                row.number,
                identity[0]["label"],
                f"将把{identity[0]['label']}由“{identity[0]['old']}”改为“{identity[0]['new']}”，"
                "须在预览页勾选确认。",
            )
            return
        try:
            with transaction.atomic():
                before = member.updated_at
                updated = member_update(actor=actor, member=member, data=data)
                outcome.count("updated" if updated.updated_at != before else "unchanged")
        except ValidationError as exc:
            for header, message in validation_messages(exc, HEADERS):
                outcome.error(row.number, header, message)
        except Http404:
            outcome.error(row.number, ORG_CODE, "所在党组织不在您的权限范围内。")


MEMBER_IMPORTER = MemberImporter()
