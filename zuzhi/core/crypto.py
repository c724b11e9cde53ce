"""Personal data encrypted at rest (个人信息加密存储): keys, the cipher and the blind index.

Keys come from settings.ZUZHI_DATA_KEY (the environment variable of that name) or from the
key file named by ZUZHI_DATA_KEY_FILE; never from the database. Both hold entries in one
format, one per line in the file (whitespace or commas separate them in the variable):

    # comments and blank lines are ignored
    index:<base64 of 32 bytes>     the blind-index secret: long-lived, never rotated
    k2:<base64 of 32 bytes>        the first key entry encrypts new values (current key)
    k1:<base64 of 32 bytes>        later entries only decrypt: old keys during a rotation

A key id is 1–16 letters, digits, "_" or "-" ("index" is reserved). An entry without an id
(a bare base64 key, the simplest ZUZHI_DATA_KEY) gets an id derived from the key. Without an
`index` entry the current key is also the index secret: rotating it then needs
`zuzhi rotate-key --reindex`, which recomputes every blind index.

Each secret is never used as is: HKDF-SHA256 derives a separate subkey per purpose
(AES-256-GCM, SM4-GCM, the blind index), so one secret serves all safely.

A stored value is `<scheme>:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>`, scheme `aesgcm1`
(AES-256-GCM) or `sm4gcm1` (SM4-GCM, chosen by ZUZHI_DATA_CIPHER = "sm4-gcm"): both always
decrypt. The associated data binds the value to its column (`<table>.<column>`) and to its
header, so a ciphertext copied into another column or relabelled with another key fails.
"""

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

from . import idnumber
from .masking import mask_bank_account, mask_id_number, mask_phone

SCHEMES = {"aes-gcm": "aesgcm1", "sm4-gcm": "sm4gcm1"}
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 32
INDEX_HEX = 32  # 16 bytes of HMAC-SHA256: collisions are out of reach at any registry size
KEY_ID = re.compile(r"\A[A-Za-z0-9_-]{1,16}\Z")
INDEX_ENTRY = "index"
MISSING_KEY = (
    "未配置数据加密密钥：公民身份号码、电话等个人信息加密存储，必须提供密钥。请用 "
    "`zuzhi generate-key 文件路径` 生成密钥文件（权限 0600），并设置环境变量 "
    "ZUZHI_DATA_KEY_FILE 指向它（或把密钥放入 ZUZHI_DATA_KEY）。密钥不得存入数据库，"
    "请与数据库备份分开保管。"
)


class DecryptionError(ValueError):
    """A stored value that cannot be decrypted: unknown key id, wrong key or altered data."""


@dataclass(frozen=True)
class DataKey:
    key_id: str
    aes: AESGCM
    sm4: bytes


@dataclass(frozen=True)
class Keyring:
    current: DataKey
    keys: dict[str, DataKey]
    index_key: bytes
    scheme: str

    @property
    def prefix(self) -> str:
        """The start of every value written now: rows not starting with it are re-encrypted
        by `zuzhi rotate-key`."""
        return f"{self.scheme}:{self.current.key_id}:"


def _derive(secret: bytes, purpose: str, length: int = KEY_BYTES) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=length, salt=None, info=f"zuzhi/{purpose}".encode()
    ).derive(secret)


def key_fingerprint(secret: bytes) -> str:
    """A short public name of a key (8 hex digits), used as its id when none is given and
    by backups to record which key their data needs. Reveals nothing of the key."""
    return hashlib.sha256(b"zuzhi/key-id\0" + secret).hexdigest()[:8]


def parse_entries(text: str, *, source: str) -> tuple[list[tuple[str, bytes]], bytes | None]:
    """The (id, secret) key entries in order, and the index secret if given. Errors name the
    source and the entry's position, never the key."""
    keys, index = [], None
    entries = [
        e for line in text.splitlines() for e in re.split(r"[\s,]+", line.split("#", 1)[0]) if e
    ]
    for position, entry in enumerate(entries, start=1):
        key_id, _, encoded = entry.rpartition(":")
        try:
            secret = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            secret = b""
        if len(secret) != KEY_BYTES:
            raise ImproperlyConfigured(
                f"{source} 第 {position} 项不是有效的密钥：应为“编号:base64”，"
                f"base64 解码后为 {KEY_BYTES} 字节（用 zuzhi generate-key 生成）。"
            )
        if key_id == INDEX_ENTRY:
            index = secret
            continue
        key_id = key_id or key_fingerprint(secret)
        if not KEY_ID.match(key_id) or any(key_id == k for k, _ in keys):
            raise ImproperlyConfigured(
                f"{source} 第 {position} 项的密钥编号“{key_id}”无效或重复："
                "编号为 1–16 位字母、数字、_ 或 -，且不能重复。"
            )
        keys.append((key_id, secret))
    return keys, index


