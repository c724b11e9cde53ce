import datetime
import json
import logging
import socket

import pytest
from django.db import DatabaseError, connection, transaction

from zuzhi.core import audit_chain
from zuzhi.core.audit import audit_bulk_record, audit_record
from zuzhi.core.audit_chain import (
    GENESIS,
    audit_seal,
    chain_next,
    log_rows,
    row_content,
    row_hash,
)
from zuzhi.core.audit_verify import audit_verify
from zuzhi.core.models import AuditAction, AuditLog, AuditPending, AuditSeal
from zuzhi.orgs.services import org_update


def record(n: int = 0) -> AuditLog:
    return audit_record(actor=None, action=AuditAction.LOGIN_FAILED, actor_username=f"u{n}")


def insert_row(**values) -> int:
    """A log row with every column chosen (id and time included), written as the ORM would."""
    fields = AuditLog._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    params = [f.get_db_prep_save(values.get(f.attname), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AuditLog._meta.db_table} ({columns}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})",
            params,
        )
    return values["id"]


# --- the row's hash -------------------------------------------------------------------------
def test_a_row_hashes_the_same_on_every_database(db):
    """The row is read back from the database before hashing: jsonb reorders keys and prints
    numbers its own way, the inet type its own. The expected hash is one constant for SQLite
    and PostgreSQL alike."""
    row_id = insert_row(
        id=987654,
        time=datetime.datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=datetime.UTC),
        actor_id=None,
        actor_username="县委组织部",
        ip="2001:DB8::1",
        request_id="r1",
        action="update",
        target_type="members.member",
        target_id="42",
        target_repr="张三 ✓ 𠀀",
        org_path="0001.0002.",
        before={"b": 1.0, "a": [None, True, 0.1, -0.0], "z": {"y": "", "x": 2**60}},
        after={"big": 1e16, "huge": 1e300, "tiny": 1.5e-10, "名称": "李庄\n村", "n": None},
        message="说明\t“引号”",
    )
    (row,) = log_rows(using="default", ids=[row_id])
    assert row_content(row).decode() == (
        '["zuzhi-audit-v1",987654,"2026-03-01T08:30:15.123456Z",null,"县委组织部",'
        '"2001:db8::1","r1","update","members.member","42","张三 ✓ 𠀀","0001.0002.",'
        '{"a":[null,true,0.1,0],"b":1,"z":{"x":1152921504606846976,"y":""}},'
        '{"big":10000000000000000,"huge":1' + "0" * 300 + ',"n":null,"tiny":1.5e-10,'
        '"名称":"李庄\\n村"},"说明\\t“引号”"]'
    )
    assert row_hash(row) == "3dc789fa5be728dcefc86fe4b55c95c856bea91b75f05f337d9248099085dd58"


def test_every_column_is_in_the_hash(db):
    row = log_rows(using="default", ids=[record().pk])[0]
    for name, other in [
        ("id", row["id"] + 1),
        ("time", row["time"] + datetime.timedelta(microseconds=1)),
        ("actor_id", 5),
        ("actor_username", "x"),
        ("ip", "10.0.0.1"),
        ("request_id", "x"),
        ("action", "delete"),
        ("target_type", "x"),
        ("target_id", "x"),
        ("target_repr", "x"),
        ("org_path", "x"),
        ("before", {}),
        ("after", {"a": 1}),
        ("message", "x"),
    ]:
        assert row_hash(row | {name: other}) != row_hash(row), name


def test_the_link_covers_the_previous_hash_the_row_and_its_number():
    digest = "ab" * 32
    link = chain_next(GENESIS, digest, 1)
    assert link != chain_next(GENESIS, digest, 2)
    assert link != chain_next("cd" * 32, digest, 1)
    assert link != chain_next(GENESIS, "cd" * 32, 1)


# --- sealing --------------------------------------------------------------------------------
def test_sealing_chains_the_waiting_rows_in_order(db):
    rows = [record(n) for n in range(3)]
    assert AuditPending.objects.count() == 3
    assert audit_seal() == 3
    seals = list(AuditSeal.objects.order_by("seq"))
    assert [s.log_id for s in seals] == [r.pk for r in rows]
    assert [s.seq for s in seals] == [1, 2, 3]
    chain = GENESIS
    for seal, read in zip(seals, log_rows(using="default", ids=[r.pk for r in rows]), strict=True):
        assert seal.row_hash == row_hash(read)
        chain = chain_next(chain, seal.row_hash, seal.seq)
        assert seal.chain_hash == chain
    assert not AuditPending.objects.exists()
    assert audit_seal() == 0


