"""Writes to the member registry (党员信息库). Each checks scope, validates and audits."""

import datetime
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, transaction
from django.utils import timezone

from zuzhi.core import idnumber
from zuzhi.core.audit import audit_bulk_record, audit_record, changed_fields, snapshot
from zuzhi.core.cells import normalize_person_name, normalize_phone
from zuzhi.core.codes import code_map
from zuzhi.core.dates import OUT_OF_RANGE, is_plausible
from zuzhi.core.excel import CellError
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import acting_user, path_in_scope, require_in_scope
from zuzhi.core.text import pinyin_initials
from zuzhi.orgs.models import Organization, OrgType

from .models import (
    CaseKind,
    Member,
    MemberCase,
    MemberStatus,
    MemberTransfer,
    MobileRecord,
    TransferStatus,
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


def _today() -> datetime.date:
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
    today = today or _today()
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
    today = today or _today()

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
    if phone and not PHONE_RX.match(phone):
        try:
            phone = normalize_phone(phone)
        except CellError as exc:
            err("phone", str(exc))
        else:
            if not PHONE_RX.match(phone):
                err("phone", "联系电话应为 11 位手机号码或带区号的固定电话。")
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


def _check_org(actor, organization: Organization | None) -> dict[str, list[str]]:
    if organization is None:
        return {"organization": ["请选择所在党组织。"]}
    if not path_in_scope(actor, organization.path):
        return {"organization": ["所在党组织不在您的权限范围内。"]}
    if organization.org_type not in MEMBER_ORG_TYPES:
        return {"organization": ["党员应编入党支部或党总支。"]}
    if not organization.is_active:
        return {"organization": [f"“{organization.name}”已撤销，不能再编入党员。"]}
    return {}


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


SCOPE_REFUSED = "试图修改权限范围以外的党员"


def member_create(*, actor, organization: Organization, data: dict[str, Any]) -> Member:
    """Register a member (党员信息录入) in an organization inside the actor's scope."""
    data = {k: v for k, v in data.items() if k in EDITABLE_FIELDS}
    errors = member_rules(data)
    for field, messages in _check_org(actor, organization).items():
        errors.setdefault(field, []).extend(messages)
    if "id_number" not in errors and Member.objects.filter(id_number=data["id_number"]).exists():
        errors["id_number"] = ["该公民身份号码已登记，不能重复录入；如需转入请办理组织关系转接。"]
    _raise(errors)
    member = Member(organization=organization, name_initials=pinyin_initials(data["name"]), **data)
    try:
        with transaction.atomic():
            member.save()
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                target=member,
                org_path=organization.path,
                after=snapshot(member),
            )
    except IntegrityError as exc:
        raise ValidationError({"id_number": ["该公民身份号码已登记，不能重复录入。"]}) from exc
    return member


def member_update(*, actor, member: Member, data: dict[str, Any]) -> Member:
    """Correct a member's record (修改). The organization changes only by transfer."""
    require_in_scope(actor, member.organization.path, target=member, message=SCOPE_REFUSED)
    with transaction.atomic():
        member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
        before = snapshot(member)
        merged = {f: getattr(member, f) for f in EDITABLE_FIELDS}
        merged.update({k: v for k, v in data.items() if k in EDITABLE_FIELDS})
        for field in ("join_date", "full_date"):
            # A date given without its flag is a full date: it replaces a month-only one.
            if field in data and f"{field}_month_only" not in data:
                merged[f"{field}_month_only"] = False
        if "id_number" in data:
            # Birth date and gender follow a corrected ID number unless given explicitly.
            for derived in ("birth_date", "gender"):
                if derived not in data:
                    merged.pop(derived)
        errors = member_rules(merged)
        if (
            "id_number" not in errors
            and Member.objects.filter(id_number=merged["id_number"]).exclude(pk=member.pk).exists()
        ):
            errors["id_number"] = ["该公民身份号码已登记在另一名党员名下。"]
        _raise(errors)
        for key, value in merged.items():
            setattr(member, key, value)
        member.name_initials = pinyin_initials(member.name)
        old, new = changed_fields(before, snapshot(member))
        old.pop("updated_at", None)
        new.pop("updated_at", None)
        if not new:
            return member
        member.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=member,
            org_path=member.organization.path,
            before=old,
            after=new,
        )
    return member


