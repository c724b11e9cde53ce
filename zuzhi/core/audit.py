"""Writing the audit log (审计日志). Services call `audit_record` inside their transaction."""

import datetime
import decimal
import uuid
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from .context import current_request_meta
from .fields import EncryptedCharField, MaskedField
from .models import AuditAction, AuditLog
from .scope import is_system


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The instance's concrete field values as JSON-safe data, for before/after."""
    data = {}
    for f in instance._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        if isinstance(f, EncryptedCharField):
            # The log never holds an encrypted value in clear: its masked copy stands for it,
            # and the blind index (a companion, kept) shows a change the mask would hide.
            data[f.name] = getattr(instance, f.masked_field)
        elif isinstance(f, MaskedField):
            continue
        else:
            data[f.attname if f.is_relation else f.name] = _json_value(
                f.value_from_object(instance)
            )
    return data


def changed_fields(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def audit_record(
    *,
    actor,
    action: AuditAction,
    target: models.Model | None = None,
    org_path: str = "",
    before: dict | None = None,
    after: dict | None = None,
    message: str = "",
    target_type: str = "",
    target_id: str = "",
    target_repr: str = "",
    actor_username: str = "",
    anonymous: bool = False,
) -> AuditLog:
    """Append one log row. `anonymous` leaves out the IP and request id, for secret ballots
    whose order of arrival must not be matched to a device."""
    meta = current_request_meta()
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        target_repr = target_repr or str(target)[:255]
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    if is_user or is_system(actor):
        actor_username = actor.get_username()
    return AuditLog.objects.create(
        actor=actor if is_user else None,
        actor_username=actor_username,
        ip=None if anonymous else meta.ip,
        request_id="" if anonymous else meta.request_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_repr=target_repr,
        org_path=org_path,
        before=before,
        after=after,
        message=message,
    )


def audit_bulk_record(
    *, actor, action: AuditAction, items: list[tuple[models.Model, str, dict]]
) -> None:
    """One audit row per (target, org_path, after), for batch services. Written with a plain
    multi-row INSERT: at 100,000 rows Django's bulk_create machinery costs more than the
    database does, and the log needs none of it."""
    if not items:
        return
    meta = current_request_meta()
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    fields = [f for f in AuditLog._meta.concrete_fields if not f.primary_key]
    # The connection itself rather than the thread-local proxy, which costs on every use.
    db = connections[DEFAULT_DB_ALIAS]
    common = {
        "time": timezone.now(),
        "actor": actor.pk if is_user else None,
        "actor_username": actor.get_username() if is_user or is_system(actor) else "",
        "ip": meta.ip,
        "request_id": meta.request_id,
        "action": action.value if hasattr(action, "value") else action,
        "before": None,
        "message": "",
    }
    # The columns shared by every row are converted once; per row, only the target's
    # columns are new: plain strings, which the database takes as they are, and `after`.
    common = {f.name: f.get_db_prep_save(common[f.name], db) for f in fields if f.name in common}
    after_field = AuditLog._meta.get_field("after")
    columns = ", ".join(db.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {db.ops.quote_name(AuditLog._meta.db_table)} ({columns}) VALUES ({placeholders})"
    rows = []
    for target, org_path, after in items:
        values = common | {
            "target_type": target._meta.label_lower,
            "target_id": str(target.pk),
            "target_repr": str(target)[:255],
            "org_path": org_path,
            "after": after_field.get_db_prep_save(after, db),
        }
        rows.append(tuple(values[f.name] for f in fields))
    with db.cursor() as cursor:
        for start in range(0, len(rows), 2000):
            cursor.executemany(sql, rows[start : start + 2000])