def test_the_chain_follows_the_sealing_order_not_the_ids(db):
    """On PostgreSQL a row with a lower id may commit after one with a higher id."""
    early, late = record(1), record(2)
    AuditPending.objects.filter(log_id=early.pk).delete()  # not yet committed, as it were
    audit_seal()
    AuditPending.objects.create(log_id=early.pk)
    audit_seal()
    assert list(AuditSeal.objects.order_by("seq").values_list("log_id", flat=True)) == [
        late.pk,
        early.pk,
    ]
    assert audit_verify().ok


def test_sealing_goes_on_from_the_last_seal_in_batches(db, monkeypatch):
    monkeypatch.setattr(audit_chain, "SEAL_BATCH", 2)
    for n in range(5):
        record(n)
    assert audit_seal(limit=3) == 3
    assert AuditPending.objects.count() == 2
    assert audit_seal() == 2
    assert list(AuditSeal.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3, 4, 5]
    assert audit_verify().ok


def test_a_queue_entry_of_a_sealed_row_is_dropped(db):
    row = record()
    audit_seal()
    AuditPending.objects.create(log_id=row.pk)
    assert audit_seal() == 1
    assert AuditSeal.objects.count() == 1
    assert not AuditPending.objects.exists()


def test_a_queue_entry_without_its_row_is_dropped(db):
    AuditPending.objects.create(log_id=987654)
    row = record()
    assert audit_seal() == 2
    assert list(AuditSeal.objects.values_list("log_id", flat=True)) == [row.pk]
    assert not AuditPending.objects.exists()


def test_bulk_rows_wait_for_their_seal_too(county):
    orgs = [county.village_a1, county.village_a2, county.village_b1]
    start = AuditLog.objects.count()
    audit_seal()
    items = [(orgs[n % 3], orgs[n % 3].path, {"n": n}) for n in range(2500)]
    audit_bulk_record(actor=None, action=AuditAction.UPDATE, items=items)
    new = list(AuditLog.objects.order_by("id").values_list("id", flat=True)[start:])
    assert len(new) == 2500
    assert set(AuditPending.objects.values_list("log_id", flat=True)) == set(new)
    assert audit_seal() == 2500
    assert audit_verify().ok


def test_no_row_escapes_the_queue_through_the_orm(db):
    """audit_record writes a row with its queue entry; the ORM's paths would write a row that
    is never sealed (verify-audit would report it), or a seal outside the sealer's lock."""
    writes = [
        AuditLog(action=AuditAction.LOGIN_FAILED).save,
        lambda: AuditLog.objects.create(action=AuditAction.LOGIN_FAILED),
        lambda: AuditLog.objects.bulk_create([AuditLog(action=AuditAction.LOGIN_FAILED)]),
        lambda: AuditSeal.objects.bulk_create([AuditSeal(seq=1, log_id=1)]),
    ]
    for write in writes:
        with pytest.raises(PermissionError, match="audit_record"):
            write()
    assert not AuditLog.objects.exists() and not AuditSeal.objects.exists()