def _move(member: Member, to_org: Organization) -> None:
    Member.objects.filter(pk=member.pk).update(organization=to_org, updated_at=timezone.now())
    member.organization = to_org


def member_transfer(
    *, actor, member: Member, to_org: Organization, transfer_date: datetime.date, reason: str
) -> MemberTransfer:
    """Start a transfer (组织关系转出). Inside the actor's scope it takes effect at once;
    otherwise it waits for the receiving organization to accept."""
    require_in_scope(actor, member.organization.path, target=member, message=SCOPE_REFUSED)
    errors: dict[str, list[str]] = {}
    if to_org is None:
        errors["to_org"] = ["请选择转入党组织。"]
    elif to_org.org_type not in MEMBER_ORG_TYPES:
        errors["to_org"] = ["转入组织应为党支部或党总支。"]
    elif to_org.pk == member.organization_id:
        errors["to_org"] = ["转入组织与现所在组织相同。"]
    if not transfer_date:
        errors["transfer_date"] = ["请填写转接日期。"]
    elif not is_plausible(transfer_date):
        errors["transfer_date"] = [OUT_OF_RANGE]
    elif transfer_date > _today() + datetime.timedelta(days=90):
        errors["transfer_date"] = ["转接日期不能晚于 90 天以后。"]
    if not (reason or "").strip():
        errors["reason"] = ["请填写转接原因。"]
    _raise(errors)
    with transaction.atomic():
        member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
        if MemberTransfer.objects.filter(member=member, status=TransferStatus.PENDING).exists():
            raise ValidationError({"to_org": ["该党员已有待接收的转接，请先办结或撤销。"]})
        local = path_in_scope(actor, to_org.path)
        transfer = MemberTransfer.objects.create(
            member=member,
            from_org=member.organization,
            to_org=to_org,
            transfer_date=transfer_date,
            reason=reason.strip(),
            status=TransferStatus.ACCEPTED if local else TransferStatus.PENDING,
            requested_by=acting_user(actor),
            decided_by=acting_user(actor) if local else None,
            decided_at=timezone.now() if local else None,
        )
        before = {"organization_id": member.organization_id}
        if local:
            _move(member, to_org)
        audit_record(
            actor=actor,
            action=AuditAction.MOVE if local else AuditAction.UPDATE,
            target=member,
            org_path=transfer.from_org.path,
            before=before,
            after={
                "organization_id": member.organization_id,
                "transfer_id": transfer.pk,
                "status": transfer.status,
            },
            message=f"组织关系转接：{transfer.from_org} → {to_org}（{transfer.get_status_display()}）",
        )
    return transfer


def member_transfer_decide(
    *, actor, transfer: MemberTransfer, accept: bool, note: str = ""
) -> MemberTransfer:
    """The receiving side accepts (接收) or returns (退回) a pending transfer."""
    require_in_scope(
        actor, transfer.to_org.path, target=transfer, message="试图接收权限范围以外的转接"
    )
    with transaction.atomic():
        transfer = (
            MemberTransfer.objects.select_for_update()
            .select_related("member", "to_org", "from_org")
            .get(pk=transfer.pk)
        )
        if transfer.status != TransferStatus.PENDING:
            raise ValidationError(
                {"status": [f"该转接已{transfer.get_status_display()}，不能重复办理。"]}
            )
        if not accept and not note.strip():
            raise ValidationError({"decision_note": ["退回时请填写原因。"]})
        transfer.status = TransferStatus.ACCEPTED if accept else TransferStatus.REJECTED
        transfer.decided_by, transfer.decided_at, transfer.decision_note = (
            acting_user(actor),
            timezone.now(),
            note.strip(),
        )
        transfer.save()
        member = transfer.member
        before = {"organization_id": member.organization_id}
        if accept:
            _move(member, transfer.to_org)
        audit_record(
            actor=actor,
            action=AuditAction.MOVE if accept else AuditAction.UPDATE,
            target=member,
            org_path=transfer.to_org.path if accept else transfer.from_org.path,
            before=before,
            after={
                "organization_id": member.organization_id,
                "transfer_id": transfer.pk,
                "status": transfer.status,
            },
            message=f"组织关系转接{'接收' if accept else '退回'}：{transfer.from_org} → {transfer.to_org}",
        )
    return transfer


