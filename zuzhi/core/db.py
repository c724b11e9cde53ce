"""Database access the ORM does not offer."""

import weakref
from collections.abc import Sequence

from django.db import ProgrammingError, connection

# The statements PREPAREd on each open PostgreSQL connection (by its psycopg object, so a
# closed and reopened connection starts afresh).
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
UNKNOWN_STATEMENT = "26000"  # PostgreSQL: invalid SQL statement name


def fetch_one_prepared(*, name: str, sql: str, types: Sequence[str], params: list):
    """Run a hot PostgreSQL statement, prepared once per connection, and return its first row.

    Django's connections never prepare, so PostgreSQL parses and plans a statement on every
    call; for one run thousands of times a second (a public vote) that was most of the
    database's work. Here the statement is `PREPARE`d under `name` (an identifier of ours)
    with a type per `%s` in `sql`, and then each call is `EXECUTE name(…)`. A PREPARE is a
    statement of its own: a failing run leaves nothing behind, and rollbacks keep it. It all
    goes through Django's cursor, so errors are Django's, in the current transaction, and in
    Django's query log. Should the statement have gone (someone ran DEALLOCATE), it is
    prepared again: at once outside a transaction, else from the next call on.

    Behind pgbouncer in transaction pooling (DISABLE_SERVER_SIDE_CURSORS, set by
    ZUZHI_PGBOUNCER_TRANSACTION_POOLING) the next transaction may run in another server
    session, where `name` is unknown or means another statement: there the statement is run
    as it is, each parameter cast to its type as the PREPARE would have typed it."""
    parts = sql.split("%s")
    if not len(parts) - 1 == len(types) == len(params):
        raise ValueError("one type and one parameter for each %s")
    if connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"):
        typed = parts[0] + "".join(
            f"CAST(%s AS {kind}){part}" for kind, part in zip(types, parts[1:], strict=True)
        )
        with connection.cursor() as cursor:
            cursor.execute(typed, params)
            return cursor.fetchone()
    text = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], 1))
    prepare = f"PREPARE {name} ({', '.join(types)}) AS {text}"
    execute = f"EXECUTE {name} ({', '.join(['%s'] * len(types))})"
    with connection.cursor() as cursor:
        names = _prepared.setdefault(connection.connection, set())
        if name not in names:
            cursor.execute(prepare)
            names.add(name)
        try:
            cursor.execute(execute, params)
        except ProgrammingError as exc:
            if getattr(exc.__cause__, "sqlstate", None) != UNKNOWN_STATEMENT:
                raise
            names.discard(name)
            if connection.in_atomic_block:
                raise
            cursor.execute(prepare)
            names.add(name)
            cursor.execute(execute, params)
        return cursor.fetchone()
