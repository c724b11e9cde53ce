"""Keys, cipher and blind index of personal data encrypted at rest (core.crypto)."""

import base64
import os
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings

from zuzhi.core import crypto

CONTEXT = "members_member.id_number"
NUMBER = "410102199001011234"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


KEY_A, KEY_B, INDEX = b64(b"a" * 32), b64(b"b" * 32), b64(b"i" * 32)


def test_a_value_round_trips_and_never_encrypts_alike():
    first, second = crypto.encrypt(NUMBER, context=CONTEXT), crypto.encrypt(NUMBER, context=CONTEXT)
    assert first != second and NUMBER not in first
    assert first.startswith("aesgcm1:test:")
    assert crypto.decrypt(first, context=CONTEXT) == NUMBER


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: s.replace("aesgcm1:test:", "sm4gcm1:test:"),
        lambda s: s[:30] + ("A" if s[30] != "A" else "B") + s[31:],
        lambda s: s[:20],
    ],
)
def test_an_altered_value_is_refused(tamper):
    stored = crypto.encrypt(NUMBER, context=CONTEXT)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tamper(stored), context=CONTEXT)


def test_a_value_copied_into_another_column_is_refused():
    stored = crypto.encrypt(NUMBER, context=CONTEXT)
    with pytest.raises(crypto.DecryptionError, match="复制到了别的字段"):
        crypto.decrypt(stored, context="cadres_cadre.id_number")


def test_sm4_gcm_writes_when_chosen_and_both_ciphers_read():
    aes = crypto.encrypt(NUMBER, context=CONTEXT)
    with override_settings(ZUZHI_DATA_CIPHER="sm4-gcm"):
        sm4 = crypto.encrypt(NUMBER, context=CONTEXT)
        assert sm4.startswith("sm4gcm1:test:")
        assert crypto.decrypt(aes, context=CONTEXT) == NUMBER
    assert crypto.decrypt(sm4, context=CONTEXT) == NUMBER
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(sm4, context="members_member.phone")


def test_an_unknown_cipher_setting_is_refused():
    with override_settings(ZUZHI_DATA_CIPHER="des"), pytest.raises(ImproperlyConfigured):
        crypto.encrypt(NUMBER, context=CONTEXT)


def test_no_key_refuses_with_a_chinese_message():
    with override_settings(ZUZHI_DATA_KEY="", ZUZHI_DATA_KEY_FILE=""):
        with pytest.raises(ImproperlyConfigured, match="未配置数据加密密钥"):
            crypto.encrypt(NUMBER, context=CONTEXT)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("k1:" + b64(b"short"), "32 字节"),
        ("k1:not base64!", "32 字节"),
        (f"k1:{KEY_A} k1:{KEY_B}", "重复"),
        (f"bad.id:{KEY_A}", "无效"),
        ("# only a comment", "没有密钥"),
    ],
)
def test_a_bad_key_entry_is_refused_without_showing_the_key(value, message):
    with override_settings(ZUZHI_DATA_KEY=value):
        with pytest.raises(ImproperlyConfigured, match=message) as caught:
            crypto.keyring()
    assert KEY_A not in str(caught.value)


def test_an_old_key_still_decrypts_and_an_unknown_key_is_named():
    with override_settings(ZUZHI_DATA_KEY=f"index:{INDEX} old:{KEY_A}"):
        stored = crypto.encrypt(NUMBER, context=CONTEXT)
    with override_settings(ZUZHI_DATA_KEY=f"index:{INDEX} new:{KEY_B} old:{KEY_A}"):
        assert crypto.decrypt(stored, context=CONTEXT) == NUMBER
        assert crypto.encrypt(NUMBER, context=CONTEXT).startswith("aesgcm1:new:")
    with override_settings(ZUZHI_DATA_KEY=f"index:{INDEX} new:{KEY_B}"):
        with pytest.raises(crypto.DecryptionError, match="“old”"):
            crypto.decrypt(stored, context=CONTEXT)


