"""The database's own refusal to change the audit log (审计日志防篡改保护).

On PostgreSQL, statement triggers on the log and seal tables refuse every UPDATE, DELETE and
TRUNCATE, except a DELETE by a member of the pruning role (settings.ZUZHI_AUDIT_PRUNE_ROLE,
through ZUZHI_AUDIT_PRUNE_DATABASE_URL), and the privileges to do so are revoked from PUBLIC
and from the role that installs them (the application's, which runs the migrations), but for
UPDATE of one key column that foreign key checks need. Superusers bypass privileges but not
triggers, hence both. Membership is read from pg_auth_members rather than with pg_has_role,
which counts a superuser as a member of every role. A role that owns the tables may grant
itself the privileges again or drop the triggers: the README's stronger set-up keeps the
owner apart from the application's role.

On SQLite, row triggers refuse UPDATE and DELETE; pruning drops them inside its own
transaction (`guard_suspended`). They stop a mistake, not someone who holds the file: there,
the hash chain and the head hash written down elsewhere are what show a change.

The migration installs the guard when settings.ZUZHI_AUDIT_GUARD is on (the test settings
turn it off so that transactional tests can empty the tables; the guard's tests install it).
"""

import contextlib

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from .models import AuditLog, AuditSeal

PG_FUNCTION = "zuzhi_audit_guard"
TRIGGER = "zuzhi_audit_guard"

_PG_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $guard$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (
        WITH RECURSIVE member_of(oid) AS (
            SELECT oid FROM pg_roles WHERE rolname = current_user
            UNION
            SELECT m.roleid FROM pg_auth_members m JOIN member_of ON m.member = member_of.oid
        )
        SELECT 1 FROM member_of JOIN pg_roles r ON r.oid = member_of.oid
        WHERE r.rolname = TG_ARGV[0]
    ) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '审计日志只能追加，不能修改或删除（%，%）。', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = format('过期日志由 zuzhi prune-audit 清理，须以角色 %s 的成员连接数据库。',
                            TG_ARGV[0]);
END
$guard$
"""

_SQLITE_REFUSALS = {
    "UPDATE": "审计日志只能追加，不能修改。",
    "DELETE": "审计日志只能追加，不能删除。",
}


def _tables() -> list[str]:
    return [AuditLog._meta.db_table, AuditSeal._meta.db_table]


def _sqlite_trigger(table: str, operation: str) -> str:
    return f"{TRIGGER}_{table}_{operation.lower()}"


def audit_guard_install(connection, *, prune_role: str | None = None) -> None:
    """Install the guard on `connection`'s database (the migration calls this)."""
    role = prune_role or settings.ZUZHI_AUDIT_PRUNE_ROLE
    literal = "'" + role.replace("'", "''") + "'"  # a trigger's arguments are literals
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_FUNCTION_SQL)
            for table in _tables():
                cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {qn(table)}")
                # Statement triggers: one check per statement, not per row of a prune.
                cursor.execute(
                    f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE OR TRUNCATE ON {qn(table)} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}({literal})"
                )
            cursor.execute(
                f"REVOKE UPDATE, DELETE, TRUNCATE ON {', '.join(qn(t) for t in _tables())} "
                "FROM PUBLIC, CURRENT_USER"
            )
            # Foreign key checks lock the other table's row FOR KEY SHARE as that table's
            # owner, which needs UPDATE on some column: the seals' and queue's inserts check
            # the log, a prune's deletes check the seals. One key column each; the triggers
            # refuse an UPDATE of it all the same.
            cursor.execute(f"GRANT UPDATE (id) ON {qn(AuditLog._meta.db_table)} TO CURRENT_USER")
            cursor.execute(f"GRANT UPDATE (seq) ON {qn(AuditSeal._meta.db_table)} TO CURRENT_USER")
        elif connection.vendor == "sqlite":
            for table in _tables():
                for operation, refusal in _SQLITE_REFUSALS.items():
                    name = _sqlite_trigger(table, operation)
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                    cursor.execute(
                        f"CREATE TRIGGER {name} BEFORE {operation} ON {qn(table)} "
                        f"BEGIN SELECT RAISE(ABORT, '{refusal}'); END"
                    )


def audit_guard_remove(connection) -> None:
    """Take the guard away again (the migration's reverse; tests)."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in _tables():
                cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {qn(table)}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
            cursor.execute(f"REVOKE UPDATE (id) ON {qn(AuditLog._meta.db_table)} FROM CURRENT_USER")
            cursor.execute(
                f"REVOKE UPDATE (seq) ON {qn(AuditSeal._meta.db_table)} FROM CURRENT_USER"
            )
            cursor.execute(
                f"GRANT UPDATE, DELETE, TRUNCATE ON {', '.join(qn(t) for t in _tables())} "
                "TO CURRENT_USER"
            )
        elif connection.vendor == "sqlite":
            for name in _sqlite_triggers(connection):
                cursor.execute(f"DROP TRIGGER {name}")


def _sqlite_triggers(connection) -> list[str]:
    wanted = [_sqlite_trigger(t, op) for t in _tables() for op in _SQLITE_REFUSALS]
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {name for (name,) in cursor.fetchall()}
    return [name for name in wanted if name in present]


def audit_guard_installed(connection) -> bool:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = %s AND tgrelid = ANY(%s::regclass[])",
                [TRIGGER, _tables()],
            )
            return cursor.fetchone()[0] == len(_tables())
    return bool(_sqlite_triggers(connection))


def audit_guard_after_migrate(*, using: str, **kwargs) -> None:
    """After every `migrate` (post_migrate), put the guard back where it is missing: SQLite
    alters a column by rebuilding the table, and the triggers go with the old one, so a
    later migration of the log would otherwise leave it unguarded."""
    # Only the application's own database: not the pruning role's login, nor a replica.
    if not settings.ZUZHI_AUDIT_GUARD or using != DEFAULT_DB_ALIAS:
        return
    connection = connections[using]
    if not set(_tables()) <= set(connection.introspection.table_names()):
        return  # migrated back to before the log's tables
    if connection.vendor == "sqlite":
        wanted = len(_tables()) * len(_SQLITE_REFUSALS)
        missing = len(_sqlite_triggers(connection)) < wanted
    else:
        missing = not audit_guard_installed(connection)
    if missing:
        with transaction.atomic(using=using):
            audit_guard_install(connection)


@contextlib.contextmanager
def guard_suspended(connection):
    """Within the caller's transaction, let pruning delete on SQLite: the triggers are dropped
    and put back in the same transaction, so no other connection sees them gone. PostgreSQL
    needs nothing: there the pruning role passes the guard."""
    if connection.vendor != "sqlite" or not _sqlite_triggers(connection):
        yield
        return
    audit_guard_remove(connection)
    yield
    audit_guard_install(connection)
