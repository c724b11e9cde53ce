"""The hash chain of the audit log (审计日志哈希链).

Every audit row is sealed once: its content, as read back from the database, is hashed
(`row_hash`) and chained to the seal before it (`chain_next`), in the order of sealing (`seq`).
Changing a sealed row, its seal, or deleting either shows in `zuzhi verify-audit`
(core.audit_verify) at the first link that no longer holds; the head hash, written down or
forwarded to syslog, shows a chain rewritten from some point on.

Rows wait in AuditPending from the transaction that writes them. `audit_seal` takes them in
short transactions of its own, after that transaction commits (`audit_seal_after_commit`,
once per transaction), so that no lock is held from an audit insert until a long import
commits. `zuzhi seal-audit` (cron) seals what a failed or skipped run left.
"""

import datetime
import functools
import hashlib
import json
import logging
import math
import socket
from dataclasses import dataclass
from decimal import Decimal
from logging.handlers import SysLogHandler
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .models import AuditLog, AuditPending, AuditSeal

logger = logging.getLogger(__name__)

# The first seal chains from this value.
GENESIS = "0" * 64
# Written first into every row's serialization, so that the serialization may change later.
VERSION = "zuzhi-audit-v1"
# The columns hashed, in this order.
FIELDS = (
    "id",
    "time",
    "actor_id",
    "actor_username",
    "ip",
    "request_id",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "org_path",
    "before",
    "after",
    "message",
)
SEAL_BATCH = 5000
# After a commit, its own rows are sealed and this many older ones besides: a backlog (the
# rows of an upgraded database) drains a little with each transaction, never all at once in
# one user's request.
BACKLOG_PER_COMMIT = 1000
# A transaction that wrote more rows than this (an import) leaves their sealing to a task of
# its own in the worker, so that the import is reported done without waiting for it.
SEAL_IN_WORKER_ROWS = 5000
# pg_advisory_xact_lock's key for sealing and pruning ("zuzhiaud").
LOCK_KEY = int.from_bytes(b"zuzhiaud", "big") & 0x7FFF_FFFF_FFFF_FFFF


def _canonical(value):
    """JSON as both databases give it back. PostgreSQL's jsonb keeps numbers as numeric and
    prints them without exponent: a float written as 1e+16 comes back as the integer
    10000000000000000. So integral floats count as the integer their shortest form
    names (100.0 → 100, 1e+300 → 10**300); other floats are kept, which both read back
    exactly."""
    kind = type(value)
    if kind is dict:
        return {
            key: item if type(item) in _PLAIN else _canonical(item) for key, item in value.items()
        }
    if kind is list:
        return [item if type(item) in _PLAIN else _canonical(item) for item in value]
    if kind is float and math.isfinite(value) and value.is_integer():
        return int(Decimal(repr(value)))
    return value


_PLAIN = {str, int, bool, type(None)}


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def row_content(row: dict) -> bytes:
    """The bytes hashed for a log row (`FIELDS`, as `values()` reads them): a JSON array of the
    version and the fields; the JSON columns with sorted keys."""
    row = row | {
        "time": _utc(row["time"]),
        "before": _canonical(row["before"]),
        "after": _canonical(row["after"]),
    }
    values = [VERSION, *(row[name] for name in FIELDS)]
    text = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8", "surrogatepass")


def row_hash(row: dict) -> str:
    return hashlib.sha256(row_content(row)).hexdigest()


def chain_next(previous: str, row_digest: str, seq: int) -> str:
    """SHA-256 of the previous chain hash, the row's hash and its sequence number (8 bytes)."""
    data = bytes.fromhex(previous) + bytes.fromhex(row_digest) + seq.to_bytes(8, "big")
    return hashlib.sha256(data).hexdigest()


def log_rows(*, using: str, ids: list[int]) -> list[dict]:
    """The log rows with these ids, as hashed, in id order."""
    return list(AuditLog.objects.using(using).filter(pk__in=ids).order_by("id").values(*FIELDS))