# --- sealing after the commit ---------------------------------------------------------------
# In a test's own transaction the first audit row schedules the sealing; a fixture that writes
# one schedules it before django_capture_on_commit_callbacks starts. These tests write none
# before, or commit for real.
def test_a_transaction_is_sealed_once_after_its_commit(
    db, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(audit_chain, "BACKLOG_PER_COMMIT", 0)
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for n in range(3):
            record(n)
        audit_bulk_record(actor=None, action=AuditAction.UPDATE, items=[(record(9), "", {"n": 1})])
    assert len(callbacks) == 1
    assert not AuditSeal.objects.exists()
    callbacks[0]()
    assert AuditSeal.objects.count() == 5
    assert not AuditPending.objects.exists()


def test_a_large_transaction_leaves_its_sealing_to_the_worker(
    db, django_capture_on_commit_callbacks, monkeypatch
):
    """The test settings' task backend runs a task when it is enqueued: the seals come from
    the task, not from sealing in the committing process."""
    monkeypatch.setattr(audit_chain, "SEAL_IN_WORKER_ROWS", 3)
    inline = []
    monkeypatch.setattr(audit_chain, "_seal_quietly", lambda **kwargs: inline.append(kwargs))
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        audit_bulk_record(
            actor=None, action=AuditAction.UPDATE, items=[(record(n), "", {}) for n in range(2)]
        )
    assert not AuditSeal.objects.exists()
    callbacks[0]()
    assert inline == []
    assert AuditSeal.objects.count() == 4
    assert audit_verify().ok


def test_a_small_transaction_is_sealed_where_it_commits(
    db, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(audit_chain, "SEAL_IN_WORKER_ROWS", 4)
    inline = []
    monkeypatch.setattr(audit_chain, "_seal_quietly", lambda **kwargs: inline.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for n in range(4):
            record(n)
    assert inline == [{"using": "default", "rows": 4}]
    assert not AuditSeal.objects.exists()


def test_a_rolled_back_part_does_not_lose_the_sealing(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            record(1)
            raise RuntimeError
        record(2)
    assert len(callbacks) == 1
    assert list(AuditSeal.objects.values_list("log__actor_username", flat=True)) == ["u2"]


def test_a_commit_seals_its_own_rows_and_some_of_a_backlog(db, monkeypatch):
    monkeypatch.setattr(audit_chain, "BACKLOG_PER_COMMIT", 2)
    for n in range(5):
        record(n)
    audit_chain._seal_quietly(using="default", rows=1)
    assert AuditSeal.objects.count() == 3
    assert AuditPending.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_committed_rows_are_sealed_without_help():
    record(1)  # outside a transaction: sealed at once
    with transaction.atomic():
        record(2)
        record(3)
        assert AuditSeal.objects.count() == 1
    assert AuditSeal.objects.count() == 3
    assert not AuditPending.objects.exists()
    assert audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_a_service_write_is_sealed_after_its_commit(county, town_a_user):
    org_update(actor=town_a_user, org=county.village_a1, data={"name": "李庄村第一党支部"})
    row = AuditLog.objects.filter(target_id=str(county.village_a1.pk)).latest("id")
    assert AuditSeal.objects.filter(log=row).exists()
    assert not AuditPending.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_failing_seal_leaves_the_row_waiting_and_the_work_done(
    county, town_a_user, monkeypatch, caplog
):
    def broken(**kwargs):
        raise DatabaseError("封存失败")

    monkeypatch.setattr(audit_chain, "_seal_batch", broken)
    with caplog.at_level(logging.ERROR):
        org_update(actor=town_a_user, org=county.village_a1, data={"name": "李庄村第一党支部"})
    county.village_a1.refresh_from_db()
    assert county.village_a1.name == "李庄村第一党支部"
    row = AuditLog.objects.latest("id")
    assert AuditPending.objects.filter(log_id=row.pk).exists()
    assert "zuzhi seal-audit" in caplog.text
    monkeypatch.undo()
    assert audit_seal() == 1
    assert AuditSeal.objects.filter(log=row).exists()


def test_seal_command(db):
    from django.core.management import call_command

    record()
    call_command("seal-audit")
    assert AuditSeal.objects.count() == 1


# --- syslog ---------------------------------------------------------------------------------
def test_sealed_rows_are_forwarded_to_syslog(db, settings, django_capture_on_commit_callbacks):
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(10)
    settings.ZUZHI_AUDIT_SYSLOG = f"udp://127.0.0.1:{receiver.getsockname()[1]}"
    try:
        rows = [record(1), record(2)]
        with django_capture_on_commit_callbacks(execute=True):
            audit_seal()
        lines = [receiver.recv(65536).decode() for _ in rows]
    finally:
        receiver.close()
    seals = list(AuditSeal.objects.order_by("seq"))
    for line, row, seal in zip(lines, rows, seals, strict=True):
        # <86>: facility authpriv (10), severity info (6).
        assert line.startswith("<86>zuzhi-audit: ")
        sent = json.loads(line.removeprefix("<86>zuzhi-audit: "))
        assert sent["seq"] == seal.seq and sent["chain_hash"] == seal.chain_hash
        assert sent["id"] == row.pk and sent["actor"] == row.actor_username
        assert "before" not in sent and "after" not in sent


def test_over_tcp_each_sealed_row_is_a_line(db, settings, django_capture_on_commit_callbacks):
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10)
    settings.ZUZHI_AUDIT_SYSLOG = f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    try:
        record(1)
        record(2)
        with django_capture_on_commit_callbacks(execute=True):
            audit_seal()
        peer, _ = listener.accept()
        peer.settimeout(10)
        received = b""
        while received.count(b"\n") < 2 and (chunk := peer.recv(65536)):
            received += chunk
        peer.close()
    finally:
        listener.close()
    lines = received.decode().splitlines()
    assert [json.loads(line.removeprefix("<86>zuzhi-audit: "))["seq"] for line in lines] == [1, 2]


def test_nothing_goes_to_syslog_before_the_seals_commit(
    db, settings, django_capture_on_commit_callbacks
):
    settings.ZUZHI_AUDIT_SYSLOG = "udp://127.0.0.1:9"
    record()
    with django_capture_on_commit_callbacks() as callbacks:
        audit_seal()
    assert [c.func for c in callbacks] == [audit_chain._forward]
