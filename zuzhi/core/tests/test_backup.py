"""`zuzhi backup` and `zuzhi restore` (备份与恢复): a backup restored into a new empty database
gives back every row of every table and every uploaded file; each refusal of a restore and of
a backup. The backup taken while the application writes is test_backup_writes.py."""

import datetime
import hashlib
import io
import re
import sqlite3
import stat
import tarfile
import uuid
from contextlib import closing
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.recorder import MigrationRecorder

from zuzhi.core import backup, restore
from zuzhi.core.audit_guard import audit_guard_install, audit_guard_installed, audit_guard_remove
from zuzhi.core.audit_verify import audit_verify
from zuzhi.core.backup import BackupError, backup_create, key_fingerprint, pg_tool
from zuzhi.core.codes import code_tables_load
from zuzhi.core.models import AuditAction, AuditLog, CodeItem
from zuzhi.core.restore import restore_prepare
from zuzhi.testing.factories import make_member, valid_id_number

from .backup_support import (
    Terminal,
    database_contents,
    empty_database,
    media_tree,
    read_archive,
    rehash,
    using_database,
    write_archive,
)

# The backup tools see the database from other connections (pg_dump, the backup API): the
# rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

POSTGRESQL_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_dump and pg_restore are PostgreSQL's"
)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    (root / "meetings" / "2024").mkdir(parents=True)
    (root / "meetings" / "2024" / "支部党员大会记录.pdf").write_bytes(
        b"%PDF-1.4 " + bytes(range(256))
    )
    (root / "photos").mkdir()
    (root / "photos" / "cadre-1.jpg").write_bytes(b"\xff\xd8\xff" + b"\x00" * 5000)
    (root / "empty.txt").write_bytes(b"")
    return root


@pytest.fixture
def members(county):
    if not CodeItem.objects.exists():  # emptied by an earlier transactional test's flush
        code_tables_load(CodeItem)
    return [
        make_member(county.village_a1, name="李明", id_number=valid_id_number(sequence=11)),
        make_member(county.village_b1, name="王芳", id_number=valid_id_number(sequence=12)),
    ]


def only_archive(directory: Path) -> Path:
    (archive,) = directory.glob("*.tar")
    return archive


def test_a_quiet_database_and_its_files_come_back_whole(
    members, media, settings, tmp_path, monkeypatch
):
    source = database_contents(connection)
    source_media = media_tree(media)
    out = io.StringIO()

    call_command("backup", output=str(tmp_path / "backups"), stdout=out)

    archive = only_archive(tmp_path / "backups")
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert stat.S_IMODE(archive.parent.stat().st_mode) == 0o700
    members_, manifest = read_archive(archive)
    created = datetime.datetime.fromisoformat(manifest["created_at"])
    assert created.utcoffset() == datetime.timedelta(hours=8)  # Asia/Shanghai
    assert archive.name == f"zuzhi-backup-{created:%Y%m%d-%H%M%S}.tar"
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["tables"] == {
        table: len(rows)
        for table, rows in source.items()
        if not table.startswith(("pg_", "sqlite_"))
    }
    applied = MigrationRecorder(connection).applied_migrations()
    assert manifest["migrations"]["core"] == max(name for app, name in applied if app == "core")
    # The key's fingerprint, never the key: the test key's secret is nowhere in the archive.
    assert manifest["data_key_fingerprint"].startswith("sha256:")
    secret = settings.ZUZHI_DATA_KEY.split()[-1].split(":")[-1]
    assert secret.encode() not in archive.read_bytes()
    for name, data in source_media.items():
        assert manifest["files"][f"media/{name}"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert members_.keys() == manifest["files"].keys()
    text = out.getvalue()
    assert f"已写入备份：{archive}" in text
    assert f"{len(manifest['tables'])} 张表" in text and "上传文件：3 个" in text
    logged = AuditLog.objects.get(action=AuditAction.BACKUP)
    assert logged.actor_username == "系统" and logged.target_repr == archive.name

    settings.MEDIA_ROOT = tmp_path / "restored-media"
    restored = {}
    audit_record = restore.audit_record

    def audit_after_reading(**kwargs):
        restored.update(database_contents(connection))
        return audit_record(**kwargs)

    monkeypatch.setattr(restore, "audit_record", audit_after_reading)
    with empty_database(tmp_path) as target, using_database(target):
        name = Path(target["NAME"]).name
        out = io.StringIO()
        call_command("restore", str(archive), stdin=Terminal(f"{name}\n"), stdout=out)
        assert AuditLog.objects.get(action=AuditAction.RESTORE).target_repr == archive.name

    assert restored.keys() == source.keys()
    for table, rows in source.items():
        assert restored[table] == rows, table
    assert media_tree(tmp_path / "restored-media") == source_media
    assert "每张表的行数都与备份清单一致" in out.getvalue()


def test_the_audit_guard_comes_back_for_the_role_that_restores(members, settings, tmp_path):
    """The restored log refuses changes, also when another role than the one that installed
    the guard restores it (and so owns the tables: pg_restore --no-owner); its chain goes on
    and verifies."""
    audit_guard_install(connection)
    try:
        call_command("backup", output=str(tmp_path / "backups"), stdout=io.StringIO())
    finally:
        audit_guard_remove(connection)  # the test's flush empties the tables
    archive = only_archive(tmp_path / "backups")
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    restorer = f"zuzhi_t_restorer_{uuid.uuid4().hex[:8]}"
    try:
        with empty_database(tmp_path) as target:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"CREATE ROLE {restorer} LOGIN")
                    cursor.execute(f"ALTER DATABASE {target['NAME']} OWNER TO {restorer}")
                target["USER"] = restorer
            with using_database(target) as restored:
                restore.restore_run(restore_prepare(archive=archive))
                assert audit_guard_installed(restored)
                with pytest.raises(DatabaseError), transaction.atomic():
                    with restored.cursor() as cursor:
                        cursor.execute(f"UPDATE {AuditLog._meta.db_table} SET message = 'x'")
                if restored.vendor == "postgresql":
                    # Refused by the privileges too, not by the triggers alone.
                    with restored.cursor() as cursor:
                        cursor.execute(
                            "SELECT t, p FROM unnest(%s::text[]) t, unnest(%s::text[]) p "
                            "WHERE has_table_privilege(t, p)",
                            [["core_auditlog", "core_auditseal"], ["UPDATE", "DELETE", "TRUNCATE"]],
                        )
                        assert cursor.fetchall() == []
                result = audit_verify()
                assert result.ok and result.pending == 0, result.report()
                assert AuditLog.objects.filter(action=AuditAction.RESTORE).get().seal
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"DROP ROLE IF EXISTS {restorer}")