def member_transfer_cancel(*, actor, transfer: MemberTransfer) -> MemberTransfer:
    """The sending side withdraws a pending transfer (撤销)."""
    require_in_scope(
        actor, transfer.from_org.path, target=transfer, message="试图撤销权限范围以外的转接"
    )
    with transaction.atomic():
        transfer = MemberTransfer.objects.select_for_update().get(pk=transfer.pk)
        if transfer.status != TransferStatus.PENDING:
            raise ValidationError({"status": ["只有待接收的转接可以撤销。"]})
        transfer.status = TransferStatus.CANCELLED
        transfer.decided_by, transfer.decided_at = acting_user(actor), timezone.now()
        transfer.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=transfer.member,
            org_path=transfer.from_org.path,
            after={"transfer_id": transfer.pk, "status": transfer.status},
            message="撤销组织关系转接",
        )
    return transfer


FIELD_LABELS = {f.name: str(f.verbose_name) for f in Member._meta.fields} | {
    "organization": "所在党组织"
}


def member_bulk_check(
    *, actor, rows: list[tuple[Organization, dict[str, Any]]]
) -> tuple[list[tuple[Organization, dict[str, Any]]], dict[int, dict[str, list[str]]]]:
    """Check many new members at once (批量录入校验) with the rules of member_create.

    Returns the good rows, their data completed by member_rules, and the errors of the others
    by row index. Builds no Member objects: an import's preview checks and throws away.
    Queries: one per 5,000 rows for numbers already registered.
    """
    errors: dict[int, dict[str, list[str]]] = {}
    good: list[tuple[Organization, dict[str, Any]]] = []
    numbers: dict[str, int] = {}
    today = _today()
    # An organization's answer is the same for each of its rows: asked once per batch.
    org_errors: dict[int | None, dict[str, list[str]]] = {}
    for index, (organization, data) in enumerate(rows):
        data = {k: v for k, v in data.items() if k in EDITABLE}
        row_errors = member_rules(data, today=today)
        key = organization.pk if organization is not None else None
        if key not in org_errors:
            org_errors[key] = _check_org(actor, organization)
        for field, messages in org_errors[key].items():
            row_errors.setdefault(field, []).extend(messages)
        number = data.get("id_number")
        if "id_number" not in row_errors:
            if number in numbers:
                row_errors["id_number"] = [f"与第 {numbers[number] + 1} 条的公民身份号码重复。"]
            numbers.setdefault(number, index)
        if row_errors:
            errors[index] = row_errors
            continue
        good.append((organization, data))
    registered = set()
    ordered = list(numbers)
    for start in range(0, len(ordered), 5000):
        chunk = ordered[start : start + 5000]
        registered |= set(
            Member.objects.filter(id_number__in=chunk).values_list("id_number", flat=True)
        )
    if registered:
        for number in registered:
            errors.setdefault(numbers[number], {}).setdefault("id_number", []).append(
                "该公民身份号码已登记，不能重复录入。"
            )
        good = [(org, data) for org, data in good if data["id_number"] not in registered]
    return good, errors


