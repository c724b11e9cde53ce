"""Audit log retention (日志留存): rows older than the retention period may be pruned."""

import datetime

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Max, Min
from django.utils import timezone

from .audit import audit_record
from .audit_chain import chain_lock
from .audit_guard import guard_suspended
from .models import AuditAction, AuditLog, AuditPending, AuditSeal
from .scope import SYSTEM

MINIMUM_RETENTION_DAYS = 180
# The database alias of the pruning role (settings: ZUZHI_AUDIT_PRUNE_DATABASE_URL).
PRUNE_ALIAS = "audit_prune"
# What the record of a prune is, for core.audit_verify to find its anchor.
PRUNE_TARGET_TYPE = "core.auditlog"


class PruneRoleMissing(Exception):
    """PostgreSQL refuses the application's role a DELETE of the log: pruning needs its own."""


def prune_database() -> str:
    """The alias pruning runs on: the pruning role's where it is set, else the application's
    own on SQLite (which has no roles)."""
    if PRUNE_ALIAS in settings.DATABASES:
        return PRUNE_ALIAS
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        raise PruneRoleMissing(
            "在 PostgreSQL 上，应用所用的数据库角色不能删除审计日志：清理须以单独的角色进行。"
            f"请按 README“生产部署”一节创建角色 {settings.ZUZHI_AUDIT_PRUNE_ROLE} 及其登录角色，"
            "并设置 ZUZHI_AUDIT_PRUNE_DATABASE_URL（如 postgres://zuzhi_prune:密码@主机/库名）"
            "后再运行本命令。"
        )
    return DEFAULT_DB_ALIAS


def audit_prune(
    *,
    days: int | None = None,
    now: datetime.datetime | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> int:
    """Delete log rows older than the retention period, never fewer than 180 days back.

    The operator's command is the only path that removes rows; nothing in the web app does.
    Only sealed rows go, and only a run of the chain from its start that is entirely older
    than the cutoff (a row sealed later but older waits for the next prune), and never the
    last seal, which the next one chains from. The prune writes its own audit row naming the
    sequence numbers removed and the chain hash of the last of them: verification starts from
    that anchor. Returns the rows removed."""
    days = max(MINIMUM_RETENTION_DAYS, days or settings.ZUZHI_AUDIT_RETENTION_DAYS)
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    seals = AuditSeal.objects.using(using)
    with transaction.atomic(using=using):
        chain_lock(using=using)
        bounds = seals.aggregate(first=Min("seq"), head=Max("seq"))
        if bounds["head"] is None:
            return 0
        recent = seals.filter(log__time__gte=cutoff).aggregate(seq=Min("seq"))["seq"]
        last = (bounds["head"] if recent is None else min(recent, bounds["head"])) - 1
        if last < bounds["first"]:
            return 0
        anchor = seals.filter(seq=last).values_list("chain_hash", flat=True).get()
        doomed = seals.filter(seq__lte=last)
        log_ids = doomed.values("log_id")
        connection = connections[using]
        with guard_suspended(connection):
            AuditPending.objects.using(using).filter(log_id__in=log_ids).delete()
            old = AuditLog.objects.using(using).filter(pk__in=log_ids)
            # The append-only querysets refuse delete(); retention is the one sanctioned
            # exception. The log rows go first, while their seals still name them.
            removed = old._raw_delete(using)
            doomed._raw_delete(using)
        audit_record(
            actor=SYSTEM,
            action=AuditAction.DELETE,
            target_type=PRUNE_TARGET_TYPE,
            target_repr="审计日志",
            message=(
                f"清理 {timezone.localtime(cutoff):%Y-%m-%d %H:%M} 之前的审计日志 {removed} 条"
                f"（封存序号 {bounds['first']}–{last}，末条链哈希 {anchor}）。"
            ),
            after={
                "pruned_first_seq": bounds["first"],
                "pruned_last_seq": last,
                "anchor_chain_hash": anchor,
                "rows": removed,
                "cutoff": cutoff.isoformat(),
            },
            using=using,
        )
    return removed
