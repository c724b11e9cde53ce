"""Helpers of the backup tests: a new empty database to restore into, the default database
switched to another one in this thread, every table's content, archives opened and edited."""

import contextlib
import copy
import hashlib
import io
import json
import tarfile
import uuid
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import load_backend

from zuzhi.core.backup import MANIFEST, quote_name, table_names


class Terminal(io.StringIO):
    """Standard input typed at a terminal."""

    def isatty(self) -> bool:
        return True


@contextlib.contextmanager
def using_database(settings_dict: dict):
    """In this thread, the default database is the one `settings_dict` names: the ORM, the
    audit and the commands work there."""
    original = connections[DEFAULT_DB_ALIAS]
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.close()
        connections[DEFAULT_DB_ALIAS] = original


@contextlib.contextmanager
def empty_database(tmp_path: Path):
    """The settings of a new, empty database of the test database's vendor (a new file on
    SQLite, a new database on the PostgreSQL server), dropped afterwards."""
    source = connections[DEFAULT_DB_ALIAS]
    settings_dict = copy.deepcopy(source.settings_dict)
    suffix = uuid.uuid4().hex[:8]
    if source.vendor == "sqlite":
        settings_dict["NAME"] = str(tmp_path / f"restored-{suffix}.sqlite3")
        yield settings_dict
        return
    settings_dict["NAME"] = f"{source.settings_dict['NAME']}_restored_{suffix}"
    with source.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {quote_name(settings_dict['NAME'])}")
    try:
        yield settings_dict
    finally:
        with source.cursor() as cursor:
            cursor.execute(f"DROP DATABASE {quote_name(settings_dict['NAME'])} WITH (FORCE)")


def database_contents(connection, *, sequences: bool = True) -> dict[str, list]:
    """Every row of every table (all columns, in a fixed order), and the tables' id counters:
    SQLite's sqlite_sequence, and with `sequences` PostgreSQL's sequences (these move outside
    transactions, so only a quiet database can be compared by them)."""
    contents = {}
    with connection.cursor() as cursor:
        for name, quoted in table_names(cursor, connection.vendor).items():
            cursor.execute(f"SELECT * FROM {quoted}")
            contents[name] = sorted(cursor.fetchall(), key=repr)
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, seq FROM sqlite_sequence")
            contents["sqlite_sequence"] = sorted(cursor.fetchall())
        elif sequences:
            cursor.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
            )
            contents["pg_sequences"] = sorted(cursor.fetchall())
    return contents


def digest(contents: dict[str, list]) -> dict[str, tuple[int, str]]:
    """Each table's row count and a hash of its rows."""
    return {
        table: (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        for table, rows in contents.items()
    }


def read_archive(path: Path) -> tuple[dict[str, bytes], dict]:
    """The members of an archive but the manifest, and the manifest."""
    with tarfile.open(path) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    return members, json.loads(members.pop(MANIFEST))


def write_archive(path: Path, members: dict[str, bytes], manifest: dict) -> None:
    """An archive of these members and this manifest (its hashes as given)."""
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in [*members.items(), (MANIFEST, json.dumps(manifest).encode())]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def rehash(members: dict[str, bytes], manifest: dict) -> dict:
    manifest["files"] = {
        name: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        for name, data in members.items()
    }
    return manifest


def media_tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
