import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from zuzhi.core import audit_verify as audit_verify_module
from zuzhi.core.audit import audit_record
from zuzhi.core.audit_chain import GENESIS, audit_seal, log_rows, row_hash
from zuzhi.core.audit_verify import (
    CONTENT_CHANGED,
    LINK_BROKEN,
    ROW_MISSING,
    SEQ_MISSING,
    audit_verify,
)
from zuzhi.core.models import AuditAction, AuditLog, AuditPending, AuditSeal
from zuzhi.core.retention import audit_prune

LOG, SEAL = AuditLog._meta.db_table, AuditSeal._meta.db_table


def record(n: int = 0) -> AuditLog:
    return audit_record(actor=None, action=AuditAction.LOGIN_FAILED, actor_username=f"u{n}")


def sealed(count: int) -> list[AuditLog]:
    rows = [record(n) for n in range(count)]
    audit_seal()
    return rows


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def tampered(statement: str, params=()):
    """Verify after a change made behind the application's back (the test settings leave the
    database's guard out), undone afterwards so that no dangling key outlives the test."""
    with transaction.atomic():
        sql(statement, params)
        result = audit_verify()
        transaction.set_rollback(True)
    return result


def test_an_intact_log_verifies(db):
    rows = sealed(3)
    record(9)  # waits for its seal
    result = audit_verify()
    assert result.ok
    assert (result.verified, result.pending, result.unsealed) == (3, 1, 0)
    head = AuditSeal.objects.get(log=rows[-1])
    assert (result.head_seq, result.head_chain_hash) == (3, head.chain_hash)
    text = "\n".join(result.report())
    assert "已校验 3 条" in text and "从创世值开始" in text and "待封存 1 条" in text
    assert head.chain_hash in text and "结果：完好。" in text


def test_an_empty_log_verifies(db):
    result = audit_verify()
    assert result.ok and result.verified == 0 and result.head_seq is None


def test_a_changed_row_is_reported_at_its_seal(db):
    rows = sealed(4)
    seq = AuditSeal.objects.get(log=rows[2]).seq
    result = tampered(f"UPDATE {LOG} SET message = %s WHERE id = %s", ["改过", rows[2].pk])
    assert not result.ok
    broken = result.broken
    assert (broken.seq, broken.log_id, broken.problem) == (seq, rows[2].pk, CONTENT_CHANGED)
    assert broken.time == AuditLog.objects.get(pk=rows[2].pk).time
    assert result.verified == seq - 1
    report = "\n".join(result.report())
    assert f"第一处断链：序号 {seq}，日志编号 {rows[2].pk}，时间 " in report
    assert "内容被修改" in report and "已被篡改" in report


def test_a_changed_time_or_json_is_reported(db):
    rows = sealed(2)
    moved = timezone.now() - datetime.timedelta(days=1)
    result = tampered(f"UPDATE {LOG} SET time = %s WHERE id = %s", [moved, rows[0].pk])
    assert (result.broken.seq, result.broken.problem) == (1, CONTENT_CHANGED)
    field = AuditLog._meta.get_field("after")
    result = tampered(
        f"UPDATE {LOG} SET after = %s WHERE id = %s",
        [field.get_db_prep_save({"name": "假"}, connection), rows[1].pk],
    )
    assert (result.broken.seq, result.broken.problem) == (2, CONTENT_CHANGED)


def test_a_rewritten_row_hash_still_breaks_the_link(db):
    """Whoever changes a row and its seal's row hash must also rewrite every later link."""
    rows = sealed(3)
    result = tampered(f"UPDATE {SEAL} SET row_hash = %s WHERE seq = 2", ["ab" * 32])
    assert (result.broken.seq, result.broken.problem) == (2, CONTENT_CHANGED)
    sql(f"UPDATE {LOG} SET message = 'x' WHERE id = %s", [rows[1].pk])
    (row,) = log_rows(using="default", ids=[rows[1].pk])
    result = tampered(f"UPDATE {SEAL} SET row_hash = %s WHERE seq = 2", [row_hash(row)])
    assert (result.broken.seq, result.broken.problem) == (2, LINK_BROKEN)


def test_a_changed_link_is_reported(db):
    sealed(3)
    result = tampered(f"UPDATE {SEAL} SET chain_hash = %s WHERE seq = 3", ["00" * 32])
    assert (result.broken.seq, result.broken.problem) == (3, LINK_BROKEN)


def test_a_deleted_seal_is_a_missing_number(db):
    rows = sealed(4)
    result = tampered(f"DELETE FROM {SEAL} WHERE seq = 2")
    assert (result.broken.seq, result.broken.problem) == (2, SEQ_MISSING)
    assert f"其后第一条为序号 3（日志编号 {rows[2].pk}）" in result.broken.detail
    # The first seals gone without a prune's record: the chain's start is missing.
    result = tampered(f"DELETE FROM {SEAL} WHERE seq <= 2")
    assert (result.broken.seq, result.broken.problem) == (1, SEQ_MISSING)


def test_a_deleted_row_is_reported(db):
    rows = sealed(3)
    result = tampered(f"DELETE FROM {LOG} WHERE id = %s", [rows[1].pk])
    assert (result.broken.seq, result.broken.log_id, result.broken.problem) == (
        2,
        rows[1].pk,
        ROW_MISSING,
    )


