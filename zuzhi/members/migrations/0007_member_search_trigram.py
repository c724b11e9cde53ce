"""Trigram indexes (pg_trgm) on members' names and initials, on PostgreSQL only.

A search by name or initials is a `LIKE '%…%'` that no B-tree serves: at province size (5
million members) it read every member, 1-2.4 s. A GIN trigram index answers a pattern of three
characters or more (a whole name, wzf) from the index; a shorter one is scanned as before.
pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it. SQLite
has no such index and searches as before."""

from django.db import migrations

INDEXES = {
    "member_name_trgm": "name",
    "member_initials_trgm": "name_initials",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON members_member USING gin ({column} gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("members", "0006_member_user")]

    operations = [migrations.RunPython(create, drop)]
