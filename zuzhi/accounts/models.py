import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django_otp.models import Device, DeviceManager, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from zuzhi.core.fields import (
    BlindIndexField,
    EncryptedCharField,
    MaskedField,
    SealedModel,
    SealedQuerySetMixin,
)
from zuzhi.core.roles import Role


class User(AbstractUser):
    """A login account (账号). What it may see comes from its role assignments."""

    full_name = models.CharField("姓名", max_length=64, blank=True)
    password_changed_at = models.DateTimeField("密码修改时间", default=timezone.now)
    # Kept by accounts.two_factor, so that checking it on every page costs no query.
    two_factor_enabled = models.BooleanField("已启用两步验证", default=False)

    def __str__(self) -> str:
        return self.full_name or self.username


class RoleAssignment(models.Model):
    """A role held on an organization node (角色授权); the scope is that node's subtree."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name="所在组织",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organization"], name="uniq_role_assignment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organization or '—'}"


class PasswordHistory(models.Model):
    """A password the account held before (历史密码), kept as its hash so it is not chosen again."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user} 的历史密码（{self.changed_at:%Y-%m-%d}）"


class RoleGrantStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "已驳回"


class RoleGrant(models.Model):
    """A business role the system administrator asked to grant (角色授权申请), or one held
    before the administrator reset the account's password.

    It takes effect, as a RoleAssignment, only once county staff of a node covering its
    organization approve it: the system administrator alone cannot give an account access
    to business data (三员分立).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="role_grants",
        verbose_name="所在组织",
    )
    status = models.CharField(
        "状态", max_length=16, choices=RoleGrantStatus.choices, default=RoleGrantStatus.PENDING
    )
    requested_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审批人",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    reason = models.CharField("驳回理由", max_length=200, blank=True)

    class Meta:
        constraints = [
            # One open request per (account, role, node): a second click does not queue twice.
            models.UniqueConstraint(
                fields=["user", "role", "organization"],
                condition=models.Q(status="pending"),
                name="uniq_pending_role_grant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organization}（{self.get_status_display()}）"


class LoginAttempt(models.Model):
    """One login attempt, page or API, kept for the lockout rule (登录失败锁定)."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    time = models.DateTimeField(default=timezone.now, db_index=True)
    succeeded = models.BooleanField()
    # A wrong code at the second step: these count per account as well (two_factor).
    second_factor = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.username} {self.time:%Y-%m-%d %H:%M} {'成功' if self.succeeded else '失败'}"


class ApiToken(models.Model):
    """A bearer token for the REST API; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    expires_at = models.DateTimeField("到期时间")
    ip = models.GenericIPAddressField("签发地址", null=True, blank=True)
    # Issued with an authenticator code: a token without one stops working for an account
    # that has bound an app or holds a role that needs one (services.token_user).
    second_factor = models.BooleanField("经两步验证", default=False)

    def __str__(self) -> str:
        return f"{self.user} 的接口令牌"

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def digest_of(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class AuthenticatorAppQuerySet(SealedQuerySetMixin, models.QuerySet):
    pass


class AuthenticatorApp(TimestampMixin, ThrottlingMixin, SealedModel, Device):
    """The account's authenticator app (身份验证器): django-otp's TOTP device with its secret
    encrypted at rest like the registers' ID numbers (TOTPDevice keeps it in clear, and a
    copy of the database would let anyone make the codes). The codes are checked by
    TOTPDevice's own methods, which read only the fields below."""

    key = EncryptedCharField(
        "密钥",
        kind="otp_secret",
        index_field="key_index",
        masked_field="key_masked",
        default=default_key,
    )
    key_index = BlindIndexField(source="key")
    key_masked = MaskedField(source="key")
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    objects = DeviceManager.from_queryset(AuthenticatorAppQuerySet)()

    class Meta(Device.Meta):
        verbose_name = "身份验证器"

    bin_key = TOTPDevice.bin_key
    config_url = TOTPDevice.config_url
    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    _read_str_from_settings = TOTPDevice._read_str_from_settings


