"""The organization list import (党组织导入): Excel rows → zuzhi.orgs.services."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from zuzhi.core.excel import Column, Row
from zuzhi.core.imports import ImportOutcome, validation_messages
from zuzhi.core.parsers import choice_parser, parse_date, parse_text
from zuzhi.core.personal import personal_masked

from .models import Organization, OrgType, UnitCategory
from .services import org_create, org_update

COLUMNS = [
    Column(
        "组织代码", "code", required=True, parse=parse_text, help="唯一；已存在的代码按修改处理"
    ),
    Column("组织名称", "name", required=True, parse=parse_text),
    Column(
        "组织类型",
        "org_type",
        required=True,
        parse=choice_parser(OrgType.choices),
        choices=lambda: [label for _, label in OrgType.choices],
    ),
    Column(
        "单位类别",
        "unit_category",
        parse=choice_parser(UnitCategory.choices),
        choices=lambda: [label for _, label in UnitCategory.choices],
    ),
    Column(
        "上级组织代码",
        "parent_code",
        required=True,
        parse=parse_text,
        help="可以是本表前面行的组织",
    ),
    Column("书记", "secretary_name", parse=parse_text),
    Column("书记电话", "secretary_phone", parse=parse_text),
    Column("成立日期", "founded_on", parse=parse_date),
    Column("本届任期开始", "term_start", parse=parse_date),
    Column("本届任期届满", "term_end", parse=parse_date),
    Column("行政区划代码", "division_code", parse=parse_text, help="6 位行政区划代码（GB/T 2260）"),
    Column("地址", "address", parse=parse_text),
]
HEADERS = {c.field: c.header for c in COLUMNS} | {"parent": "上级组织代码"}
# Optional columns left empty keep the current value rather than clearing it.
OPTIONAL_FIELDS = [c.field for c in COLUMNS if not c.required]
LOOKUP_CHUNK = 5000


class OrganizationImporter:
    kind = "orgs"
    title = "党组织"
    label_field = "name"
    columns = COLUMNS
    notes = [
        "3. 组织类型填：" + "、".join(label for _, label in OrgType.choices) + "。",
        "4. 单位类别填：" + "、".join(label for _, label in UnitCategory.choices) + "。",
        "5. 上级组织必须在您的管理范围内；组织代码已存在时按修改处理，不会重复新建。",
        "6. 修改已有组织时，选填列留空表示保持原值不变。",
    ]

    def template_orgs(self, *, actor, limit: int) -> list[tuple[str, str]]:
        """The organizations the user may name as 上级组织 (their scope)."""
        visible = Organization.objects.visible_to(actor)
        return list(
            visible.filter(is_active=True).order_by("path").values_list("name", "code")[:limit]
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
        # Rows may name parents created earlier in the same file, so even the preview writes
        # (inside the transaction the preview rolls back).
        codes = {r.values.get("code") for r in rows} | {r.values.get("parent_code") for r in rows}
        codes = sorted(c for c in codes if c)
        visible = Organization.objects.visible_to(actor)
        known: dict[str, Organization] = {}
        taken: set[str] = set()
        # Looked up once, 5,000 codes per query (SQLite limits the parameters of one query).
        for start in range(0, len(codes), LOOKUP_CHUNK):
            chunk = codes[start : start + LOOKUP_CHUNK]
            known |= {o.code: o for o in visible.filter(code__in=chunk)}
            taken |= set(Organization.objects.filter(code__in=chunk).values_list("code", flat=True))
        seen: set[str] = set()
        for done, row in enumerate(rows, start=1):
            self._row(actor, row, outcome, known, taken, seen)
            progress(done)

    def _row(self, actor, row: Row, outcome: ImportOutcome, known, taken, seen) -> None:
        for header, message in row.errors.items():
            outcome.error(row.number, header, message)
        values = dict(row.values)
        code, parent_code = values.pop("code"), values.pop("parent_code")
        # The code and the parent are checked even when another cell of the row is bad, so
        # that one upload shows every problem of the row.
        if code is not None and code in seen:
            outcome.error(row.number, "组织代码", f"组织代码“{code}”在文件中重复出现。")
            return
        seen.add(code)
        parent = known.get(parent_code)
        if parent is None and parent_code is not None:
            outcome.error(
                row.number,
                "上级组织代码",
                f"上级组织代码“{parent_code}”不存在或不在您的权限范围内。",
            )
            return
        if row.errors:
            return
        data = {k: v for k, v in values.items() if v is not None or k not in OPTIONAL_FIELDS}
        existing = known.get(code)
        if existing is None and code in taken:
            outcome.error(
                row.number, "组织代码", f"组织代码“{code}”已被使用，且不在您的权限范围内。"
            )
            return
        try:
            with transaction.atomic():
                if existing is None:
                    known[code] = org_create(
                        actor=actor, parent=parent, data={"code": code, **data}
                    )
                    outcome.count("created")
                else:
                    changed = _changes(existing, data, parent)
                    if changed:
                        outcome.change(row.number, changed)
                    before = existing.updated_at
                    known[code] = org_update(
                        actor=actor, org=existing, data={"parent": parent, **data}
                    )
                    outcome.count("updated" if known[code].updated_at != before else "unchanged")
        except ValidationError as exc:
            for header, message in validation_messages(exc, HEADERS):
                outcome.error(row.number, header, message)
        except Http404:
            outcome.error(row.number, "上级组织代码", "上级组织不在您的权限范围内。")


def _shown(field: str, value) -> str:
    if value in (None, ""):
        return "（空）"
    if field == "org_type":
        return OrgType(value).label if value in OrgType.values else value
    if field == "unit_category":
        return UnitCategory(value).label if value in UnitCategory.values else value
    return str(value)


def _changes(org: Organization, data: dict, parent: Organization) -> list[dict]:
    """An update as the preview lists it, field by field (old → new), labels not codes."""
    changed = [
        {
            "label": HEADERS.get(field, field),
            "old": _shown(field, personal_masked(org, field, getattr(org, field))),
            "new": _shown(field, value),
            "identity": False,
        }
        for field, value in data.items()
        if hasattr(org, field) and getattr(org, field) != value
    ]
    if org.parent_id != parent.pk:
        changed.append(
            {
                "label": "上级组织代码",
                "old": org.parent.code if org.parent_id else "（无）",
                "new": parent.code,
                "identity": False,
            }
        )
    return changed


ORG_IMPORTER = OrganizationImporter()