def test_the_key_stays_out_of_the_backup_and_a_different_key_is_warned_of(
    members, media, settings, tmp_path
):
    settings.ZUZHI_DATA_KEY = "old-data-key-0123456789abcdef"
    old = key_fingerprint()
    assert old == "sha256:" + hashlib.sha256(b"old-data-key-0123456789abcdef").hexdigest()[:16]
    archive = backup_create(output=tmp_path / "b.tar").path
    assert b"old-data-key" not in archive.read_bytes()
    assert read_archive(archive)[1]["data_key_fingerprint"] == old

    settings.MEDIA_ROOT = tmp_path / "restored-media"
    with empty_database(tmp_path) as target, using_database(target):
        # The same key from a key file (its line end aside): no warning.
        settings.ZUZHI_DATA_KEY = ""
        key_file = tmp_path / "data.key"
        key_file.write_text("old-data-key-0123456789abcdef\n")
        settings.ZUZHI_DATA_KEY_FILE = str(key_file)
        assert restore_prepare(archive=archive).warnings == []

        settings.ZUZHI_DATA_KEY = "new-data-key-0123456789abcdef"
        new = key_fingerprint()
        expected = f"备份使用的密钥指纹为 {old}，当前密钥指纹为 {new}：恢复后加密字段将无法解密。"
        assert restore_prepare(archive=archive).warnings == [expected]
        err = io.StringIO()
        call_command("restore", str(archive), yes=True, stdout=io.StringIO(), stderr=err)
        assert f"警告：{expected}" in err.getvalue()


def test_restore_refuses_a_database_that_has_tables(members, tmp_path):
    archive = backup_create(output=tmp_path / "b.tar").path
    if connection.vendor == "sqlite":
        # The test database is in memory here; a file that holds a table stands for it.
        with empty_database(tmp_path) as target:
            with closing(sqlite3.connect(target["NAME"])) as db:
                db.execute("CREATE TABLE kept (id integer)")
            with using_database(target), pytest.raises(BackupError) as refused:
                restore_prepare(archive=archive)
            advice = "请把 ZUZHI_DATABASE_URL 指向一个新的数据库文件后再恢复"
    else:
        with pytest.raises(BackupError) as refused:
            restore_prepare(archive=archive)
        advice = "请新建一个空数据库"
    assert "不是空的" in str(refused.value) and advice in str(refused.value)
    assert "恢复只写入空数据库，不覆盖、不合并已有数据" in str(refused.value)


def test_restore_refuses_into_an_in_memory_database(members, tmp_path):
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        pytest.skip("the test database is not in memory")
    archive = backup_create(output=tmp_path / "b.tar").path
    with pytest.raises(BackupError, match="内存数据库"):
        restore_prepare(archive=archive)


