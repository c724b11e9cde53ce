"""Helpers for migrations."""

from django.db import migrations


def drop_index_only(name: str, table: str, column: str) -> migrations.RunSQL:
    """Drop a foreign key's own index and nothing else (with the field's `db_index=False` as
    a state-only AlterField beside it). Altering the field in the database would drop and
    re-add the foreign key too: a lock on the table and a check of every row."""
    return migrations.RunSQL(
        f'DROP INDEX IF EXISTS "{name}"',
        reverse_sql=f'CREATE INDEX "{name}" ON "{table}" ("{column}")',
    )
