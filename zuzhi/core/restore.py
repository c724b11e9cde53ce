"""Restoring a backup (恢复, `zuzhi restore`) into an empty database and an empty MEDIA_ROOT.

Nothing is written before every check has passed: the archive's manifest and the SHA-256 of
every member, the database vendor, a schema no newer than this program's, an empty target
database and an empty MEDIA_ROOT. A restore never merges into or overwrites existing data: the
drill is always into a new, empty database. PostgreSQL is restored by `pg_restore` in one
transaction (a failure leaves the database empty); SQLite by putting the copied file in place.
Afterwards the row count of every table is compared with the manifest's, and the restore is
audited in the restored database.
"""

import hashlib
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from .audit import audit_record
from .audit_guard import audit_guard_install, audit_guard_installed
from .backup import (
    CHUNK,
    DATABASE_MEMBERS,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MEDIA_PREFIX,
    VENDOR_NAMES,
    BackupError,
    key_fingerprint,
    libpq_env,
    media_count,
    pg_tool,
    table_counts,
)
from .models import AuditAction, AuditSeal
from .scope import SYSTEM

_OBJECTS_SQL = (
    "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND n.nspname <> 'information_schema' "
    "AND left(n.nspname, 3) <> 'pg_' ORDER BY 1, 2"
)


@dataclass
class RestorePlan:
    """A verified archive and a target that may receive it."""

    archive: Path
    manifest: dict
    database: str  # what the operator types to confirm
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        manifest = self.manifest
        vendor = VENDOR_NAMES[manifest["database"]["vendor"]]
        rows = sum(manifest["tables"].values())
        return [
            f"备份文件：{self.archive}（{manifest['created_at']} 创建，校验通过）",
            f"内容：{vendor}，{len(manifest['tables'])} 张表，共 {rows:,} 行；"
            f"上传文件 {media_count(manifest)} 个",
            f"恢复到：数据库 {self.database}，上传文件目录 {settings.MEDIA_ROOT}",
        ]


@dataclass
class TableCheck:
    table: str
    expected: int | None  # None: not in the manifest
    actual: int | None  # None: not in the restored database


@dataclass
class RestoreResult:
    plan: RestorePlan
    checks: list[TableCheck]
    files: int
    pending_migrations: int

    @property
    def mismatches(self) -> list[TableCheck]:
        return [check for check in self.checks if check.expected != check.actual]

    def summary(self) -> list[str]:
        rows = sum(check.actual or 0 for check in self.checks)
        lines = [f"已恢复：{len(self.checks)} 张表，共 {rows:,} 行；上传文件 {self.files} 个。"]
        for check in self.mismatches:
            expected = "无此表" if check.expected is None else f"{check.expected} 行"
            actual = "无此表" if check.actual is None else f"{check.actual} 行"
            lines.append(f"行数不符：{check.table}，备份清单 {expected}，恢复后 {actual}")
        if not self.mismatches:
            lines.append("每张表的行数都与备份清单一致。")
        if self.pending_migrations:
            lines.append(
                f"备份的数据库结构早于本程序（有 {self.pending_migrations} 个迁移未执行）：请运行"
                " zuzhi migrate。本次恢复未写入审计日志（审计表结构尚未更新），请另行记录。"
            )
        return lines


def _sha256(stream) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _media_path(name: str) -> PurePosixPath:
    """A media member's path under MEDIA_ROOT; refuses one that would leave it."""
    relative = PurePosixPath(name[len(MEDIA_PREFIX) :])
    if relative.is_absolute() or not relative.parts or ".." in relative.parts:
        raise BackupError(f"备份中有不安全的路径 {name}，拒绝恢复。")
    return relative


def _read_manifest(tar: tarfile.TarFile, members: dict) -> dict:
    member = members.get(MANIFEST)
    if member is None or not member.isfile():
        raise BackupError(f"备份文件中没有 {MANIFEST}：它不是 Zuzhi 的备份，或已损坏。")
    try:
        manifest = json.loads(tar.extractfile(member).read())
        version = manifest["format_version"]
        if manifest["format"] != FORMAT or not isinstance(version, int):
            raise ValueError
        vendor, member_name = manifest["database"]["vendor"], manifest["database"]["member"]
        if DATABASE_MEMBERS.get(vendor) != member_name or member_name not in manifest["files"]:
            raise ValueError
        for name in ("tables", "files", "migrations"):
            if not isinstance(manifest[name], dict):
                raise ValueError
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"备份的 {MANIFEST} 格式不对：它不是 Zuzhi 的备份，或已损坏。") from exc
    if version > FORMAT_VERSION:
        raise BackupError(
            f"备份格式版本 {version} 高于本程序支持的 {FORMAT_VERSION}：请用更新版本的 Zuzhi 恢复。"
        )
    return manifest


