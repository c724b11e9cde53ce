"""The database's guard of the audit log (core.audit_guard). The test settings leave it out,
so that transactional tests can empty every table; these tests install it, inside their
transaction (both databases roll DDL back) or, for the pruning role's test, for real."""

import datetime
import importlib
import io
import uuid
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from zuzhi.core.audit import audit_record
from zuzhi.core.audit_chain import audit_seal
from zuzhi.core.audit_guard import (
    audit_guard_after_migrate,
    audit_guard_install,
    audit_guard_installed,
    audit_guard_remove,
)
from zuzhi.core.audit_verify import CONTENT_CHANGED, audit_verify
from zuzhi.core.models import AuditAction, AuditLog, AuditPending, AuditSeal
from zuzhi.core.retention import PRUNE_ALIAS, audit_prune

LOG, SEAL = AuditLog._meta.db_table, AuditSeal._meta.db_table
PENDING = AuditPending._meta.db_table
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite 专用")
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL 专用")


def record(n: int = 0) -> AuditLog:
    return audit_record(actor=None, action=AuditAction.LOGIN_FAILED, actor_username=f"u{n}")


def sql(statement: str, params=()) -> list:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def refused(statement: str, params=()) -> DatabaseError:
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        sql(statement, params)
    return caught.value


def old_rows(*days_ago: int) -> list[AuditLog]:
    """Sealed rows of these ages (backdated before the guard is installed)."""
    rows = []
    for days in days_ago:
        with transaction.atomic():  # committed, where it is, and sealed, only backdated
            row = record(days)
            sql(
                f"UPDATE {LOG} SET time = %s WHERE id = %s",
                [timezone.now() - datetime.timedelta(days=days), row.pk],
            )
        rows.append(row)
    audit_seal()
    return rows


@pytest.fixture
def guard(db):
    audit_guard_install(connection)