def _damage(archive: Path, member: str, at: int = 10) -> None:
    with tarfile.open(archive) as tar:
        offset = tar.getmember(member).offset_data + at
    data = bytearray(archive.read_bytes())
    data[offset] ^= 0x01
    archive.write_bytes(bytes(data))


@pytest.mark.parametrize("member", ["media/meetings/2024/支部党员大会记录.pdf", "database"])
def test_restore_refuses_an_archive_with_one_byte_changed(members, media, tmp_path, member):
    archive = backup_create(output=tmp_path / "b.tar").path
    if member == "database":
        member = read_archive(archive)[1]["database"]["member"]
    _damage(archive, member, at=100)
    with empty_database(tmp_path) as target, using_database(target):
        with pytest.raises(CommandError) as refused:
            call_command("restore", str(archive), yes=True, stdout=io.StringIO())
    assert str(refused.value) == f"备份文件已损坏：{member} 的 SHA-256 校验值与清单不符，拒绝恢复。"


def test_restore_refuses_an_archive_whose_headers_are_damaged(members, media, tmp_path):
    archive = backup_create(output=tmp_path / "b.tar").path
    with tarfile.open(archive) as tar:
        header = tar.getmember("media/photos/cadre-1.jpg").offset
    data = bytearray(archive.read_bytes())
    data[header + 5] ^= 0x01  # a byte of the member's name, under the header's checksum
    archive.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="备份文件已损坏|不是 Zuzhi 的备份"):
        restore_prepare(archive=archive)


def test_restore_refuses_an_archive_with_a_member_the_manifest_does_not_list(members, tmp_path):
    archive = backup_create(output=tmp_path / "b.tar").path
    members_, manifest = read_archive(archive)
    members_["media/extra.txt"] = b"slipped in"
    write_archive(archive, members_, manifest)
    with pytest.raises(BackupError, match="media/extra.txt 不在清单中"):
        restore_prepare(archive=archive)


def test_restore_refuses_a_path_that_leaves_the_media_directory(members, tmp_path):
    archive = backup_create(output=tmp_path / "b.tar").path
    members_, manifest = read_archive(archive)
    members_["media/../../escaped.txt"] = b"outside"
    write_archive(archive, members_, rehash(members_, manifest))
    with pytest.raises(BackupError, match="不安全的路径"):
        restore_prepare(archive=archive)


def test_restore_refuses_a_backup_of_the_other_database(members, tmp_path):
    archive = backup_create(output=tmp_path / "b.tar").path
    members_, manifest = read_archive(archive)
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    members_[backup.DATABASE_MEMBERS[other]] = members_.pop(manifest["database"]["member"])
    manifest["database"].update(vendor=other, member=backup.DATABASE_MEMBERS[other])
    write_archive(archive, members_, rehash(members_, manifest))
    with empty_database(tmp_path) as target, using_database(target):
        with pytest.raises(BackupError) as refused:
            restore_prepare(archive=archive)
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    assert str(refused.value).startswith(
        f"备份来自 {names[other]} 数据库，当前配置的是 {names[connection.vendor]}：不能跨数据库恢复。"
    )


def test_restore_refuses_a_backup_of_a_newer_zuzhi(members, tmp_path):
    archive = backup_create(output=tmp_path / "b.tar").path
    members_, manifest = read_archive(archive)
    manifest["migrations"]["core"] = "0099_from_the_future"
    write_archive(archive, members_, manifest)
    with empty_database(tmp_path) as target, using_database(target):
        with pytest.raises(BackupError, match="备份来自更新版本的 Zuzhi（本程序没有迁移 core.0099"):
            restore_prepare(archive=archive)


def test_restore_refuses_a_media_directory_that_has_files(members, media, tmp_path):
    archive = backup_create(output=tmp_path / "b.tar").path
    with empty_database(tmp_path) as target, using_database(target):
        with pytest.raises(BackupError, match=r"上传文件目录 .* 不是空的（已有 3 个文件）"):
            restore_prepare(archive=archive)


def test_restore_asks_for_the_database_name(members, settings, tmp_path):
    archive = backup_create(output=tmp_path / "b.tar").path
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    with empty_database(tmp_path) as target, using_database(target):
        with pytest.raises(CommandError, match="不在终端中运行.*请加 --yes"):
            call_command("restore", str(archive), stdin=io.StringIO(""), stdout=io.StringIO())
        with pytest.raises(CommandError, match="输入的数据库名不符，未恢复"):
            call_command("restore", str(archive), stdin=Terminal("zuzhi\n"), stdout=io.StringIO())
        # Nothing was written: the database is still empty and may receive the backup.
        assert restore_prepare(archive=archive).database == Path(target["NAME"]).name