def archive_verify(path: Path) -> dict:
    """The archive's manifest, once every member listed there has been read and matched its
    SHA-256 and size, and no member is unlisted."""
    try:
        with tarfile.open(path, "r:") as tar:
            members = {member.name: member for member in tar.getmembers()}
            manifest = _read_manifest(tar, members)
            listed = manifest["files"]
            for name in members:
                if name != MANIFEST and name not in listed:
                    raise BackupError(f"备份文件已被改动：{name} 不在清单中，拒绝恢复。")
            for name, entry in listed.items():
                if name != manifest["database"]["member"]:
                    if not name.startswith(MEDIA_PREFIX):
                        raise BackupError(f"备份中有不属于备份格式的文件 {name}，拒绝恢复。")
                    _media_path(name)
                member = members.get(name)
                if member is None or not member.isfile():
                    raise BackupError(f"备份文件已损坏：缺少 {name}，拒绝恢复。")
                if (
                    member.size != entry["size"]
                    or _sha256(tar.extractfile(member)) != entry["sha256"]
                ):
                    raise BackupError(
                        f"备份文件已损坏：{name} 的 SHA-256 校验值与清单不符，拒绝恢复。"
                    )
    except FileNotFoundError as exc:
        raise BackupError(f"找不到备份文件 {path}。") from exc
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"备份文件已损坏，无法读取（{exc}），拒绝恢复。") from exc
    return manifest


def database_label(connection) -> str:
    name = str(connection.settings_dict["NAME"])
    return Path(name).name if connection.vendor == "sqlite" else name


def _refuse_other_vendor(manifest: dict, connection) -> None:
    backed, current = manifest["database"]["vendor"], connection.vendor
    if backed != current:
        raise BackupError(
            f"备份来自 {VENDOR_NAMES[backed]} 数据库，当前配置的是 "
            f"{VENDOR_NAMES.get(current, current)}：不能跨数据库恢复。请把 ZUZHI_DATABASE_URL "
            f"指向一个新建的空 {VENDOR_NAMES[backed]} 数据库后再恢复。"
        )


