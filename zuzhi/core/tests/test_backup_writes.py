"""A backup taken while the application writes restores to a state the database really had:
every transaction committed before the backup's instant, whole and unchanged, and nothing of
any transaction after it or of one not yet committed (a restore that loses nothing).

Two writers register and correct members through the real services (rows of members,
organization figures and audit) in transactions that end by taking the next number of a
one-row counter table. The counter's row lock (PostgreSQL) or the one writer at a time
(SQLite) makes that number the transactions' commit order, so the database's committed states
are numbered: state k is what transaction k saw just before committing (its own writes and
those of 1…k−1; nothing else commits meanwhile). Each writer records a hash of every table in
state k. The restored database holds some counter value k: each of its tables must hash as
state k did, and the manifest's row counts must be state k's. On SQLite the test works on a
file in WAL mode, as production does (an in-memory database is one shared connection).

The audit chain seals a transaction's rows in transactions of its own after it commits
(core.audit_chain); those commits are not numbered, so here the rows wait in the queue for
`zuzhi seal-audit`, as after a missed cron run, and the restored chain is sealed and verified.
"""

import copy
import datetime
import sqlite3
import threading
from contextlib import closing, contextmanager, nullcontext

import pytest
from django.db import connection, transaction

from zuzhi.core import audit, backup, restore
from zuzhi.core.audit_chain import audit_seal
from zuzhi.core.audit_verify import audit_verify
from zuzhi.core.backup import backup_create
from zuzhi.core.codes import code_tables_load
from zuzhi.core.models import CodeItem
from zuzhi.core.restore import restore_prepare, restore_run
from zuzhi.core.scope import SYSTEM
from zuzhi.members.services import member_create, member_update
from zuzhi.testing.factories import member_data, valid_id_number

from .backup_support import (
    database_contents,
    digest,
    empty_database,
    read_archive,
    using_database,
)

pytestmark = pytest.mark.django_db(transaction=True)

COUNTER = "backup_test_commits"
WAIT = 60  # seconds: a guard against a hung writer, far beyond what the test needs


def committed_state() -> dict:
    # PostgreSQL's sequences move outside transactions: the ids in the tables are compared.
    return digest(database_contents(connection, sequences=False))


def next_commit_number() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {COUNTER} SET n = n + 1 WHERE id = 1")
        cursor.execute(f"SELECT n FROM {COUNTER} WHERE id = 1")
        return cursor.fetchone()[0]


class Writers:
    """Writer threads on the source database; `states[k]` is committed state k.

    SQLite admits one writer at a time and its busy wait is not fair: these writers, each
    starting its next transaction at once, could keep another connection waiting past its
    busy timeout. So on SQLite they take turns through a lock of their own, and `paused()`
    lets one other write through between two of their transactions (the audit row the
    backup writes after its copy)."""

    def __init__(self, source: dict, organizations: list):
        self.source, self.states, self.errors = source, {}, []
        self.stop, self.progress = threading.Event(), threading.Condition()
        self.held, self.writing = False, 0
        self.turns = threading.Lock() if connection.vendor == "sqlite" else nullcontext()
        with using_database(source):
            self.states[0] = committed_state()
        self.threads = [
            threading.Thread(target=self.write, args=(number, organization))
            for number, organization in enumerate(organizations)
        ]

    def write(self, number: int, organization) -> None:
        try:
            with using_database(self.source):
                previous, i = None, 0
                while not self.stop.is_set():
                    birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=i)
                    data = member_data(
                        name=f"写入者{number}号{i}",
                        id_number=valid_id_number(birth=f"{birth:%Y%m%d}", sequence=100 + number),
                    )
                    with self.progress:
                        self.progress.wait_for(lambda: not self.held)
                        self.writing += 1
                    try:
                        with self.turns, transaction.atomic():
                            member = member_create(
                                actor=SYSTEM, organization=organization, data=data
                            )
                            if previous is not None:
                                member_update(
                                    actor=SYSTEM,
                                    member=previous,
                                    data={"work_unit": f"第{i}次修改"},
                                )
                            k = next_commit_number()
                            state = committed_state()
                    finally:
                        with self.progress:
                            self.writing -= 1
                            self.progress.notify_all()
                    with self.progress:
                        self.states[k] = state
                        self.progress.notify_all()
                    previous, i = member, i + 1
        except Exception as exc:  # reported by the test, not lost in the thread
            with self.progress:
                self.errors.append(exc)
                self.progress.notify_all()

    def wait_for_commits(self, count: int) -> None:
        with self.progress:
            assert self.progress.wait_for(lambda: self.errors or len(self.states) > count, WAIT)
        assert not self.errors, self.errors

    @contextmanager
    def paused(self):
        """No writer transaction runs within this block."""
        with self.progress:
            self.held = True
        try:
            with self.progress:
                assert self.progress.wait_for(lambda: self.writing == 0, WAIT)
            yield
        finally:
            with self.progress:
                self.held = False
                self.progress.notify_all()


