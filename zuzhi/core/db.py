"""Database access the ORM does not offer."""

from django.db import connection


def fetch_one_prepared(sql: str, params: list) -> tuple | None:
    """Run one hot PostgreSQL statement as a prepared statement, with its parameters bound
    on the server, and return its first row.

    Django's psycopg cursor binds parameters on the client and never prepares, so PostgreSQL
    parses and plans such a statement again on every call, and the client quotes every
    parameter into the text. For a statement run thousands of times a second (a public
    vote) both costs count. Errors come back as Django's (IntegrityError, …), as from any
    Django cursor, and the statement runs in the current transaction, if any."""
    import psycopg  # PostgreSQL only: SQLite deployments need not have it

    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchone()