def _read_source() -> tuple[str, str] | None:
    """The text holding the keys and a name for it in messages, or None if none is set."""
    value = getattr(settings, "ZUZHI_DATA_KEY", "")
    if value:
        return value, "ZUZHI_DATA_KEY"
    path = getattr(settings, "ZUZHI_DATA_KEY_FILE", "")
    if not path:
        return None
    path = Path(path)
    if not path.exists() and getattr(settings, "ZUZHI_DATA_KEY_AUTOCREATE", False):
        # Development and the demo only (DEBUG): a key of their own, made once, so that
        # setup needs no human. Production never creates a key behind the operator's back.
        write_key_file(path)
        print(f"已生成开发用数据加密密钥文件 {path}。", file=sys.stderr)
    try:
        return path.read_text(encoding="utf-8"), f"密钥文件 {path}"
    except (OSError, UnicodeDecodeError) as exc:
        raise ImproperlyConfigured(f"无法读取密钥文件 {path}：{exc}") from exc


_cache: Keyring | None = None


def keyring() -> Keyring:
    """The keys in force, read once per process. ImproperlyConfigured (in Chinese) when no
    key is configured or the configuration is wrong."""
    global _cache
    if _cache is None:
        source = _read_source()
        if source is None:
            raise ImproperlyConfigured(MISSING_KEY)
        text, name = source
        entries, index = parse_entries(text, source=name)
        if not entries:
            raise ImproperlyConfigured(f"{name} 中没有密钥。{MISSING_KEY}")
        cipher = getattr(settings, "ZUZHI_DATA_CIPHER", "aes-gcm")
        if cipher not in SCHEMES:
            raise ImproperlyConfigured(
                f"ZUZHI_DATA_CIPHER 应为 {' 或 '.join(SCHEMES)}，现为“{cipher}”。"
            )
        keys = {
            key_id: DataKey(
                key_id,
                AESGCM(_derive(secret, "data/aes-256-gcm/v1")),
                _derive(secret, "data/sm4-gcm/v1", 16),
            )
            for key_id, secret in entries
        }
        _cache = Keyring(
            current=keys[entries[0][0]],
            keys=keys,
            index_key=_derive(index if index is not None else entries[0][1], "blind-index/v1"),
            scheme=SCHEMES[cipher],
        )
    return _cache


def keyring_reset(**kwargs) -> None:
    global _cache
    _cache = None


def _on_setting_changed(*, setting, **kwargs) -> None:
    if setting.startswith("ZUZHI_DATA_"):
        keyring_reset()


setting_changed.connect(_on_setting_changed)


def _header_ad(header: str, context: str) -> bytes:
    return f"{header}|{context}".encode()