def test_the_guard_refuses_changes_to_the_log_and_its_seals(guard):
    rows = [record(n) for n in range(2)]
    audit_seal()
    statements = [
        f"UPDATE {LOG} SET message = 'x' WHERE id = {rows[0].pk}",
        f"DELETE FROM {LOG} WHERE id = {rows[0].pk}",
        f"UPDATE {SEAL} SET chain_hash = 'x' WHERE seq = 1",
        f"DELETE FROM {SEAL} WHERE seq = 2",
    ]
    if connection.vendor == "postgresql":
        sql("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending before a TRUNCATE
        statements += [f"TRUNCATE {SEAL}", f"TRUNCATE {LOG} CASCADE"]
    for statement in statements:
        assert "审计日志只能追加" in str(refused(statement)), statement
    assert audit_verify().ok and audit_verify().verified == 2


def test_the_queue_stays_the_applications_to_empty(guard):
    record(1)
    record(2)
    assert audit_seal() == 2
    assert not AuditPending.objects.exists()


def test_the_manual_update_that_gets_past_the_guard_is_reported(guard):
    """Done when of issue 19: a chain broken by a manual UPDATE is reported at its row."""
    rows = [record(n) for n in range(5)]
    audit_seal()
    target = rows[3]
    seq = AuditSeal.objects.get(log=target).seq
    statement = f"UPDATE {LOG} SET message = %s WHERE id = %s"
    refused(statement, ["改过", target.pk])
    if connection.vendor == "postgresql":
        # A superuser may switch triggers off for the session; the chain still tells.
        sql("SET LOCAL session_replication_role = replica")
        sql(statement, ["改过", target.pk])
        sql("SET LOCAL session_replication_role = origin")
    else:
        # Whoever holds the SQLite file may drop the triggers; the chain still tells.
        audit_guard_remove(connection)
        sql(statement, ["改过", target.pk])
    result = audit_verify()
    assert (result.broken.seq, result.broken.log_id, result.broken.problem) == (
        seq,
        target.pk,
        CONTENT_CHANGED,
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="未通过"):
        call_command("verify-audit", stdout=out)
    assert f"第一处断链：序号 {seq}，日志编号 {target.pk}" in out.getvalue()


def test_the_migration_installs_the_guard_unless_the_settings_say_not(db, settings):
    import zuzhi.settings as production

    assert production.ZUZHI_AUDIT_GUARD is True
    migration = importlib.import_module("zuzhi.core.migrations.0007_audit_seal")
    editor = SimpleNamespace(connection=connection)
    settings.ZUZHI_AUDIT_GUARD = False
    migration.install_guard(None, editor)
    assert not audit_guard_installed(connection)
    settings.ZUZHI_AUDIT_GUARD = True
    migration.install_guard(None, editor)
    assert audit_guard_installed(connection)
    migration.remove_guard(None, editor)
    assert not audit_guard_installed(connection)


def test_migrate_puts_back_a_guard_a_migration_dropped(db, settings):
    """SQLite rebuilds a table to alter a column, and its triggers go with it: every
    `migrate` ends by putting the guard back."""
    from django.core.management.sql import emit_post_migrate_signal

    settings.ZUZHI_AUDIT_GUARD = True
    audit_guard_install(connection)
    if connection.vendor == "sqlite":
        sql(f"DROP TRIGGER zuzhi_audit_guard_{LOG}_update")  # as a rebuild of the log leaves it
    else:
        sql(f"DROP TRIGGER zuzhi_audit_guard ON {LOG}")
    assert "审计日志只能追加" not in str(_update_or_error(record(1).pk))
    # Another alias is the pruning role's login or a replica: never installed through it.
    audit_guard_after_migrate(using="audit_prune")
    assert "审计日志只能追加" not in str(_update_or_error(record(2).pk))
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert "审计日志只能追加" in str(refused(f"UPDATE {LOG} SET message = 'x'"))
    settings.ZUZHI_AUDIT_GUARD = False
    audit_guard_remove(connection)
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert not audit_guard_installed(connection)


def _update_or_error(pk: int):
    try:
        with transaction.atomic():
            sql(f"UPDATE {LOG} SET message = 'x' WHERE id = %s", [pk])
    except DatabaseError as exc:
        return exc
    return "updated"


@on_sqlite
def test_pruning_gets_past_the_sqlite_guard_and_leaves_it_in_place(db):
    old_rows(400, 300, 10)
    audit_guard_install(connection)
    assert audit_prune() == 2
    assert audit_guard_installed(connection)
    refused(f"DELETE FROM {LOG}")
    audit_seal()
    assert audit_verify().ok


@on_postgresql
def test_the_application_cannot_prune_on_postgresql(db):
    old_rows(400, 300, 10)
    audit_guard_install(connection)
    with pytest.raises(DatabaseError, match="审计日志只能追加"), transaction.atomic():
        audit_prune()
    assert AuditLog.objects.count() == 3


@on_postgresql
def test_the_role_that_installs_the_guard_loses_update_and_delete(db):
    """The application's role, owner of the tables as when it runs the migrations, is refused
    by privileges before any trigger."""
    row = record()
    app = f"zuzhi_t_app_{uuid.uuid4().hex[:8]}"
    sql(f"CREATE ROLE {app}")
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending before ALTER TABLE
    for table in (LOG, SEAL, PENDING):
        sql(f"ALTER TABLE {table} OWNER TO {app}")
    sql(f"GRANT CREATE ON SCHEMA public TO {app}")
    sql(f"SET LOCAL ROLE {app}")
    audit_guard_install(connection)
    for statement in [
        f"UPDATE {LOG} SET message = 'x' WHERE id = {row.pk}",
        f"DELETE FROM {LOG} WHERE id = {row.pk}",
        f"TRUNCATE {SEAL}",
    ]:
        error = refused(statement)
        assert error.__cause__.sqlstate == "42501", statement  # insufficient_privilege
        assert "审计日志" not in str(error), "refused by the privileges, not the trigger"
    assert audit_seal() == 1  # inserting and emptying the queue stay allowed
    sql("RESET ROLE")


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_member_of_the_pruning_role_prunes(settings, monkeypatch):
    """The production set-up of the README: the application's role owns the tables and ran
    the migration (installing the guard); a role that may prune, a login role in it, and
    ZUZHI_AUDIT_PRUNE_DATABASE_URL naming the login role. Foreign key checks run as the
    tables' owner, so this is also where a privilege they need would be missed."""
    old_rows(400, 300, 10)
    suffix = uuid.uuid4().hex[:8]
    app, pruner, login = (f"zuzhi_t_{name}_{suffix}" for name in ("app", "pruner", "prune"))
    (owner,) = sql("SELECT tableowner FROM pg_tables WHERE tablename = %s", [LOG])[0]
    try:
        sql(f"CREATE ROLE {app}")
        for table in (LOG, SEAL, PENDING):
            sql(f"ALTER TABLE {table} OWNER TO {app}")
        sql(f"GRANT CREATE ON SCHEMA public TO {app}")
        sql(f"SET ROLE {app}")
        audit_guard_install(connection, prune_role=pruner)
        record(20)  # the application still writes, queues and seals
        assert not AuditPending.objects.exists()
        assert refused(f"DELETE FROM {LOG}").__cause__.sqlstate == "42501"
        sql("RESET ROLE")
        assert "审计日志只能追加" in str(refused(f"DELETE FROM {LOG}"))  # a superuser too

        sql(f"CREATE ROLE {pruner} NOLOGIN")
        sql(f"GRANT SELECT, INSERT, DELETE ON {LOG}, {SEAL}, {PENDING} TO {pruner}")
        sql(f"CREATE ROLE {login} LOGIN IN ROLE {pruner}")
        monkeypatch.setitem(
            settings.DATABASES, PRUNE_ALIAS, {**connection.settings_dict, "USER": login}
        )
        # Django's test case refuses to open connections of aliases it was not given; this
        # one did not exist when it started, and is opened here by hand.
        connections[PRUNE_ALIAS].connect()
        with connections[PRUNE_ALIAS].cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone() == (login,)
        out = io.StringIO()
        call_command("prune-audit", stdout=out)
        assert "已删除 2 条过期审计日志" in out.getvalue()
        assert list(AuditLog.objects.values_list("actor_username", flat=True)) == [
            "系统",
            "u20",
            "u10",
        ]
        # The prune's record was sealed after its commit, through the pruning connection.
        assert not AuditPending.objects.exists()
        result = audit_verify()
        assert result.ok and result.verified == 3
    finally:
        sql("RESET ROLE")
        if PRUNE_ALIAS in settings.DATABASES:
            connections[PRUNE_ALIAS].close()
            del connections[PRUNE_ALIAS]
        for table in (LOG, SEAL, PENDING):
            sql(f"ALTER TABLE {table} OWNER TO {owner}")
        audit_guard_remove(connection)
        for role in (login, pruner, app):
            if sql("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]):
                sql(f"DROP OWNED BY {role}")
                sql(f"DROP ROLE {role}")
