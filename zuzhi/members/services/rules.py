"""The member registry's rules (党员信息库的规则): fields, statuses and dates, shared by every write."""

import datetime
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from zuzhi.core import idnumber
from zuzhi.core.cells import normalize_person_name
from zuzhi.core.codes import code_map
from zuzhi.core.dates import OUT_OF_RANGE, is_plausible
from zuzhi.core.phones import phone_clean
from zuzhi.core.scope import path_in_scope
from zuzhi.orgs.models import Organization, OrgType

from ..models import (
    MemberStatus,
)

EDITABLE_FIELDS = [
    "name",
    "id_number",
    "gender",
    "ethnicity",
    "birth_date",
    "education",
    "join_date",
    "join_date_month_only",
    "full_date",
    "full_date_month_only",
    "status",
    "category",
    "phone",
    "work_unit",
]
EDITABLE = frozenset(EDITABLE_FIELDS)
STATUSES = frozenset(MemberStatus.values)
MEMBER_ORG_TYPES = (
    OrgType.BRANCH,
    OrgType.JOINT_BRANCH,
    OrgType.GENERAL_BRANCH,
    OrgType.JOINT_GENERAL_BRANCH,
)
PHONE_RX = re.compile(r"\A(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})\Z")


def local_today() -> datetime.date:
    return timezone.localdate()


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` later; 29 February becomes 1 March."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return datetime.date(day.year + years, 3, 1)


def _before(day: datetime.date, other: datetime.date, *, by_month: bool) -> bool:
    """`day` is earlier than `other`; by month when either is known only to the month."""
    if by_month:
        return (day.year, day.month) < (other.year, other.month)
    return day < other


def member_status_implied(
    *,
    join_date: datetime.date,
    join_month_only: bool = False,
    full_date: datetime.date | None = None,
    today: datetime.date | None = None,
) -> str | None:
    """The status a roster without a 党员状态 column implies, where the rules leave no doubt:
    a 转正 date means 正式党员; joined less than a year ago, 预备党员 (the probation is a
    year); joined two years ago or more, 正式党员 (a probation extended at most a year has
    ended either way). In between, only the branch knows: None."""
    today = today or local_today()
    if full_date:
        return MemberStatus.FULL
    # A month-only join may be any day of its month: the earliest day for "less than a year
    # ago", the last for "two years ago or more".
    last_day = join_date
    if join_month_only:
        last_day = (join_date.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        last_day -= datetime.timedelta(days=1)
    if add_years(join_date, 1) > today:
        return MemberStatus.PROBATIONARY
    if add_years(last_day, 2) <= today:
        return MemberStatus.FULL
    return None


def _dated(data: dict[str, Any], field: str) -> tuple[datetime.date | None, bool]:
    """A member date and whether only its year and month are known (年月). A month-only date
    is kept as the first of its month; with no date the flag means nothing and is cleared."""
    day = data.get(field)
    month_only = bool(day) and bool(data.get(f"{field}_month_only"))
    if month_only:
        day = day.replace(day=1)
        data[field] = day
    data[f"{field}_month_only"] = month_only
    return day, month_only


def member_rules(
    data: dict[str, Any], *, today: datetime.date | None = None
) -> dict[str, list[str]]:
    """Check one member's fields and fill what the ID number implies (birth date, gender).

    Pure: no queries beyond the cached code tables, so a bulk import can call it per row
    (passing `today` once for the whole batch). Returns the errors by field; `data` is
    completed in place.
    """
    errors: dict[str, list[str]] = {}
    today = today or local_today()

    def err(field, message):
        errors.setdefault(field, []).append(message)

    # Names and phones as they are kept, however typed (王　芳 → 王芳, 138-1234-5678): the
    # same for the form, the API and the import.
    name = normalize_person_name(data.get("name") or "")
    data["name"] = name
    if not name:
        err("name", "请填写姓名。")
    elif len(name) > 32:
        err("name", "姓名不能超过 32 个字。")
    number = None
    try:
        number = idnumber.validate(data.get("id_number") or "", living=True, today=today)
        data["id_number"] = number
    except idnumber.IdNumberError as exc:
        err("id_number", str(exc))
    if number:
        born, gender = idnumber.birth_date(number), idnumber.gender_code(number)
        if data.get("birth_date") and data["birth_date"] != born:
            err("birth_date", f"出生日期与公民身份号码不一致（号码中为 {born:%Y-%m-%d}）。")
        if data.get("gender") and data["gender"] != gender:
            err(
                "gender", f"性别与公民身份号码不一致（号码中为{'男' if gender == '1' else '女'}）。"
            )
        data["birth_date"], data["gender"] = born, gender
    if data.get("ethnicity") not in code_map("GB3304"):
        err("ethnicity", "请按民族代码表（GB 3304）填写民族。")
    if data.get("education") and data["education"] not in code_map("ZB64"):
        err("education", "请按学历代码表填写学历。")
    phone = data.get("phone") or ""
    try:
        # 联系电话 may be a landline: rosters keep the home phone of members without a mobile.
        phone = phone_clean(phone, landline=True)
    except ValidationError as exc:
        err("phone", exc.messages[0])
    data["phone"] = phone
    # A month-only date (年月) is checked at month level: any day of its month may be the
    # real one, so it is refused only when every day of that month would be refused.
    join, join_by_month = _dated(data, "join_date")
    if not join:
        err("join_date", "请填写入党日期。")
    elif not is_plausible(join):
        err("join_date", OUT_OF_RANGE)
    else:
        if _before(today, join, by_month=join_by_month):
            err("join_date", "入党日期不能晚于今天。")
        born = data.get("birth_date")
        if born and _before(join, add_years(born, 18), by_month=join_by_month):
            err("join_date", "入党时应年满 18 周岁。")
    status = data.get("status")
    if status not in STATUSES:
        err("status", "党员状态应为正式党员或预备党员。")
    full, full_by_month = _dated(data, "full_date")
    if full and not is_plausible(full):
        err("full_date", OUT_OF_RANGE)
        full = None
    if status == MemberStatus.PROBATIONARY and full:
        err("full_date", "预备党员没有转正日期。")
    if full and join and _before(full, join, by_month=join_by_month or full_by_month):
        err("full_date", "转正日期不能早于入党日期。")
    if full and _before(today, full, by_month=full_by_month):
        err("full_date", "转正日期不能晚于今天。")
    return errors


def organization_errors(actor, organization: Organization | None) -> dict[str, list[str]]:
    if organization is None:
        return {"organization": ["请选择所在党组织。"]}
    if not path_in_scope(actor, organization.path):
        return {"organization": ["所在党组织不在您的权限范围内。"]}
    if organization.org_type not in MEMBER_ORG_TYPES:
        return {"organization": ["党员应编入党支部或党总支。"]}
    if not organization.is_active:
        return {"organization": [f"“{organization.name}”已撤销，不能再编入党员。"]}
    return {}


def raise_errors(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


SCOPE_REFUSED = "试图修改权限范围以外的党员"
