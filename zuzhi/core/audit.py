"""Writing the audit log (审计日志). Services call `audit_record` inside their transaction.

Each row is queued for its seal (AuditPending) in the same transaction, and sealed into the
hash chain once that transaction commits (core.audit_chain)."""

import contextlib
import datetime
import decimal
import functools
import uuid
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models, router, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from .audit_chain import audit_seal_after_commit
from .context import current_request_meta
from .fields import EncryptedCharField, MaskedField
from .models import AuditAction, AuditLog, AuditPending
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


def _one_transaction(using: str):
    """The row and its queue entry commit together, also when the caller has no transaction."""
    if connections[using].in_atomic_block:
        return contextlib.nullcontext()
    return transaction.atomic(using=using)


@functools.cache
def _log_fields() -> list[models.Field]:
    return [f for f in AuditLog._meta.concrete_fields if not f.primary_key]


def _log_insert(connection, *, with_id: bool = False) -> str:
    qn = connection.ops.quote_name
    columns = [f.column for f in _log_fields()]
    if with_id:
        columns.insert(0, "id")
    return (
        f"INSERT INTO {qn(AuditLog._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )


def _queue(connection) -> str:
    return connection.ops.quote_name(AuditPending._meta.db_table)


def _insert(row: AuditLog, *, using: str) -> None:
    """Write the row and its queue entry with plain SQL, as the ORM's save would write the
    row (there are no signals): one round trip on PostgreSQL, where a second statement made
    audit_record a third slower, for imports that call it once per row."""
    connection = connections[using]
    values = [f.get_db_prep_save(f.pre_save(row, True), connection) for f in _log_fields()]
    insert = _log_insert(connection)
    with _one_transaction(using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH new AS ({insert} RETURNING id) "
                f"INSERT INTO {_queue(connection)} (log_id) SELECT id FROM new RETURNING log_id",
                values,
            )
            (row.pk,) = cursor.fetchone()
        else:
            cursor.execute(insert, values)
            row.pk = cursor.lastrowid
            cursor.execute(f"INSERT INTO {_queue(connection)} (log_id) VALUES (%s)", [row.pk])
    row._state.adding = False
    row._state.db = using


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
    using: str | None = None,
) -> AuditLog:
    """Append one log row. `anonymous` leaves out the IP and request id, for secret ballots
    whose order of arrival must not be matched to a device. `using` is the connection whose
    transaction it joins (pruning writes its row through its own)."""
    meta = current_request_meta()
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        target_repr = target_repr or str(target)[:255]
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    if is_user or is_system(actor):
        actor_username = actor.get_username()
    row = AuditLog(
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
    # The router is asked, as the ORM would ask it: its answer marks the request as a writer
    # (core.db_router), also for services that write their own rows with raw SQL.
    using = using or router.db_for_write(AuditLog)
    _insert(row, using=using)
    audit_seal_after_commit(using=using, rows=1)
    return row


def audit_bulk_record(
    *, actor, action: AuditAction, items: list[tuple[models.Model, str, dict]]
) -> None:
    """One audit row per (target, org_path, after), for batch services. Written with plain
    executemany: at 100,000 rows Django's bulk_create machinery costs more than the database
    does, and the log needs none of it. Each row is queued for its seal: on PostgreSQL the
    ids are drawn from the sequence beforehand and queued by one statement per 2,000 rows;
    on SQLite one INSERT … SELECT queues the ids above the largest one before, all of them
    this transaction's (SQLite's IMMEDIATE transactions hold the write lock from their
    start)."""
    if not items:
        return
    meta = current_request_meta()
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    fields = _log_fields()
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
    log, queue = db.ops.quote_name(AuditLog._meta.db_table), _queue(db)
    postgresql = db.vendor == "postgresql"
    insert = _log_insert(db, with_id=postgresql)
    with _one_transaction(DEFAULT_DB_ALIAS), db.cursor() as cursor:
        if postgresql:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [AuditLog._meta.db_table])
            (sequence,) = cursor.fetchone()
        else:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {log}")
            (before,) = cursor.fetchone()
        for start in range(0, len(rows), 2000):
            chunk = rows[start : start + 2000]
            if not postgresql:
                cursor.executemany(insert, chunk)
                continue
            # The ids are drawn first, so that the queue takes them in one statement.
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, len(chunk)])
            ids = [log_id for (log_id,) in cursor.fetchall()]
            cursor.executemany(insert, [(i, *row) for i, row in zip(ids, chunk, strict=True)])
            cursor.execute(f"INSERT INTO {queue} (log_id) SELECT unnest(%s::bigint[])", [ids])
        if not postgresql:
            cursor.execute(
                f"INSERT INTO {queue} (log_id) SELECT id FROM {log} WHERE id > %s", [before]
            )
    audit_seal_after_commit(using=DEFAULT_DB_ALIAS, rows=len(items))
