"""Backups (备份): the database and the uploaded files in one archive (`zuzhi backup`).

An archive is a tar file holding the database dump, the MEDIA_ROOT tree under `media/` and
`manifest.json`: the format version, the time, the versions and the last applied migration of
each app, the database vendor, the row count of every table at the dump's instant, the size
and SHA-256 of every other member, and the data key's fingerprint (never the key itself).

- PostgreSQL: this module opens a REPEATABLE READ transaction, exports its snapshot, counts
  the rows in it and runs `pg_dump --format=custom --snapshot=…`: the dump and the counts see
  one instant, while the application goes on writing.
- SQLite: the online backup API copies the file in one step, that is inside one read
  transaction (a consistent instant; in WAL mode writers go on meanwhile); rows are counted
  in the copy.

The database is dumped before the files are read: an upload is written before the row naming
it commits, so every file the dump names is there. The archive is written under a hidden
temporary name and renamed when complete: a crashed backup never looks like a finished one.
Restoring is core.restore.
"""

import datetime
import glob
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import django
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.postgresql.client import DatabaseClient
from django.utils import timezone

from .audit import audit_record
from .models import AuditAction
from .scope import SYSTEM

FORMAT = "zuzhi-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
DATABASE_MEMBERS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
# Debian installs each major version's client programs here (postgresql-client-NN).
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
CHUNK = 1024 * 1024

_TABLES_SQL = {
    "postgresql": (
        "SELECT n.nspname, c.relname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'r' AND n.nspname <> 'information_schema' "
        "AND left(n.nspname, 3) <> 'pg_' ORDER BY 1, 2"
    ),
    "sqlite": (
        "SELECT 'main', name FROM sqlite_master "
        "WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_' ORDER BY 2"
    ),
}


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message says why, in Chinese."""


@dataclass
class BackupResult:
    path: Path
    size: int
    manifest: dict

    @property
    def tables(self) -> int:
        return len(self.manifest["tables"])

    @property
    def rows(self) -> int:
        return sum(self.manifest["tables"].values())

    @property
    def files(self) -> int:
        return media_count(self.manifest)

    def summary(self) -> list[str]:
        vendor = VENDOR_NAMES[self.manifest["database"]["vendor"]]
        fingerprint = self.manifest["data_key_fingerprint"]
        return [
            f"已写入备份：{self.path}（{size_text(self.size)}）",
            f"数据库：{vendor}，{self.tables} 张表，共 {self.rows:,} 行",
            f"上传文件：{self.files} 个",
            f"密钥指纹：{fingerprint}（密钥本身不在备份中，须另行离线保存）"
            if fingerprint
            else "未配置数据密钥（ZUZHI_DATA_KEY / ZUZHI_DATA_KEY_FILE）。",
        ]


@dataclass
class DatabaseCopy:
    """What was read at the dump's instant."""

    tables: dict[str, int]
    migrations: dict[str, str]
    server_version: str
    tool: str


