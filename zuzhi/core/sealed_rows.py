"""Rewriting encrypted columns in batches (加密字段的批量改写): the in-place migration of a
clear column, its reverse, and key rotation (`zuzhi rotate-key`).

Each works in batches of rows in primary-key order, one transaction per batch, with plain SQL
(no model objects), and is resumable: a batch only takes rows still to do (a clear value for
the migration, a prefix other than the current key's for rotation), so a run stopped at any
point is simply started again.
"""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from . import crypto
from .audit import audit_record
from .fields import EncryptedCharField, sealed_models
from .models import AuditAction
from .scope import SYSTEM

BATCH_ROWS = 1000


class _Table:
    """The columns of one model's encrypted fields and their companions, quoted for SQL."""

    def __init__(self, model, names: list[str] | None, connection):
        quote = connection.ops.quote_name
        opts = model._meta
        self.label, self.table, self.pk = (
            opts.label_lower,
            quote(opts.db_table),
            quote(opts.pk.column),
        )
        fields = [
            f
            for f in opts.concrete_fields
            if isinstance(f, EncryptedCharField) and (names is None or f.name in names)
        ]
        self.fields = fields
        self.columns = [quote(f.column) for f in fields]
        self.companions = [
            [quote(opts.get_field(name).column) for name in f.companions()] for f in fields
        ]

    def select(self, where: str) -> str:
        return (
            f"SELECT {self.pk}, {', '.join(self.columns)} FROM {self.table} "
            f"WHERE {self.pk} > %s AND ({where}) ORDER BY {self.pk}"
        )

    def update(self) -> str:
        sets = [
            f"{c} = %s, {i} = %s, {m} = %s"
            for c, (i, m) in zip(self.columns, self.companions, strict=True)
        ]
        return f"UPDATE {self.table} SET {', '.join(sets)} WHERE {self.pk} = %s"


def _values(field: EncryptedCharField, plaintext: str | None) -> list:
    derived = field.derived(plaintext)
    stored = crypto.encrypt(plaintext, context=field.context) if plaintext else plaintext
    return [stored, derived[field.index_field], derived[field.masked_field]]


def _plaintext(field: EncryptedCharField, stored):
    """A column's value in clear: decrypted if it is a ciphertext, else as it is."""
    return crypto.decrypt(stored, context=field.context) if crypto.is_sealed(stored) else stored


def _rewrite(
    table: _Table,
    connection,
    *,
    where: str,
    params: list,
    batch: int,
    on_batch: Callable[[int], None] | None = None,
    budget: list[int] | None = None,
) -> int:
    """Encrypt under the current key, with fresh companions, the rows matching `where`,
    batch by batch; `on_batch(rows)` runs inside each batch's transaction (its audit row).
    `budget` ([batches left]) stops early: tests of resuming."""
    done, last = 0, -1
    while budget is None or budget[0] > 0:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(table.select(where) + f" LIMIT {int(batch)}", [last, *params])
            rows = cursor.fetchall()
            if not rows:
                break
            updates = []
            for pk, *stored in rows:
                values = []
                for field, value in zip(table.fields, stored, strict=True):
                    values += _values(field, _plaintext(field, value))
                updates.append((*values, pk))
            cursor.executemany(table.update(), updates)
            if on_batch:
                on_batch(len(rows))
        done, last = done + len(rows), rows[-1][0]
        if budget is not None:
            budget[0] -= 1
    return done


def _not_sealed(table: _Table) -> tuple[str, list]:
    prefixes = [f"{scheme}:" for scheme in crypto.SCHEMES.values()]
    conditions = []
    for column in table.columns:
        clear = " AND ".join(f"SUBSTR({column}, 1, {len(p)}) <> %s" for p in prefixes)
        conditions.append(f"({column} <> '' AND {clear})")
    return " OR ".join(conditions), prefixes * len(table.columns)