def _db_rows(fields, records: list[list], db) -> tuple[list[tuple], list[dict[str, Any]]]:
    """Each record (values in the order of `fields`) as database parameters, and as
    snapshot() would put it in the audit log. Text, numbers and None need nothing; dates and
    times are converted by their field (ISO text in the log), each distinct value once: dates
    repeat, and every row has the same created_at and updated_at."""
    dated = [(i, f, {}) for i, f in enumerate(fields) if isinstance(f, models.DateField)]
    names = [f.attname for f in fields]
    params, afters = [], []
    for record in records:
        row, after = record.copy(), dict(zip(names, record, strict=True))
        for i, f, converted in dated:
            value = record[i]
            if value is not None:
                if value not in converted:
                    converted[value] = (f.get_db_prep_save(value, db), value.isoformat())
                row[i], after[f.attname] = converted[value]
        params.append(tuple(row))
        afters.append(after)
    return params, afters


def _insert_members(fields, params: list[tuple], db) -> dict[str, int]:
    """INSERT the rows (executemany, one statement prepared once); the new ids by number."""
    quote, opts = db.ops.quote_name, Member._meta
    number = opts.get_field("id_number").column
    at = [f.column for f in fields].index(number)
    ids: dict[str, int] = {}
    with db.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO {} ({}) VALUES ({})".format(
                quote(opts.db_table),
                ", ".join(quote(f.column) for f in fields),
                ", ".join(["%s"] * len(fields)),
            ),
            params,
        )
        for start in range(0, len(params), 5000):
            chunk = [row[at] for row in params[start : start + 5000]]
            cursor.execute(
                "SELECT {0}, {1} FROM {2} WHERE {0} IN ({3})".format(
                    quote(number),
                    quote(opts.pk.column),
                    quote(opts.db_table),
                    ", ".join(["%s"] * len(chunk)),
                ),
                chunk,
            )
            ids |= dict(cursor.fetchall())
    return ids


def member_bulk_insert(*, actor, rows: list[tuple[Organization, dict[str, Any]]]) -> list[Member]:
    """Write rows that member_bulk_check passed, with one audit row each.

    Plain SQL rather than bulk_create: at 100,000 rows, building Member objects and preparing
    every field of each costs more than the database's writing does.
    """
    if not rows:
        return []
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself: the proxy costs on every use
    fields = [f for f in Member._meta.concrete_fields if not f.primary_key]
    names = [f.attname for f in fields]
    now = timezone.now()
    defaults = {f.attname: f.get_default() for f in fields} | {"created_at": now, "updated_at": now}
    records = []
    for org, data in rows:
        merged = defaults | data | {"organization_id": org.pk}
        merged["name_initials"] = pinyin_initials(merged["name"])
        records.append([merged[n] for n in names])
    params, afters = _db_rows(fields, records, db)
    with transaction.atomic():
        ids = _insert_members(fields, params, db)
        members, items = [], []
        for (org, data), record, after in zip(rows, records, afters, strict=True):
            pk = ids[data["id_number"]]
            members.append(Member.from_db(db.alias, ["id", *names], [pk, *record]))
            items.append((members[-1], org.path, {"id": pk} | after))
        audit_bulk_record(actor=actor, action=AuditAction.CREATE, items=items)
    return members


def member_bulk_create(*, actor, rows: list[tuple[Organization, dict[str, Any]]]) -> list[Member]:
    """Register many new members at once: all or nothing. A bad row raises ValidationError
    keyed by row index."""
    good, errors = member_bulk_check(actor=actor, rows=rows)
    if errors:
        raise ValidationError(
            {
                str(index): [f"{FIELD_LABELS.get(f, f)}：{m}" for f, ms in row.items() for m in ms]
                for index, row in sorted(errors.items())
            }
        )
    return member_bulk_insert(actor=actor, rows=good)


