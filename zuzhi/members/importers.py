"""The member import (党员信息导入): the township's Excel sheet → zuzhi.members.services."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from zuzhi.core.codes import GB4658_TO_ZB64, code_map
from zuzhi.core.excel import CellError, Column, Row, choice_parser, parse_date, parse_text
from zuzhi.core.idnumber import normalize
from zuzhi.core.imports import ImportOutcome, validation_messages
from zuzhi.core.scope import path_in_scope, scope_queryset
from zuzhi.orgs.models import Organization

from .models import Member, MemberCategory, MemberStatus
from .services import member_bulk_check, member_bulk_insert, member_update

# Common ways people write education in their sheets, mapped to ZB64 codes.
EDUCATION_ALIASES = {
    "研究生": "11",
    "博士": "11",
    "硕士": "11",
    "本科": "21",
    "大学本科": "21",
    "大专": "31",
    "专科": "31",
    "大学专科": "31",
    "中专": "35",
    "中技": "36",
    "高中": "37",
    "初中": "38",
    "小学": "39",
}


def code_parser(table: str, what: str, aliases: dict[str, str] | None = None):
    """Accepts a code table entry by its name (汉族) or its code (01)."""
    lookup: dict[str, str] = {}

    def parse(value):
        if not lookup:
            # Built on first use (the code tables are read from the database), then reused
            # for every row of the file.
            codes = code_map(table)
            lookup.update({name: code for code, name in codes.items()} | (aliases or {}))
            lookup.update({code: code for code in codes})
            lookup.update({code.lstrip("0"): code for code in codes if code.isdigit()})
        text = parse_text(value)
        if text in lookup:
            return lookup[text]
        raise CellError(f"“{text}”不是{what}代码表中的值。")

    return parse


def parse_gender(value):
    text = parse_text(value)
    if text in ("男", "1"):
        return "1"
    if text in ("女", "2"):
        return "2"
    raise CellError(f"“{text}”不是有效性别，请填“男”或“女”。")


_parse_status_label = choice_parser(MemberStatus.choices)
STATUS_SHORT = {"正式": "正式党员", "预备": "预备党员"}


def parse_status(value):
    text = parse_text(value)
    return _parse_status_label(STATUS_SHORT.get(text, text))


COLUMNS = [
    Column("姓名", "name", required=True, parse=parse_text),
    Column("公民身份号码", "id_number", required=True, parse=lambda v: normalize(parse_text(v))),
    Column("性别", "gender", parse=parse_gender, help="可不填，按公民身份号码自动判断"),
    Column("民族", "ethnicity", required=True, parse=code_parser("GB3304", "民族")),
    Column("出生日期", "birth_date", parse=parse_date, help="可不填，按公民身份号码自动判断"),
    Column(
        "学历",
        "education",
        # Sheets from other departments carry GB/T 4658 codes: they are read too.
        parse=code_parser("ZB64", "学历", GB4658_TO_ZB64 | EDUCATION_ALIASES),
        help="可填学历名称、组织部学历代码或 GB/T 4658 代码",
    ),
    Column("入党日期", "join_date", required=True, parse=parse_date),
    Column("转正日期", "full_date", parse=parse_date),
    Column("党员状态", "status", required=True, parse=parse_status, help="正式党员或预备党员"),
    Column("所在党组织代码", "org_code", required=True, parse=parse_text),
    Column("人员类别", "category", parse=choice_parser(MemberCategory.choices)),
    Column("联系电话", "phone", parse=parse_text),
    Column("工作单位及职务", "work_unit", parse=parse_text),
]
HEADERS = {c.field: c.header for c in COLUMNS} | {"organization": "所在党组织代码"}
BATCH = 5000


class MemberImporter:
    kind = "members"
    title = "党员"
    columns = COLUMNS
    notes = [
        "3. 公民身份号码用于识别党员：已登记的号码按修改处理，不会重复登记；末位 x 可小写。",
        "4. 民族、学历可填名称或代码；性别、出生日期可不填，系统按身份号码判断，填了须一致。",
        "5. 所在党组织须在您的管理范围内；党员换组织请办理组织关系转接，不能在导入中修改。",
        "6. 人员类别填：" + "、".join(label for _, label in MemberCategory.choices) + "。",
    ]

    def apply(
        self, *, actor, rows: list[Row], outcome: ImportOutcome, progress, dry_run: bool
    ) -> None:
        """New members go through the bulk check and insert; known ID numbers are updates
        through member_update. The preview checks without inserting.

        The file is worked through BATCH rows at a time (plan, check, write) so that memory
        stays flat; an error anywhere still rolls everything back (the caller's transaction).
        """
        org_codes = {r.values.get("org_code") for r in rows if r.values.get("org_code")}
        visible = (
            scope_queryset(actor, Organization.objects.all()) if actor else Organization.objects
        )
        orgs = {o.code: o for o in visible.filter(code__in=org_codes)}
        seen: set[str] = set()
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            numbers = [r.values.get("id_number") for r in batch if r.values.get("id_number")]
            existing = {
                m.id_number: m
                for m in Member.objects.select_related("organization").filter(id_number__in=numbers)
            }
            creates: list[tuple[Row, Organization, dict]] = []
            for done, row in enumerate(batch, start=1):
                planned = self._plan(actor, row, outcome, orgs, existing, seen)
                if planned is None:
                    pass
                elif planned[0] == "create":
                    creates.append((row, planned[1], planned[2]))
                else:
                    self._update(actor, row, outcome, planned[1], planned[2])
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

    def _plan(self, actor, row: Row, outcome: ImportOutcome, orgs, existing, seen):
        """("create", org, data), ("update", member, data), or None after recording errors."""
        for header, message in row.errors.items():
            outcome.error(row.number, header, message)
        if row.errors:
            return None
        values = dict(row.values)
        org_code = values.pop("org_code")
        number = values["id_number"]
        if number in seen:
            outcome.error(row.number, "公民身份号码", "该公民身份号码在文件中重复出现。")
            return None
        seen.add(number)
        organization = orgs.get(org_code)
        if organization is None:
            outcome.error(
                row.number, "所在党组织代码", f"党组织代码“{org_code}”不存在或不在您的权限范围内。"
            )
            return None
        data = {k: v for k, v in values.items() if v is not None}
        current = existing.get(number)
        if current is None:
            return ("create", organization, data)
        if actor is not None and not path_in_scope(actor, current.organization.path):
            outcome.error(
                row.number, "公民身份号码", "该党员已登记在其他党组织，请办理组织关系转接。"
            )
            return None
        if current.organization_id != organization.pk:
            outcome.error(
                row.number,
                "所在党组织代码",
                f"该党员现在“{current.organization.name}”，换组织请办理组织关系转接。",
            )
            return None
        return ("update", current, data)

    def _update(self, actor, row: Row, outcome: ImportOutcome, member: Member, data: dict) -> None:
        try:
            with transaction.atomic():
                before = member.updated_at
                updated = member_update(actor=actor, member=member, data=data)
                outcome.count("updated" if updated.updated_at != before else "unchanged")
        except ValidationError as exc:
            for header, message in validation_messages(exc, HEADERS):
                outcome.error(row.number, header, message)
        except Http404:
            outcome.error(row.number, "所在党组织代码", "所在党组织不在您的权限范围内。")


MEMBER_IMPORTER = MemberImporter()