def test_a_row_neither_sealed_nor_waiting_is_reported(db):
    sealed(2)
    lost = record(5)
    AuditPending.objects.filter(log_id=lost.pk).delete()
    result = audit_verify(batch_size=2)
    assert result.broken is None and not result.ok
    assert (result.verified, result.unsealed, result.unsealed_ids) == (2, 1, [lost.pk])
    assert f"既未封存也不在待封存队列中的日志 1 条（编号 {lost.pk}）" in "\n".join(result.report())


def test_verify_walks_in_batches(db):
    sealed(7)
    assert audit_verify(batch_size=2).verified == 7
    result = tampered(f"UPDATE {SEAL} SET chain_hash = %s WHERE seq = 6", ["00" * 32])
    assert result.broken.seq == 6


def test_verify_starts_from_the_anchor_of_a_prune(db):
    for days_ago in (400, 300, 10):
        row = record(days_ago)
        sql(
            f"UPDATE {LOG} SET time = %s WHERE id = %s",
            [timezone.now() - datetime.timedelta(days=days_ago), row.pk],
        )
    audit_seal()
    assert audit_prune() == 2
    audit_seal()  # the prune's own record
    result = audit_verify()
    assert result.ok and result.verified == 2
    assert "自序号 3 起，接续清理记录" in result.start
    # The anchor is what holds the rest: a false one breaks the first link.
    anchor = AuditLog.objects.get(action=AuditAction.DELETE)
    after = anchor.after | {"anchor_chain_hash": GENESIS}
    field = AuditLog._meta.get_field("after")
    result = tampered(
        f"UPDATE {LOG} SET after = %s WHERE id = %s",
        [field.get_db_prep_save(after, connection), anchor.pk],
    )
    assert (result.broken.seq, result.broken.problem) == (3, LINK_BROKEN)


def prune_record(*, first: int, last: int) -> AuditLog:
    """The audit row a prune of seals `first`–`last` writes (core.retention)."""
    anchor = AuditSeal.objects.get(seq=last).chain_hash
    return audit_record(
        actor=None,
        action=AuditAction.DELETE,
        target_type="core.auditlog",
        after={"pruned_first_seq": first, "pruned_last_seq": last, "anchor_chain_hash": anchor},
    )


def test_a_prune_during_the_walk_is_followed(db, monkeypatch):
    """A gap that a prune explains (it ran while verify walked, after its first batch) is not
    a break."""
    rows = sealed(4)
    prune_record(first=1, last=3)
    read = audit_verify_module.log_rows
    calls = []

    def prune_after_the_first_batch(**kwargs):
        found = read(**kwargs)
        if not calls:
            sql(f"DELETE FROM {SEAL} WHERE seq <= 3")
            sql(f"DELETE FROM {LOG} WHERE id IN (%s, %s, %s)", [r.pk for r in rows[:3]])
        calls.append(kwargs)
        return found

    monkeypatch.setattr(audit_verify_module, "log_rows", prune_after_the_first_batch)
    with transaction.atomic():
        result = audit_verify(batch_size=1)
        transaction.set_rollback(True)
    assert result.broken is None and result.verified == 2


def test_a_prune_between_reading_the_seals_and_their_rows_is_followed(db, monkeypatch):
    """The seals of a batch read, then their rows pruned before they are read: the rows are
    not missing but pruned, and the walk goes on from the prune's anchor."""
    rows = sealed(4)
    prune_record(first=1, last=3)
    read = audit_verify_module.log_rows

    def pruned_first(**kwargs):
        sql(f"DELETE FROM {SEAL} WHERE seq <= 3")
        sql(f"DELETE FROM {LOG} WHERE id IN (%s, %s, %s)", [r.pk for r in rows[:3]])
        return read(**kwargs)

    monkeypatch.setattr(audit_verify_module, "log_rows", pruned_first)
    with transaction.atomic():
        result = audit_verify(batch_size=2)
        transaction.set_rollback(True)
    assert result.broken is None and result.verified == 1


def test_a_gap_in_the_middle_is_a_break_even_with_a_prune_record(db):
    """A prune removes a run from the chain's start. Seals taken from its middle, with a row
    that claims a prune ended there, are still missing numbers: the seals before the gap
    are there, so no prune removed the ones in it."""
    rows = sealed(6)
    prune_record(first=1, last=4)
    with transaction.atomic():
        sql(f"DELETE FROM {SEAL} WHERE seq IN (3, 4)")
        sql(f"DELETE FROM {LOG} WHERE id IN (%s, %s)", [rows[2].pk, rows[3].pk])
        audit_seal()  # the forged record is sealed like any other row
        result = audit_verify()
        transaction.set_rollback(True)
    assert (result.broken.seq, result.broken.problem) == (3, SEQ_MISSING)


def test_verify_command(db):
    sealed(2)
    call_command("verify-audit")
    sql(f"UPDATE {SEAL} SET chain_hash = %s WHERE seq = 2", ["00" * 32])
    with pytest.raises(CommandError, match="未通过"):
        call_command("verify-audit")