def mobile_register(
    *,
    actor,
    member: Member,
    destination: str,
    left_on: datetime.date,
    destination_org: Organization | None = None,
    contact: str = "",
) -> MobileRecord:
    """Register a member going away (流动党员登记). The destination organization, if named,
    sees the member too and shares the management (双向管理)."""
    require_in_scope(actor, member.organization.path, target=member, message=SCOPE_REFUSED)
    errors: dict[str, list[str]] = {}
    if not destination.strip():
        errors["destination"] = ["请填写外出地点及单位。"]
    if left_on is None or left_on > _today():
        errors["left_on"] = ["请填写不晚于今天的外出日期。"]
    elif not is_plausible(left_on):
        errors["left_on"] = [OUT_OF_RANGE]
    if MobileRecord.objects.filter(member=member, returned_on__isnull=True).exists():
        errors["member"] = ["该党员已登记为流动党员，返回后才能再次登记。"]
    _raise(errors)
    with transaction.atomic():
        record = MobileRecord.objects.create(
            member=member,
            origin_org=member.organization,
            destination_org=destination_org,
            destination=destination.strip(),
            left_on=left_on,
            contact=contact.strip(),
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=record,
            org_path=member.organization.path,
            after=snapshot(record),
        )
    return record


def mobile_return(*, actor, record: MobileRecord, returned_on: datetime.date) -> MobileRecord:
    """The member is back (流动党员返回)."""
    if not (record.destination_org and path_in_scope(actor, record.destination_org.path)):
        require_in_scope(
            actor, record.origin_org.path, target=record, message="试图办理权限范围以外的流动党员"
        )
    if record.returned_on is not None:
        raise ValidationError({"returned_on": ["该党员已返回。"]})
    if returned_on is None or returned_on < record.left_on or returned_on > _today():
        raise ValidationError({"returned_on": ["返回日期应在外出日期之后、今天之前。"]})
    with transaction.atomic():
        record.returned_on = returned_on
        record.save(update_fields=["returned_on"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=record,
            org_path=record.origin_org.path,
            before={"returned_on": None},
            after={"returned_on": returned_on.isoformat()},
        )
    return record


def member_case_open(
    *, actor, member: Member, kind: str, opened_on: datetime.date, situation: str, handler: str
) -> MemberCase:
    """Open a lost-contact or inactive-member case (失联 / 口袋党员排查)."""
    require_in_scope(actor, member.organization.path, target=member, message=SCOPE_REFUSED)
    errors: dict[str, list[str]] = {}
    if kind not in CaseKind.values:
        errors["kind"] = ["请选择类型。"]
    if not situation.strip():
        errors["situation"] = ["请填写情况说明。"]
    if not handler.strip():
        errors["handler"] = ["请指定责任人。"]
    if opened_on is None or opened_on > _today():
        errors["opened_on"] = ["请填写不晚于今天的日期。"]
    elif not is_plausible(opened_on):
        errors["opened_on"] = [OUT_OF_RANGE]
    if (
        kind in CaseKind.values
        and MemberCase.objects.filter(member=member, kind=kind, is_open=True).exists()
    ):
        errors["kind"] = ["该党员已有未办结的同类记录。"]
    _raise(errors)
    with transaction.atomic():
        case = MemberCase.objects.create(
            member=member,
            kind=kind,
            opened_on=opened_on,
            situation=situation.strip(),
            handler=handler.strip(),
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=case,
            org_path=member.organization.path,
            after=snapshot(case),
        )
    return case


def member_case_close(
    *, actor, case: MemberCase, resolution: str, closed_on: datetime.date
) -> MemberCase:
    """Close a case with its resolution (办结), e.g. contact restored or membership ended."""
    require_in_scope(
        actor, case.member.organization.path, target=case.member, message=SCOPE_REFUSED
    )
    errors: dict[str, list[str]] = {}
    if not case.is_open:
        errors["case"] = ["该记录已办结。"]
    if not resolution.strip():
        errors["resolution"] = ["请填写处理结果。"]
    if closed_on is None or closed_on < case.opened_on or closed_on > _today():
        errors["closed_on"] = ["办结日期应在发现日期之后、今天之前。"]
    _raise(errors)
    with transaction.atomic():
        case.is_open, case.resolution, case.closed_on = False, resolution.strip(), closed_on
        case.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=case,
            org_path=case.member.organization.path,
            before={"is_open": True},
            after={
                "is_open": False,
                "resolution": case.resolution,
                "closed_on": closed_on.isoformat(),
            },
        )
    return case