def size_text(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    for unit in ("KB", "MB"):
        size /= 1024
        if size < 1024:
            return f"{size:.1f} {unit}"
    return f"{size / 1024:.1f} GB"


def media_count(manifest: dict) -> int:
    return sum(1 for name in manifest["files"] if name.startswith(MEDIA_PREFIX))


def key_fingerprint() -> str | None:
    """The data key's fingerprint: `sha256:` and the first 16 hex digits of the SHA-256 of
    the key's bytes (surrounding whitespace removed), or None when no key is configured."""
    if settings.ZUZHI_DATA_KEY:
        key = settings.ZUZHI_DATA_KEY.strip().encode()
    elif settings.ZUZHI_DATA_KEY_FILE:
        try:
            key = Path(settings.ZUZHI_DATA_KEY_FILE).read_bytes().strip()
        except OSError as exc:
            raise BackupError(
                f"无法读取密钥文件 {settings.ZUZHI_DATA_KEY_FILE}（ZUZHI_DATA_KEY_FILE）：{exc.strerror}"
            ) from exc
    else:
        return None
    return "sha256:" + hashlib.sha256(key).hexdigest()[:16]


def _tool_major(path: str) -> int | None:
    try:
        out = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", out)
    return int(match.group(1)) if match else None


def pg_tool(name: str, *, server_major: int) -> str:
    """The path of PostgreSQL's `name` (pg_dump, pg_restore) of the highest major version not
    below the server's, found on PATH or in Debian's per-version directories: an older
    pg_dump refuses a newer server."""
    found: dict[str, int] = {}
    for path in [shutil.which(name), *sorted(glob.glob(os.path.join(PG_BIN_GLOB, name)))]:
        if path and path not in found and (major := _tool_major(path)) is not None:
            found[path] = major
    usable = [(major, path) for path, major in found.items() if major >= server_major]
    if not usable:
        seen = "、".join(f"{path}（{major}）" for path, major in found.items()) or "无"
        raise BackupError(
            f"找不到版本不低于数据库服务器（PostgreSQL {server_major}）的 {name}（已找到：{seen}）。"
            f"请安装 postgresql-client-{server_major} 或更高版本，或把它的 bin 目录加入 PATH。"
        )
    return max(usable, key=lambda found_tool: found_tool[0])[1]


def libpq_env(settings_dict: dict) -> dict[str, str]:
    """The environment that names the database to pg_dump and pg_restore. The password goes
    here (PGPASSWORD), never on a command line that other users of the machine can read."""
    _, env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    env = {**os.environ, **(env or {})}
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGDATABASE", "NAME"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return env


def quote_name(*parts: str) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in parts)


def table_names(cursor, vendor: str) -> dict[str, str]:
    """Every table, by its name (schema-qualified outside the default schema) to its quoted
    name in SQL, through a DB-API cursor on either database."""
    cursor.execute(_TABLES_SQL[vendor])
    return {
        (table if schema in ("public", "main") else f"{schema}.{table}"): quote_name(schema, table)
        for schema, table in cursor.fetchall()
    }


def table_counts(cursor, vendor: str) -> dict[str, int]:
    """Rows of every table, by name."""
    counts = {}
    for name, quoted in table_names(cursor, vendor).items():
        cursor.execute(f"SELECT count(*) FROM {quoted}")
        counts[name] = cursor.fetchone()[0]
    return counts


def applied_migrations(cursor, tables: dict[str, int]) -> dict[str, str]:
    """The last applied migration of each app, as the django_migrations table says."""
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    return dict(cursor.fetchall())