def chain_lock(*, using: str, wait: bool = True) -> bool:
    """Serialize sealing and pruning, inside the caller's transaction. SQLite's IMMEDIATE
    transactions already run one at a time; PostgreSQL takes an advisory lock until commit.
    Without `wait`, False when another holds it."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        return cursor.fetchone()[0]


def audit_seal(
    *, using: str = DEFAULT_DB_ALIAS, limit: int | None = None, wait: bool = True
) -> int:
    """Seal waiting rows, oldest id first, in transactions of SEAL_BATCH rows; at most `limit`
    rows. Without `wait`, stop when another sealer holds the lock (it seals them). Returns the
    rows taken from the queue."""
    taken = 0
    while limit is None or taken < limit:
        size = SEAL_BATCH if limit is None else min(SEAL_BATCH, limit - taken)
        with transaction.atomic(using=using):
            if not chain_lock(using=using, wait=wait):
                break
            done = _seal_batch(using=using, size=size)
        taken += done
        if done < size:
            break
    return taken


def _seal_batch(*, using: str, size: int) -> int:
    connection = connections[using]
    pending = AuditPending.objects.using(using)
    ids = list(pending.order_by("log_id").values_list("log_id", flat=True)[:size])
    if not ids:
        return 0
    # A queue entry of a row sealed already, or gone (both only by hand), is only dropped.
    rows = list(
        AuditLog.objects.using(using)
        .filter(pk__in=ids)
        .annotate(sealed=Exists(AuditSeal.objects.filter(log_id=OuterRef("pk"))))
        .order_by("id")
        .values(*FIELDS, "sealed")
    )
    seq, chain = AuditSeal.objects.using(using).order_by("-seq").values_list(
        "seq", "chain_hash"
    ).first() or (0, GENESIS)
    sealed_at = AuditSeal._meta.get_field("sealed_at").get_db_prep_save(timezone.now(), connection)
    new = []
    for row in rows:
        if row["sealed"]:
            continue
        seq += 1
        digest = row_hash(row)
        chain = chain_next(chain, digest, seq)
        new.append((seq, row["id"], digest, chain))
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Plain statements: for 5,000 rows the ORM's bulk machinery costs more than the work.
        if new:
            cursor.executemany(
                f"INSERT INTO {qn(AuditSeal._meta.db_table)} "
                "(seq, log_id, row_hash, chain_hash, sealed_at) VALUES (%s, %s, %s, %s, %s)",
                [(*seal, sealed_at) for seal in new],
            )
        cursor.execute(
            f"DELETE FROM {qn(AuditPending._meta.db_table)} "
            f"WHERE log_id IN ({', '.join(['%s'] * len(ids))})",
            ids,
        )
    if settings.ZUZHI_AUDIT_SYSLOG and new:
        sent = [row for row in rows if not row["sealed"]]
        transaction.on_commit(functools.partial(_forward, sent, new), using=using)
    return len(ids)


@dataclass
class _Scheduled:
    """The sealing registered for one transaction of a connection."""

    hooks: list  # the connection's on_commit list it was registered in
    rows: int


def audit_seal_after_commit(*, using: str, rows: int) -> None:
    """Seal once the current transaction commits (at once outside one): one run per
    transaction, however many audit rows it writes. A failure is logged, never raised: the
    user's work has committed, and `zuzhi seal-audit` seals what is left."""
    connection = connections[using]
    if not connection.in_atomic_block:
        _seal_quietly(using=using, rows=rows)
        return
    state = getattr(connection, "_zuzhi_audit_seal", None)
    # A commit or rollback gives the connection a new list: the transaction is then another.
    if state is not None and state.hooks is connection.run_on_commit:
        state.rows += rows
        return
    state = _Scheduled(hooks=connection.run_on_commit, rows=rows)
    connection._zuzhi_audit_seal = state
    transaction.on_commit(functools.partial(_run_scheduled, using, state), using=using)


def _run_scheduled(using: str, state: _Scheduled) -> None:
    connection = connections[using]
    if getattr(connection, "_zuzhi_audit_seal", None) is state:
        connection._zuzhi_audit_seal = None
    if state.rows > SEAL_IN_WORKER_ROWS:
        _seal_in_worker(using=using)
    else:
        _seal_quietly(using=using, rows=state.rows)


def _seal_in_worker(*, using: str) -> None:
    from .tasks import seal_audit  # the tasks module imports the import jobs, which audit

    try:
        seal_audit.enqueue(using=using)
    except Exception:
        logger.exception("审计日志封存任务未能排队，留待 zuzhi seal-audit 补封。")


def _seal_quietly(*, using: str, rows: int) -> None:
    try:
        audit_seal(using=using, limit=rows + BACKLOG_PER_COMMIT, wait=False)
    except Exception:
        logger.exception("审计日志封存失败，留待 zuzhi seal-audit 补封。")


# --- forwarding to syslog -------------------------------------------------------------------
@functools.cache
def _syslog_handler(address: str) -> SysLogHandler:
    """`udp://host:514`, `tcp://host:514`, or a local socket's path such as /dev/log."""
    kind, target = None, address  # a local socket: datagram, else stream (SysLogHandler's)
    if "://" in address:
        parts = urlsplit(address)
        kind = {"udp": socket.SOCK_DGRAM, "tcp": socket.SOCK_STREAM}[parts.scheme]
        target = (parts.hostname, parts.port or 514)
    handler = SysLogHandler(address=target, facility=SysLogHandler.LOG_AUTHPRIV, socktype=kind)
    handler.ident = "zuzhi-audit: "
    # A line of JSON: a datagram holds one; over TCP a newline ends each (no NUL in either).
    handler.append_nul = False
    if kind == socket.SOCK_STREAM:
        handler.setFormatter(logging.Formatter("%(message)s\n"))
    return handler


def _forward(rows: list[dict], seals: list[tuple]) -> None:
    """One JSON line per sealed row. Before and after stay out: they may hold personal data,
    and the row's hash covers them. Runs after the seals' commit; a failure is logged only."""
    try:
        _send(rows, seals)
    except Exception:
        logger.exception("审计日志转发到 syslog 失败。")


def _send(rows: list[dict], seals: list[tuple]) -> None:
    handler = _syslog_handler(settings.ZUZHI_AUDIT_SYSLOG)
    for row, (seq, _, digest, chain) in zip(rows, seals, strict=True):
        line = {
            "seq": seq,
            "chain_hash": chain,
            "row_hash": digest,
            "id": row["id"],
            "time": _utc(row["time"]),
            "actor": row["actor_username"],
            "ip": row["ip"],
            "action": row["action"],
            "target_type": row["target_type"],
            "target_id": row["target_id"],
            "target": row["target_repr"],
            "org_path": row["org_path"],
            "message": row["message"][:500],
        }
        message = json.dumps(line, ensure_ascii=False, separators=(",", ":"))
        handler.handle(
            logging.LogRecord("zuzhi.audit", logging.INFO, __file__, 0, message, None, None)
        )
