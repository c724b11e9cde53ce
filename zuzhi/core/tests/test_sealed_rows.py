"""Rewriting encrypted columns: key rotation (`zuzhi rotate-key`) and the in-place migration
of clear columns, both in batches and resumable."""

import base64
import types

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from zuzhi.core import crypto
from zuzhi.core.models import AuditLog
from zuzhi.core.sealed_rows import decrypt_in_place, encrypt_in_place, sealed_rotate
from zuzhi.members.models import Member
from zuzhi.testing.factories import make_member, valid_id_number

INDEX = base64.b64encode(b"i" * 32).decode()
OLD = f"index:{INDEX} old:{base64.b64encode(b'o' * 32).decode()}"
NEW = f"index:{INDEX} new:{base64.b64encode(b'n' * 32).decode()} old:{base64.b64encode(b'o' * 32).decode()}"
NEW_ONLY = f"index:{INDEX} new:{base64.b64encode(b'n' * 32).decode()}"
FIELDS = {"model": "members.Member", "fields": ["id_number", "phone"]}


def column(name: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {name} FROM members_member ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def members(county):
    with override_settings(ZUZHI_DATA_KEY=OLD):
        return [
            make_member(
                county.village_a1,
                id_number=valid_id_number("19800101", n),
                phone="13812345678" if n % 2 else "",
            )
            for n in range(1, 6)
        ]


def test_rotation_re_encrypts_in_batches_resumes_and_audits_each_batch(members, capsys):
    indexes = column("id_number_index")
    with override_settings(ZUZHI_DATA_KEY=NEW):
        assert sealed_rotate(batch=2, max_batches=1) == {"members.member": 2}
        assert [v.startswith("aesgcm1:new:") for v in column("id_number")] == [
            True,
            True,
            False,
            False,
            False,
        ]
        assert AuditLog.objects.filter(message__contains="重新加密").count() == 1
        call_command("rotate-key", "--batch", "2")
        assert "3/3" in capsys.readouterr().out
        assert AuditLog.objects.filter(message__contains="重新加密").count() == 3
        assert sealed_rotate() == {}
    assert all(v.startswith("aesgcm1:new:") for v in column("id_number"))
    assert all(v == "" or v.startswith("aesgcm1:new:") for v in column("phone"))
    assert column("id_number_index") == indexes
    with override_settings(ZUZHI_DATA_KEY=NEW_ONLY):
        assert [m.id_number for m in Member.objects.order_by("pk")] == [
            valid_id_number("19800101", n) for n in range(1, 6)
        ]


def test_rotation_to_sm4_re_encrypts_under_the_same_key(members):
    with override_settings(ZUZHI_DATA_KEY=OLD, ZUZHI_DATA_CIPHER="sm4-gcm"):
        assert sealed_rotate() == {"members.member": 5}
        assert all(v.startswith("sm4gcm1:old:") for v in column("id_number"))
        assert Member.objects.filter(id_number=valid_id_number("19800101", 3)).exists()
    with override_settings(ZUZHI_DATA_KEY=OLD):
        assert Member.objects.get(id_number=valid_id_number("19800101", 3)).phone == "13812345678"


def test_reindex_recomputes_the_blind_index_under_a_new_index_secret(members):
    with override_settings(
        ZUZHI_DATA_KEY=NEW_ONLY.replace(INDEX, base64.b64encode(b"j" * 32).decode())
        + " "
        + OLD.split()[1]
    ):
        assert not Member.objects.filter(id_number=valid_id_number("19800101", 2)).exists()
        sealed_rotate(reindex=True)
        assert Member.objects.filter(id_number=valid_id_number("19800101", 2)).exists()


def _clear_rows():
    """The table as an existing database has it before the migration: clear values."""
    with connection.cursor() as cursor:
        for member in Member.objects.all():
            cursor.execute(
                "UPDATE members_member SET id_number = %s, phone = %s, id_number_index = %s,"
                " id_number_masked = '', phone_index = '', phone_masked = '' WHERE id = %s",
                [member.id_number, member.phone, f"clear{member.pk}", member.pk],
            )


def test_the_migration_encrypts_clear_rows_in_batches_and_skips_those_done(members):
    editor = types.SimpleNamespace(connection=connection)
    with override_settings(ZUZHI_DATA_KEY=OLD):
        _clear_rows()
        done = column("id_number")
        assert encrypt_in_place(apps, editor, batch=2, **FIELDS) == 5
        assert encrypt_in_place(apps, editor, batch=2, **FIELDS) == 0
        assert all(crypto.is_sealed(v) for v in column("id_number"))
        assert column("phone_masked") == ["138****5678", "", "138****5678", "", "138****5678"]
        assert [m.id_number for m in Member.objects.order_by("pk")] == done
        assert Member.objects.filter(id_number=done[3]).exists()
        assert decrypt_in_place(apps, editor, **FIELDS) == 5
        assert column("id_number") == done and column("phone")[:2] == ["13812345678", ""]


def test_the_migration_without_a_key_says_what_to_do(members):
    editor = types.SimpleNamespace(connection=connection)
    with override_settings(ZUZHI_DATA_KEY="", ZUZHI_DATA_KEY_FILE=""):
        with pytest.raises(ImproperlyConfigured, match="重新运行 zuzhi migrate：已加密的行会跳过"):
            encrypt_in_place(apps, editor, **FIELDS)