def test_restore_reports_a_table_whose_rows_differ_from_the_manifest(members, settings, tmp_path):
    archive = backup_create(output=tmp_path / "b.tar").path
    members_, manifest = read_archive(archive)
    manifest["tables"]["members_member"] += 1
    write_archive(archive, members_, manifest)
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    out = io.StringIO()
    with empty_database(tmp_path) as target, using_database(target):
        with pytest.raises(CommandError, match="行数与备份清单不符"):
            call_command("restore", str(archive), yes=True, stdout=out)
        logged = AuditLog.objects.get(action=AuditAction.RESTORE)
    assert "行数不符：members_member，备份清单 3 行，恢复后 2 行" in out.getvalue()
    assert "1 张表的行数与清单不符" in logged.message


def test_a_failed_backup_leaves_no_archive(members, media, tmp_path, monkeypatch):
    add_file = backup._add_file

    def fail_on_media(tar, name, path):
        if name.startswith("media/"):
            raise OSError("disk full")
        return add_file(tar, name, path)

    monkeypatch.setattr(backup, "_add_file", fail_on_media)
    with pytest.raises(OSError, match="disk full"):
        backup_create(output=tmp_path / "backups")
    assert list((tmp_path / "backups").iterdir()) == []
    assert not AuditLog.objects.filter(action=AuditAction.BACKUP).exists()


def test_a_backup_never_overwrites_a_file(members, tmp_path):
    (tmp_path / "b.tar").write_bytes(b"kept")
    with pytest.raises(CommandError, match="已存在：备份不覆盖已有的文件"):
        call_command("backup", output=str(tmp_path / "b.tar"), stdout=io.StringIO())
    assert (tmp_path / "b.tar").read_bytes() == b"kept"


@POSTGRESQL_ONLY
def test_backup_without_pg_dump_says_what_to_install(members, tmp_path, monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    monkeypatch.setattr(backup, "PG_BIN_GLOB", str(tmp_path / "none" / "*" / "bin"))
    with pytest.raises(CommandError) as refused:
        call_command("backup", output=str(tmp_path / "backups"), stdout=io.StringIO())
    major = connection.pg_version // 10000
    assert str(refused.value) == (
        f"找不到版本不低于数据库服务器（PostgreSQL {major}）的 pg_dump（已找到：无）。"
        f"请安装 postgresql-client-{major} 或更高版本，或把它的 bin 目录加入 PATH。"
    )
    assert not list((tmp_path / "backups").glob("*.tar"))


@POSTGRESQL_ONLY
def test_the_password_reaches_pg_dump_only_through_its_environment(members, tmp_path, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "PASSWORD", "s3cret-Passw0rd")
    calls = []
    run = backup.subprocess.run

    def recording(args, **kwargs):
        calls.append((args, kwargs.get("env") or {}))
        return run(args, **kwargs)

    monkeypatch.setattr(backup.subprocess, "run", recording)
    backup_create(output=tmp_path / "b.tar")
    (dump_args, dump_env) = next(c for c in calls if "--format=custom" in c[0])
    assert not any("s3cret" in arg for arg in dump_args)
    assert dump_env["PGPASSWORD"] == "s3cret-Passw0rd"
    assert dump_env["PGDATABASE"] == connection.settings_dict["NAME"]


def _fake_tool(directory: Path, name: str, major: int) -> Path:
    directory.mkdir(parents=True)
    tool = directory / name
    tool.write_text(f"#!/bin/sh\necho '{name} (PostgreSQL) {major}.2 (Debian {major}.2-1)'\n")
    tool.chmod(0o755)
    return tool


def test_pg_tool_takes_the_highest_version_not_below_the_server(tmp_path, monkeypatch):
    on_path = _fake_tool(tmp_path / "path", "pg_dump", 13)
    for major in (14, 16, 17):
        _fake_tool(tmp_path / "lib" / str(major) / "bin", "pg_dump", major)
    monkeypatch.setattr(backup.shutil, "which", lambda name: str(on_path))
    monkeypatch.setattr(backup, "PG_BIN_GLOB", str(tmp_path / "lib" / "*" / "bin"))

    assert pg_tool("pg_dump", server_major=15) == str(tmp_path / "lib" / "17" / "bin" / "pg_dump")
    assert pg_tool("pg_dump", server_major=13) == str(tmp_path / "lib" / "17" / "bin" / "pg_dump")
    with pytest.raises(BackupError) as refused:
        pg_tool("pg_dump", server_major=18)
    assert re.search(r"已找到：.*path/pg_dump（13）、.*17/bin/pg_dump（17）", str(refused.value))
    assert "请安装 postgresql-client-18 或更高版本" in str(refused.value)