def _refuse_newer_schema(manifest: dict) -> list[str]:
    """Refuses a backup made by a newer Zuzhi; warns about one made by an older one."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    unknown = [
        f"{app}.{name}"
        for app, name in manifest["migrations"].items()
        if (app, name) not in loader.graph.nodes
    ]
    if unknown:
        raise BackupError(
            f"备份来自更新版本的 Zuzhi（本程序没有迁移 {'、'.join(unknown[:3])}）："
            "请先升级 Zuzhi，再恢复。"
        )
    leaves = loader.graph.leaf_nodes()
    if any(manifest["migrations"].get(app) != name for app, name in leaves):
        return ["备份的数据库结构早于本程序：恢复后请运行 zuzhi migrate。"]
    return []


def _refuse_non_empty_database(connection) -> None:
    label = database_label(connection)
    advice = "恢复只写入空数据库，不覆盖、不合并已有数据。"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_OBJECTS_SQL)
            found = [table for _, table in cursor.fetchall()]
        advice += (
            "请新建一个空数据库（如 createdb -O 数据库用户 zuzhi_restored），"
            "把 ZUZHI_DATABASE_URL 指向它后再恢复。"
        )
    else:
        if connection.is_in_memory_db():
            raise BackupError("当前配置的是内存数据库，不能恢复到这里。")
        found = _sqlite_tables(Path(connection.settings_dict["NAME"]))
        advice += "请把 ZUZHI_DATABASE_URL 指向一个新的数据库文件后再恢复。"
    if found:
        raise BackupError(
            f"目标数据库 {label} 不是空的（已有 {len(found)} 张表或其他对象，如 "
            f"{'、'.join(found[:3])}）：{advice}"
        )


def _sqlite_tables(path: Path) -> list[str]:
    if not path.exists() or path.stat().st_size == 0:
        return []
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            return [
                row[0]
                for row in db.execute(
                    "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name"
                )
            ]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"目标文件 {path} 不是可读的 SQLite 数据库（{exc}），拒绝覆盖。") from exc


def _refuse_non_empty_media(root: Path) -> None:
    present = sum(len(names) for _, _, names in os.walk(root))
    if present:
        raise BackupError(
            f"上传文件目录 {root} 不是空的（已有 {present} 个文件）：恢复不覆盖已有文件。"
            "请把 ZUZHI_MEDIA_ROOT 指向一个空目录后再恢复。"
        )


def key_warnings(manifest: dict) -> list[str]:
    backed, current = manifest.get("data_key_fingerprint"), key_fingerprint()
    if backed and backed != current:
        return [
            f"备份使用的密钥指纹为 {backed}，当前密钥指纹为 {current or '无（未配置密钥）'}："
            "恢复后加密字段将无法解密。"
        ]
    return []


def restore_prepare(*, archive: str | Path) -> RestorePlan:
    """Check everything a restore needs before anything is written; refuse in Chinese."""
    archive = Path(archive)
    manifest = archive_verify(archive)
    connection = connections[DEFAULT_DB_ALIAS]
    _refuse_other_vendor(manifest, connection)
    warnings = _refuse_newer_schema(manifest)
    _refuse_non_empty_database(connection)
    _refuse_non_empty_media(Path(settings.MEDIA_ROOT))
    return RestorePlan(
        archive=archive,
        manifest=manifest,
        database=database_label(connection),
        warnings=[*warnings, *key_warnings(manifest)],
    )


def _extract(tar: tarfile.TarFile, name: str, entry: dict, path: Path, mode: int = 0o600) -> None:
    """Write one member to a new file at `path`, checking its SHA-256 again on the way."""
    digest = hashlib.sha256()
    source = tar.extractfile(tar.getmember(name))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    if digest.hexdigest() != entry["sha256"]:
        path.unlink()
        raise BackupError(f"备份文件在校验之后被改动：{name} 的校验值不符，已停止恢复。")


def _restore_postgresql(connection, tar: tarfile.TarFile, manifest: dict) -> None:
    connection.ensure_connection()
    pg_restore = pg_tool("pg_restore", server_major=connection.pg_version // 10000)
    name = manifest["database"]["member"]
    with tempfile.TemporaryDirectory(prefix="zuzhi-restore-") as work:
        dump = Path(work) / name
        _extract(tar, name, manifest["files"][name], dump)
        done = subprocess.run(
            [
                pg_restore,
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                "--no-password",
                f"--dbname={connection.settings_dict['NAME']}",
                str(dump),
            ],
            env=libpq_env(connection.settings_dict),
            capture_output=True,
            encoding="utf-8",
            errors="replace",
            check=False,
        )
    if done.returncode != 0:
        raise BackupError(f"pg_restore 失败，已整体回滚，目标数据库仍是空的：{done.stderr.strip()}")


def _restore_sqlite(connection, tar: tarfile.TarFile, manifest: dict) -> None:
    connection.close()  # no handle of Django's on the file that is replaced
    target = Path(connection.settings_dict["NAME"])
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.restore")
    partial.unlink(missing_ok=True)
    name = manifest["database"]["member"]
    _extract(tar, name, manifest["files"][name], partial)
    # The empty database's journal files would be read as part of the new file.
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(partial, target)


def _restore_media(tar: tarfile.TarFile, manifest: dict, root: Path) -> int:
    count = 0
    for name, entry in manifest["files"].items():
        if not name.startswith(MEDIA_PREFIX):
            continue
        path = root.joinpath(*_media_path(name).parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Uploads get the usual permissions (umask), as Django's storage gives them.
        _extract(tar, name, entry, path, mode=0o666)
        count += 1
    return count


def _compare_counts(connection, expected: dict[str, int]) -> list[TableCheck]:
    with connection.cursor() as cursor:
        actual = table_counts(cursor, connection.vendor)
    return [
        TableCheck(table=table, expected=expected.get(table), actual=actual.get(table))
        for table in sorted(expected.keys() | actual.keys())
    ]


def _pending_migrations(connection) -> int:
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _renew_audit_guard(connection) -> None:
    """Install the restored database's audit guard again. pg_restore --no-owner gives the
    tables to the role that restores, while the dump's grants and revokes name the roles of
    the server backed up: a role other than the one that installed the guard would own the
    log with every privilege on it."""
    if AuditSeal._meta.db_table not in connection.introspection.table_names():
        return  # a schema older than the guard: `zuzhi migrate` installs it
    if audit_guard_installed(connection):
        with transaction.atomic(using=connection.alias):
            audit_guard_install(connection)


def restore_run(plan: RestorePlan) -> RestoreResult:
    """Restore a prepared plan, compare the row counts with the manifest and audit it."""
    connection = connections[DEFAULT_DB_ALIAS]
    media_root = Path(settings.MEDIA_ROOT)
    # Checked again: time has passed while a person read the plan and confirmed.
    _refuse_non_empty_database(connection)
    _refuse_non_empty_media(media_root)
    manifest = plan.manifest
    with tarfile.open(plan.archive, "r:") as tar:
        if connection.vendor == "postgresql":
            _restore_postgresql(connection, tar, manifest)
        else:
            _restore_sqlite(connection, tar, manifest)
        files = _restore_media(tar, manifest, media_root)
    _renew_audit_guard(connection)
    checks = _compare_counts(connection, manifest["tables"])
    result = RestoreResult(
        plan=plan, checks=checks, files=files, pending_migrations=_pending_migrations(connection)
    )
    if not result.pending_migrations:
        counts = (
            "每张表的行数与清单一致"
            if not result.mismatches
            else f"{len(result.mismatches)} 张表的行数与清单不符"
        )
        audit_record(
            actor=SYSTEM,
            action=AuditAction.RESTORE,
            target_repr=plan.archive.name,
            message=(
                f"从备份 {plan.archive}（{manifest['created_at']} 创建）恢复："
                f"{VENDOR_NAMES[connection.vendor]}，{len(checks)} 张表，上传文件 {files} 个；"
                f"{counts}。"
            ),
        )
    return result