@pytest.fixture
def source(county, tmp_path):
    """The database the application writes to: the test database on PostgreSQL, a copy of it
    in a file (WAL) on SQLite; with the commit counter."""
    if not CodeItem.objects.exists():  # emptied by an earlier transactional test's flush
        code_tables_load(CodeItem)
    settings_dict = copy.deepcopy(connection.settings_dict)
    if connection.vendor == "sqlite":
        settings_dict["NAME"] = str(tmp_path / "source.sqlite3")
        connection.ensure_connection()
        with closing(sqlite3.connect(settings_dict["NAME"])) as file:
            connection.connection.backup(file)
    with using_database(settings_dict), connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {COUNTER} (id integer PRIMARY KEY, n integer NOT NULL)")
        cursor.execute(f"INSERT INTO {COUNTER} (id, n) VALUES (1, 0)")
    try:
        yield settings_dict
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE {COUNTER}")


def test_a_backup_taken_during_writes_restores_a_committed_state_whole(
    source, county, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path / "media"
    writers = Writers(source, [county.village_a1, county.village_b1])
    backup_audit = backup.audit_record

    def audit_between_writes(**kwargs):
        with writers.paused():
            return backup_audit(**kwargs)

    monkeypatch.setattr(backup, "audit_record", audit_between_writes)
    monkeypatch.setattr(audit, "audit_seal_after_commit", lambda **kwargs: None)
    for thread in writers.threads:
        thread.start()
    try:
        writers.wait_for_commits(3)
        with using_database(source):
            archive = backup_create(output=tmp_path / "during-writes.tar").path
        writers.wait_for_commits(len(writers.states) + 3)
    finally:
        writers.stop.set()
        for thread in writers.threads:
            thread.join(WAIT)
    assert not writers.errors, writers.errors

    restored = {}
    audit_record = restore.audit_record

    def audit_after_reading(**kwargs):
        restored.update(committed_state())
        return audit_record(**kwargs)

    monkeypatch.setattr(restore, "audit_record", audit_after_reading)
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    with empty_database(tmp_path) as target, using_database(target):
        result = restore_run(restore_prepare(archive=archive))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT n FROM {COUNTER}")
            (k,) = cursor.fetchone()
            assert audit_seal() > 0
            chain = audit_verify()

    # Taken while the writers wrote: commits before it, and after it.
    assert 0 < k < max(writers.states)
    state = writers.states[k]
    assert restored.keys() == state.keys()
    for table, (rows, content) in state.items():
        assert restored[table] == (rows, content), f"{table} differs from committed state {k}"
    manifest = read_archive(archive)[1]
    assert manifest["tables"] == {
        table: rows for table, (rows, _) in state.items() if table != "sqlite_sequence"
    }
    assert result.mismatches == []
    assert chain.ok and chain.pending == 0, chain.report()