def encrypt(plaintext: str, *, context: str) -> str:
    """`plaintext` sealed under the current key for the column named by `context`."""
    ring = keyring()
    header = ring.prefix
    nonce = os.urandom(NONCE_BYTES)
    data = plaintext.encode()
    if ring.scheme == SCHEMES["aes-gcm"]:
        sealed = ring.current.aes.encrypt(nonce, data, _header_ad(header, context))
    else:
        encryptor = Cipher(algorithms.SM4(ring.current.sm4), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(_header_ad(header, context))
        sealed = encryptor.update(data) + encryptor.finalize() + encryptor.tag
    return header + base64.b64encode(nonce + sealed).decode("ascii")


class _Counter:
    """Decryptions done by this process: tests assert that a masked page does none."""

    value = 0


def decryptions() -> int:
    return _Counter.value


def decrypt(stored: str, *, context: str) -> str:
    """The plaintext of a stored value, or DecryptionError."""
    _Counter.value += 1
    scheme, key_id, body = _split(stored)
    key = keyring().keys.get(key_id)
    if key is None:
        raise DecryptionError(
            f"数据由密钥“{key_id}”加密，当前密钥配置中没有这把密钥（{context}）。"
            "轮换密钥期间，旧密钥须保留在密钥文件中直到 zuzhi rotate-key 完成。"
        )
    try:
        blob = base64.b64decode(body, validate=True)
        nonce, sealed = blob[:NONCE_BYTES], blob[NONCE_BYTES:]
        ad = _header_ad(f"{scheme}:{key_id}:", context)
        if scheme == SCHEMES["aes-gcm"]:
            data = key.aes.decrypt(nonce, sealed, ad)
        else:
            if len(sealed) < TAG_BYTES:
                raise InvalidTag
            decryptor = Cipher(
                algorithms.SM4(key.sm4), modes.GCM(nonce, sealed[-TAG_BYTES:])
            ).decryptor()
            decryptor.authenticate_additional_data(ad)
            data = decryptor.update(sealed[:-TAG_BYTES]) + decryptor.finalize()
    except (InvalidTag, binascii.Error, ValueError) as exc:
        raise DecryptionError(
            f"加密数据无法解密（{context}）：密钥不符，或数据被改动、被复制到了别的字段。"
        ) from exc
    return data.decode()


def _split(stored: str) -> tuple[str, str, str]:
    scheme, _, rest = stored.partition(":")
    key_id, _, body = rest.partition(":")
    if scheme not in SCHEMES.values() or not body:
        raise DecryptionError("不是加密存储的数据（缺少算法和密钥编号前缀）。")
    return scheme, key_id, body


def is_sealed(value) -> bool:
    """Whether a stored column value is already a ciphertext (migrations skip those rows)."""
    return isinstance(value, str) and value.partition(":")[0] in SCHEMES.values()


def is_current(stored: str) -> bool:
    return stored.startswith(keyring().prefix)


def normalize_phone_digits(value: str) -> str:
    """A phone as digits only, without the country code 86 before a mainland mobile."""
    digits = "".join(c for c in idnumber.normalize(value) if c.isdigit())
    return digits[2:] if len(digits) == 13 and digits.startswith("861") else digits


def normalize_digits(value: str) -> str:
    """A bank account as digits only (typed with spaces or dashes, in full-width digits)."""
    return "".join(c for c in idnumber.normalize(value) if c.isdigit())


@dataclass(frozen=True)
class Kind:
    """A kind of personal value: how it is normalized for the blind index and masked."""

    normalize: object
    mask: object


KINDS = {
    "id_number": Kind(idnumber.normalize, mask_id_number),
    "phone": Kind(normalize_phone_digits, mask_phone),
    "bank_account": Kind(normalize_digits, mask_bank_account),
    # An authenticator app's secret (accounts.AuthenticatorApp): shown to nobody, searched by
    # nobody; its companions exist only so that it rotates and migrates like the others.
    "otp_secret": Kind(str.strip, lambda value: "******"),
}


def blind_index(kind: str, value: str | None) -> str:
    """The keyed hash of a normalized value (HMAC-SHA256, truncated), for exact search and
    uniqueness without decrypting; "" for no value. The kind is hashed too, so a phone and
    an ID number of the same digits differ; the column is not, so one person's number has
    the same index in every table (members, cadres, reserves) and can be matched across."""
    if not value:
        return ""
    normalized = KINDS[kind].normalize(value)
    if not normalized:
        return ""
    message = f"{kind}\0{normalized}".encode()
    return hmac.new(keyring().index_key, message, hashlib.sha256).hexdigest()[:INDEX_HEX]


def masked(kind: str, value: str | None) -> str:
    return KINDS[kind].mask(value) if value else ""


def new_key_text() -> str:
    """A new key file's content: a fresh index secret and a fresh current key."""
    index = base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()
    key = secrets.token_bytes(KEY_BYTES)
    return (
        "# Zuzhi 数据加密密钥文件：首个密钥行用于加密，其后各行仅用于解密（轮换期间的旧密钥）；\n"
        "# index 行为盲索引密钥，长期不变。切勿存入数据库，与数据库备份分开保管。\n"
        f"index:{index}\n"
        f"{key_fingerprint(key)}:{base64.b64encode(key).decode()}\n"
    )


def rotated_key_text(text: str) -> str:
    """The key file's content with a new current key before the existing ones. A file
    without an index entry gets its current key's secret as the index secret, so that the
    blind indexes stay valid."""
    keys, index = parse_entries(text, source="密钥文件")
    key = secrets.token_bytes(KEY_BYTES)
    lines = [line for line in text.splitlines() if line.strip()]
    new_line = f"{key_fingerprint(key)}:{base64.b64encode(key).decode()}"
    first_key = next(
        i
        for i, line in enumerate(lines)
        if line.split("#", 1)[0].strip() and not line.strip().startswith(f"{INDEX_ENTRY}:")
    )
    lines.insert(first_key, new_line)
    if index is None and keys:
        lines.insert(first_key, f"{INDEX_ENTRY}:{base64.b64encode(keys[0][1]).decode()}")
    return "\n".join(lines) + "\n"


def write_key_file(path: Path, text: str | None = None) -> None:
    """Write a key file readable by its owner only (0600), never over an existing one
    unless `text` replaces it (rotation), then atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if text is None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(new_key_text())
        return
    temporary = path.with_name(path.name + ".new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)