def _dump_postgresql(connection, path: Path) -> DatabaseCopy:
    connection.ensure_connection()
    pg_dump = pg_tool("pg_dump", server_major=connection.pg_version // 10000)
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.autocommit = True
        with raw.cursor() as cursor:
            # pg_dump imports this transaction's snapshot, so the counts read here and the
            # dump describe the same instant; the transaction stays open until it is done.
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot_id, server_version = cursor.fetchone()
            tables = table_counts(cursor, "postgresql")
            migrations = applied_migrations(cursor, tables)
            done = subprocess.run(
                [
                    pg_dump,
                    "--format=custom",
                    f"--file={path}",
                    f"--snapshot={snapshot_id}",
                    "--no-password",
                ],
                env=libpq_env(connection.settings_dict),
                capture_output=True,
                encoding="utf-8",
                errors="replace",
                check=False,
            )
            cursor.execute("COMMIT")
    finally:
        raw.close()
    if done.returncode != 0:
        raise BackupError(f"pg_dump 失败：{done.stderr.strip()}")
    return DatabaseCopy(tables, migrations, server_version, pg_dump)


def _copy_sqlite(connection, path: Path) -> DatabaseCopy:
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    try:
        # pages=-1: the whole file in one step, inside one read transaction of the source.
        connection.connection.backup(copy, pages=-1)
        # The copy is one self-contained file, whatever the source's journal mode.
        copy.execute("PRAGMA journal_mode=DELETE")
        cursor = copy.cursor()
        tables = table_counts(cursor, "sqlite")
        migrations = applied_migrations(cursor, tables)
    finally:
        copy.close()
    version = sqlite3.sqlite_version
    return DatabaseCopy(tables, migrations, version, f"SQLite {version} online backup")


def archive_path(output: str | Path | None, now: datetime.datetime) -> Path:
    """Where the archive goes: a named `.tar` file, or a file named by the time in a directory
    (`output`, or ZUZHI_BACKUP_DIR), created if missing."""
    name = f"zuzhi-backup-{timezone.localtime(now):%Y%m%d-%H%M%S}.tar"
    target = Path(output) if output else Path(settings.ZUZHI_BACKUP_DIR)
    if target.is_dir() or target.suffix != ".tar":
        target = target / name
    if target.exists():
        raise BackupError(f"{target} 已存在：备份不覆盖已有的文件。")
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    media_root = Path(settings.MEDIA_ROOT).resolve()
    if target.parent.resolve().is_relative_to(media_root):
        raise BackupError(f"备份不能写在上传文件目录（{media_root}）之内。")
    return target


def media_files(root: Path) -> list[tuple[str, Path]]:
    """The regular files under `root` (links are not followed), by their path in the archive."""
    found = []
    for directory, subdirectories, names in os.walk(root):
        subdirectories.sort()
        for name in sorted(names):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                found.append((MEDIA_PREFIX + path.relative_to(root).as_posix(), path))
    return found


class _HashingReader:
    """A file object that hashes what tarfile reads from it."""

    def __init__(self, raw):
        self.raw = raw
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha256.update(data)
        return data


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> dict | None:
    try:
        source = path.open("rb")
    except FileNotFoundError:
        return None  # deleted since the directory was listed
    with source:
        stat = os.fstat(source.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
        reader = _HashingReader(source)
        tar.addfile(info, reader)
    return {"size": info.size, "sha256": reader.sha256.hexdigest()}


def _write_archive(path: Path, members: list[tuple[str, Path]], manifest: dict) -> None:
    """Write the members and then the manifest (with every member's SHA-256) to `path`."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise BackupError(f"另一个备份正在写入 {path}（或上次备份中断后留下了它）。") from exc
    with os.fdopen(fd, "wb") as out:
        with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for name, source in members:
                entry = _add_file(tar, name, source)
                if entry is not None:
                    manifest["files"][name] = entry
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
        out.flush()
        os.fsync(out.fileno())


def _fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return ""


def backup_create(*, output: str | Path | None = None) -> BackupResult:
    """Back up the default (primary) database and MEDIA_ROOT into one new archive, and audit
    it. The archive and its directory are readable by their owner only."""
    connection = connections[DEFAULT_DB_ALIAS]
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"不支持备份 {vendor} 数据库。")
    now = timezone.now()
    target = archive_path(output, now)
    fingerprint = key_fingerprint()
    partial = target.with_name(f".{target.name}.part")
    with tempfile.TemporaryDirectory(prefix=".zuzhi-backup-", dir=target.parent) as work:
        dump = Path(work) / DATABASE_MEMBERS[vendor]
        copy = (_dump_postgresql if vendor == "postgresql" else _copy_sqlite)(connection, dump)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": timezone.localtime(now).isoformat(timespec="seconds"),
            "zuzhi_version": _version("zuzhi"),
            "django_version": django.get_version(),
            "migrations": copy.migrations,
            "database": {
                "vendor": vendor,
                "member": dump.name,
                "server_version": copy.server_version,
                "tool": copy.tool,
            },
            "tables": copy.tables,
            "files": {},
            "data_key_fingerprint": fingerprint,
        }
        members = [(dump.name, dump), *media_files(Path(settings.MEDIA_ROOT))]
        try:
            _write_archive(partial, members, manifest)
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    _fsync_directory(target.parent)
    result = BackupResult(path=target, size=target.stat().st_size, manifest=manifest)
    audit_record(
        actor=SYSTEM,
        action=AuditAction.BACKUP,
        target_repr=target.name,
        message=(
            f"备份到 {target}（{size_text(result.size)}）：{VENDOR_NAMES[vendor]}，"
            f"{result.tables} 张表，{result.rows} 行，{result.files} 个上传文件。"
        ),
    )
    return result
