import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from zuzhi.core.audit import audit_record
from zuzhi.core.audit_chain import audit_seal
from zuzhi.core.models import AuditAction, AuditLog, AuditPending, AuditSeal
from zuzhi.core.retention import PRUNE_ALIAS, PRUNE_TARGET_TYPE, audit_prune, prune_database

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite 专用")
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL 专用")


def make_row(days_ago):
    row = audit_record(actor=None, action=AuditAction.LOGIN_FAILED, actor_username=f"d{days_ago}")
    # auto_now_add fixes the time; move it back with a raw UPDATE, as only a test may (the
    # test settings leave out the database's guard), before the row is sealed.
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {AuditLog._meta.db_table} SET time = %s WHERE id = %s",
            [timezone.now() - datetime.timedelta(days=days_ago), row.pk],
        )
    return row


def kept():
    return list(
        AuditLog.objects.filter(actor_username__startswith="d")
        .order_by("id")
        .values_list("actor_username", flat=True)
    )


def test_prune_never_goes_below_180_days(db):
    make_row(400)
    make_row(181)
    make_row(179)
    audit_seal()
    assert audit_prune(days=30) == 2
    assert kept() == ["d179"]


def test_prune_respects_a_longer_setting(db, settings):
    settings.ZUZHI_AUDIT_RETENTION_DAYS = 365
    make_row(400)
    make_row(200)
    make_row(10)
    audit_seal()
    assert audit_prune() == 1
    assert kept() == ["d200", "d10"]


def test_prune_takes_only_sealed_rows(db):
    make_row(400)
    make_row(300)
    assert audit_prune() == 0
    assert kept() == ["d400", "d300"]


def test_prune_stops_at_the_first_recent_row_in_sealing_order(db):
    """Pruning removes a run of the chain from its start: an old row sealed after a recent
    one waits for a later prune."""
    make_row(400)
    make_row(10)
    make_row(300)
    make_row(5)
    audit_seal()
    assert audit_prune() == 1
    assert kept() == ["d10", "d300", "d5"]


def test_prune_keeps_the_last_seal(db):
    """The next seal chains from the last one: it stays, however old."""
    make_row(400)
    make_row(300)
    audit_seal()
    assert audit_prune() == 1
    assert kept() == ["d300"]
    assert AuditSeal.objects.count() == 1


def test_prune_records_the_range_and_the_anchor(db):
    make_row(400)
    make_row(300)
    make_row(10)
    audit_seal()
    anchor = AuditSeal.objects.get(seq=2).chain_hash
    assert audit_prune() == 2
    record = AuditLog.objects.get(target_type=PRUNE_TARGET_TYPE, action=AuditAction.DELETE)
    assert record.after["pruned_first_seq"] == 1
    assert record.after["pruned_last_seq"] == 2
    assert record.after["anchor_chain_hash"] == anchor
    assert "封存序号 1–2" in record.message and anchor in record.message
    # The seals and queue entries of the removed rows are gone with them; the record waits.
    assert list(AuditSeal.objects.values_list("seq", flat=True)) == [3]
    assert list(AuditPending.objects.values_list("log_id", flat=True)) == [record.pk]


@on_sqlite
def test_prune_command_on_sqlite(db, settings):
    settings.ZUZHI_AUDIT_RETENTION_DAYS = 365
    make_row(400)
    make_row(200)
    audit_seal()
    call_command("prune-audit")
    assert kept() == ["d200"]


@on_postgresql
def test_prune_command_needs_the_pruning_role_on_postgresql(db):
    make_row(400)
    make_row(200)
    audit_seal()
    with pytest.raises(CommandError, match="ZUZHI_AUDIT_PRUNE_DATABASE_URL"):
        call_command("prune-audit")
    assert kept() == ["d400", "d200"]


def test_prune_runs_on_the_pruning_alias_when_it_is_set(settings, monkeypatch):
    monkeypatch.setitem(settings.DATABASES, PRUNE_ALIAS, settings.DATABASES["default"])
    assert prune_database() == PRUNE_ALIAS