class RecoveryCodeDevice(Device):
    """The account's recovery codes (恢复码), each good for one login when the phone with the
    authenticator app is lost. Only their SHA-256 digests are stored."""

    class Meta:
        verbose_name = "恢复码"

    def verify_token(self, token) -> bool:
        code = RecoveryCode.normalized(str(token))
        if not code:
            return False
        used = self.codes.filter(digest=RecoveryCode.digest_of(code), used_at__isnull=True).update(
            used_at=timezone.now()
        )
        return used == 1


class RecoveryCode(models.Model):
    """One recovery code of a RecoveryCodeDevice; used once."""

    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "恢复码"
        constraints = [
            models.UniqueConstraint(fields=["device", "digest"], name="uniq_recovery_code")
        ]

    def __str__(self) -> str:
        return f"{self.device.user} 的恢复码（{'已用' if self.used_at else '未用'}）"

    # Crockford's base32 alphabet: no I, L, O or U to misread on a printout.
    ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

    @classmethod
    def new_code(cls) -> str:
        """Sixteen characters, 80 bits, written in groups of four."""
        raw = "".join(secrets.choice(cls.ALPHABET) for _ in range(16))
        return "-".join(raw[i : i + 4] for i in range(0, 16, 4))

    @classmethod
    def normalized(cls, text: str) -> str:
        code = "".join(text.split()).replace("-", "").upper()
        code = code.translate(str.maketrans("OIL", "011"))
        if len(code) != 16 or any(ch not in cls.ALPHABET for ch in code):
            return ""
        return code

    @staticmethod
    def digest_of(code: str) -> str:
        return hashlib.sha256(code.encode()).hexdigest()


class TwoFactorResetStatus(models.TextChoices):
    PENDING = "pending", "待批准"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "已驳回"


class TwoFactorReset(models.Model):
    """A system administrator's request to clear an account's second factor (重置两步验证),
    for a lost phone. It takes effect only when a second administrator approves it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="two_factor_resets")
    reason = models.CharField("原因", max_length=200)
    status = models.CharField(
        "状态",
        max_length=16,
        choices=TwoFactorResetStatus.choices,
        default=TwoFactorResetStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审批人",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)

    class Meta:
        verbose_name = "两步验证重置申请"
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="pending"),
                name="uniq_pending_two_factor_reset",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} 的两步验证重置（{self.get_status_display()}）"


class SessionEnd(models.TextChoices):
    LOGOUT = "logout", "退出登录"
    REVOKED = "revoked", "被撤销"
    AGENT_CHANGED = "agent_changed", "浏览器不符，强制退出"


class LoginSession(models.Model):
    """One login of an account (登录记录) and, while it lasts, its browser session (会话):
    listed on 我的账号, where the user can end any of them."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    # Cleared when the session ends, so that a key is never matched to an old row.
    session_key = models.CharField(max_length=40, null=True, blank=True, unique=True)
    started_at = models.DateTimeField("登录时间", default=timezone.now)
    last_seen_at = models.DateTimeField("最近活动", default=timezone.now)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=16, choices=SessionEnd.choices, blank=True)
    ip = models.GenericIPAddressField("登录地址", null=True, blank=True)
    network = models.CharField("网段", max_length=64, blank=True)
    user_agent = models.CharField("浏览器", max_length=300, blank=True)
    new_network = models.BooleanField("新网络", default=False)

    class Meta:
        verbose_name = "登录记录"
        indexes = [
            models.Index(fields=["user", "-started_at"], name="login_session_user_time"),
            models.Index(fields=["user", "network"], name="login_session_network"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.started_at:%Y-%m-%d %H:%M} {self.ip or ''}"

    def browser_label(self) -> str:
        """A short name of the browser and system for the history (微信 · Android, …)."""
        ua = self.user_agent or ""
        browsers = (
            ("MicroMessenger", "微信"),
            ("DingTalk", "钉钉"),
            ("Edg/", "Edge"),
            ("Firefox/", "Firefox"),
            ("Chrome/", "Chrome"),
            ("Safari/", "Safari"),
        )
        systems = (
            ("Android", "Android"),
            ("iPhone", "iPhone"),
            ("iPad", "iPad"),
            ("Windows", "Windows"),
            ("Mac OS X", "macOS"),
            ("Linux", "Linux"),
        )
        browser = next((name for mark, name in browsers if mark in ua), "")
        system = next((name for mark, name in systems if mark in ua), "")
        return " · ".join(part for part in (browser, system) if part) or (ua[:40] or "未知")