def encrypt_in_place(
    apps, schema_editor, *, model: str, fields: list[str], batch: int = BATCH_ROWS
) -> int:
    """RunPython of a migration that turns clear columns into encrypted ones: each clear value
    is encrypted and its blind index and masked copy written, in batches. Needs the key."""
    Model = apps.get_model(model)
    try:
        crypto.keyring()
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(
            f"迁移要把{Model._meta.verbose_name}（{model}）的 {'、'.join(fields)} 加密存储，"
            f"需要数据加密密钥。{exc} 设置后重新运行 zuzhi migrate：已加密的行会跳过。"
        ) from exc
    table = _Table(Model, fields, schema_editor.connection)
    where, params = _not_sealed(table)
    return _rewrite(table, schema_editor.connection, where=where, params=params, batch=batch)


def decrypt_in_place(
    apps, schema_editor, *, model: str, fields: list[str], batch: int = BATCH_ROWS
):
    """The reverse: encrypted values back to clear text."""
    Model = apps.get_model(model)
    connection = schema_editor.connection
    table = _Table(Model, fields, connection)
    quote = connection.ops.quote_name
    done, last = 0, -1
    while True:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(table.select("1 = 1") + f" LIMIT {int(batch)}", [last])
            rows = cursor.fetchall()
            if not rows:
                return done
            # The companions are left: the reversed schema migration drops them.
            sets = ", ".join(f"{c} = %s" for c in table.columns)
            sql = f"UPDATE {table.table} SET {sets} WHERE {quote(Model._meta.pk.column)} = %s"
            updates = [
                (
                    *(
                        crypto.decrypt(v, context=f.context) if crypto.is_sealed(v) else v
                        for f, v in zip(table.fields, stored, strict=True)
                    ),
                    pk,
                )
                for pk, *stored in rows
            ]
            cursor.executemany(sql, updates)
        done, last = done + len(rows), rows[-1][0]


def sealed_rotate(
    *,
    batch: int = BATCH_ROWS,
    reindex: bool = False,
    progress: Callable[[str], None] = lambda _: None,
    max_batches: int | None = None,
) -> dict[str, int]:
    """Re-encrypt every encrypted column of every model under the current key and cipher
    (`zuzhi rotate-key`), one audit row per batch. With `reindex`, every row is rewritten
    and its blind index and masked copy recomputed (after the index secret changed).
    Returns the rows rewritten per model. `max_batches` stops early (tests of resuming)."""
    ring = crypto.keyring()
    connection = connections[DEFAULT_DB_ALIAS]
    result = {}
    budget = None if max_batches is None else [max_batches]
    for model in sealed_models():
        table = _Table(model, None, connection)
        if reindex:
            where, params = "1 = 1", []
        else:
            n = len(ring.prefix)
            where = " OR ".join(f"({c} <> '' AND SUBSTR({c}, 1, {n}) <> %s)" for c in table.columns)
            params = [ring.prefix] * len(table.columns)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table.table} WHERE {where}", params)
            total = cursor.fetchone()[0]
        if not total:
            progress(f"{model._meta.verbose_name}（{table.label}）：无需重新加密。")
            continue
        counted = {"done": 0}

        def on_batch(rows, model=model, table=table, total=total, counted=counted):
            counted["done"] += rows
            audit_record(
                actor=SYSTEM,
                action=AuditAction.UPDATE,
                target_type=table.label,
                target_repr=f"{rows} 条",
                message=(
                    f"{'重算盲索引并' if reindex else ''}重新加密"
                    f"{model._meta.verbose_name}的加密字段 {rows} 条（密钥 {ring.current.key_id}，"
                    f"进度 {counted['done']}/{total}）"
                ),
            )
            progress(f"{model._meta.verbose_name}（{table.label}）：{counted['done']}/{total}")

        result[table.label] = _rewrite(
            table,
            connection,
            where=where,
            params=params,
            batch=batch,
            on_batch=on_batch,
            budget=budget,
        )
    return result
