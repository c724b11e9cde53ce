"""Adding members in bulk (批量导入党员): checked row by row, inserted in one statement per batch."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone

from zuzhi.core.audit import audit_bulk_record
from zuzhi.core.crypto import blind_index
from zuzhi.core.fields import MaskedField, sealed_derived, sealed_fields
from zuzhi.core.models import AuditAction
from zuzhi.core.text import initials_index
from zuzhi.orgs.figures import org_figures_refresh
from zuzhi.orgs.models import Organization

from ..models import (
    Member,
)
from .rules import EDITABLE, local_today, member_rules, organization_errors

SEALED = frozenset(sealed_fields(Member))
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
    today = local_today()
    # An organization's answer is the same for each of its rows: asked once per batch.
    org_errors: dict[int | None, dict[str, list[str]]] = {}
    for index, (organization, data) in enumerate(rows):
        data = {k: v for k, v in data.items() if k in EDITABLE}
        row_errors = member_rules(data, today=today)
        key = organization.pk if organization is not None else None
        if key not in org_errors:
            org_errors[key] = organization_errors(actor, organization)
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
    # Numbers are encrypted: they are matched by their blind index.
    by_index = {blind_index("id_number", number): number for number in numbers}
    ordered = list(by_index)
    for start in range(0, len(ordered), 5000):
        chunk = ordered[start : start + 5000]
        registered |= {
            by_index[i]
            for i in Member.objects.filter(id_number_index__in=chunk).values_list(
                "id_number_index", flat=True
            )
        }
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
    # Encrypted values are written as ciphertext and logged as their masked copy.
    names = [f.attname for f in fields]
    sealed = [(i, f, names.index(f.masked_field)) for i, f in enumerate(fields) if f in SEALED]
    masked = [f.attname for f in fields if isinstance(f, MaskedField)]
    params, afters = [], []
    for record in records:
        row, after = record.copy(), dict(zip(names, record, strict=True))
        for i, f, converted in dated:
            value = record[i]
            if value is not None:
                if value not in converted:
                    converted[value] = (f.get_db_prep_save(value, db), value.isoformat())
                row[i], after[f.attname] = converted[value]
        for i, f, m in sealed:
            row[i], after[f.attname] = f.get_db_prep_save(record[i], db), record[m]
        for name in masked:
            del after[name]
        params.append(tuple(row))
        afters.append(after)
    return params, afters


def _insert_members(fields, params: list[tuple], db) -> dict[str, int]:
    """INSERT the rows (executemany, one statement prepared once); the new ids by the
    blind index of their number."""
    quote, opts = db.ops.quote_name, Member._meta
    number = opts.get_field("id_number_index").column
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
        merged["name_initials"] = initials_index(merged["name"])
        merged |= sealed_derived(Member, merged)
        records.append([merged[n] for n in names])
    params, afters = _db_rows(fields, records, db)
    at_index = names.index("id_number_index")
    with transaction.atomic():
        ids = _insert_members(fields, params, db)
        members, items = [], []
        for (org, _data), record, after in zip(rows, records, afters, strict=True):
            pk = ids[record[at_index]]
            members.append(Member.from_db(db.alias, ["id", *names], [pk, *record]))
            items.append((members[-1], org.path, {"id": pk} | after))
        audit_bulk_record(actor=actor, action=AuditAction.CREATE, items=items)
        # Once committed, in a short transaction of its own: an import of a county's registry
        # is one long transaction, and must not hold every branch's figures until it ends.
        touched = {org.pk for org, _ in rows}
        transaction.on_commit(lambda: org_figures_refresh(organization_ids=touched))
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