def test_a_bare_key_gets_an_id_derived_from_it():
    with override_settings(ZUZHI_DATA_KEY=KEY_A):
        assert crypto.keyring().current.key_id == crypto.key_fingerprint(b"a" * 32)


def test_the_blind_index_is_stable_across_encryption_keys_with_an_index_secret():
    with override_settings(ZUZHI_DATA_KEY=f"index:{INDEX} k1:{KEY_A}"):
        first = crypto.blind_index("id_number", NUMBER)
    with override_settings(ZUZHI_DATA_KEY=f"index:{INDEX} k2:{KEY_B} k1:{KEY_A}"):
        assert crypto.blind_index("id_number", NUMBER) == first
    with override_settings(ZUZHI_DATA_KEY=f"k2:{KEY_B}"):
        assert crypto.blind_index("id_number", NUMBER) != first


def test_the_blind_index_reads_numbers_as_typed():
    index = crypto.blind_index("id_number", "41010219900101123X")
    assert crypto.blind_index("id_number", " ４１０１０２１９９００１０１１２３ｘ ") == index
    phone = crypto.blind_index("phone", "13812345678")
    assert crypto.blind_index("phone", "+86 138-1234-5678") == phone
    assert crypto.blind_index("phone", "13812345678") != crypto.blind_index(
        "id_number", "13812345678"
    )
    assert len(index) == 32 and crypto.blind_index("phone", "") == ""


def test_a_bank_account_is_indexed_by_its_digits_and_masked_as_before():
    account = crypto.blind_index("bank_account", "6222021234567890123")
    assert crypto.blind_index("bank_account", "6222 0212-3456 7890 １２３") == account
    assert account != crypto.blind_index("phone", "6222021234567890123")
    assert crypto.masked("bank_account", "6222021234567890123") == "6222***********0123"


def test_the_subkeys_differ_by_purpose():
    ring = crypto.keyring()
    aes_key = crypto._derive(
        base64.b64decode("dGVzdC1kYXRhLWtleS1vbmx5LWZvci10aGUtdGVzdHM="), "data/aes-256-gcm/v1"
    )
    assert ring.index_key != aes_key and ring.current.sm4 != aes_key[:16]


def test_decryptions_are_counted():
    stored = crypto.encrypt(NUMBER, context=CONTEXT)
    before = crypto.decryptions()
    crypto.decrypt(stored, context=CONTEXT)
    assert crypto.decryptions() == before + 1


def test_generate_key_writes_a_private_file_and_never_overwrites(tmp_path):
    path = tmp_path / "data.key"
    call_command("generate-key", str(path))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    keys, index = crypto.parse_entries(path.read_text(encoding="utf-8"), source="f")
    assert len(keys) == 1 and index is not None
    with pytest.raises(Exception, match="不会覆盖"):
        call_command("generate-key", str(path))


def test_generate_key_rotate_puts_a_new_current_key_first_and_keeps_the_index(tmp_path):
    path = tmp_path / "data.key"
    path.write_text(f"k1:{KEY_A}\n", encoding="utf-8")
    call_command("generate-key", str(path), "--rotate")
    keys, index = crypto.parse_entries(path.read_text(encoding="utf-8"), source="f")
    assert [k for k, _ in keys][1:] == ["k1"] and index == b"a" * 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with override_settings(ZUZHI_DATA_KEY="", ZUZHI_DATA_KEY_FILE=str(path)):
        assert crypto.keyring().current.key_id == keys[0][0]


def test_a_debug_setup_makes_its_own_key_file(tmp_path):
    path = tmp_path / "var" / "data.key"
    settings = {"ZUZHI_DATA_KEY": "", "ZUZHI_DATA_KEY_FILE": str(path)}
    with override_settings(**settings, ZUZHI_DATA_KEY_AUTOCREATE=True):
        crypto.keyring()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    path.unlink()
    with override_settings(**settings, ZUZHI_DATA_KEY_AUTOCREATE=False):
        with pytest.raises(ImproperlyConfigured, match="无法读取密钥文件"):
            crypto.keyring()
