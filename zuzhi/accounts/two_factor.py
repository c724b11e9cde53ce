"""Two-factor login (两步验证): binding an authenticator app, checking its codes at login and
at API token issue, recovery codes, and the system administrator's reset that a second
administrator approves. Reads are in selectors.py."""

import datetime
import time
from base64 import b32encode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP

from zuzhi.core.audit import audit_record
from zuzhi.core.models import AuditAction
from zuzhi.core.roles import Role

from . import sessions
from .models import (
    AuthenticatorApp,
    LoginAttempt,
    RecoveryCode,
    RecoveryCodeDevice,
    SessionEnd,
    TwoFactorReset,
    TwoFactorResetStatus,
    User,
)
from .selectors import (
    account_managed_by,
    authenticator_unconfirmed,
    second_factor_enrolled,
    second_factor_required,
)
from .services import LoginError, LoginLocked, lock_message, login_lock, login_record

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "身份验证器"
REPLAYED = "该验证码刚刚已使用过，请等验证器显示下一个验证码后再输入。"
WRONG = "验证码不正确，请输入验证器上当前显示的 6 位数字，或一个未用过的恢复码。"


def authenticator_start(*, user: User) -> AuthenticatorApp:
    """A fresh secret for binding an authenticator app, unconfirmed until a code from it is
    entered. Each start replaces the previous unconfirmed secret, so a QR code is good only
    on the page that showed it."""
    with transaction.atomic():
        AuthenticatorApp.objects.filter(user=user, confirmed=False).delete()
        device = AuthenticatorApp.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
        audit_record(
            actor=user, action=AuditAction.UPDATE, target=user, message="开始绑定身份验证器"
        )
    return device


def authenticator_secret(*, device: AuthenticatorApp) -> str:
    """The secret in base32, in groups of four, for an app that cannot scan the QR code."""
    text = b32encode(device.bin_key).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _recovery_codes_replace(*, user: User) -> list[str]:
    """New codes in the account's one recovery device, which is kept: a session verified by
    a recovery code stays verified."""
    device, _ = RecoveryCodeDevice.objects.get_or_create(user=user, defaults={"name": "恢复码"})
    device.codes.all().delete()
    codes = [RecoveryCode.new_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, digest=RecoveryCode.digest_of(RecoveryCode.normalized(c)))
        for c in codes
    )
    return codes


def _current_factor(*, user: User, code: str, ip: str | None, field: str) -> None:
    """Changing the second factor of an account that has one needs a right code from it,
    counted by the lockout like a login's: a borrowed session cannot change it."""
    try:
        second_factor_verify(user=user, code=code, ip=ip)
    except LoginError as exc:
        raise ValidationError({field: [str(exc)]}) from exc


def authenticator_confirm(
    *, user: User, device_id, code: str, current_code: str = "", ip: str | None = None
) -> tuple[AuthenticatorApp, list[str]]:
    """Bind the authenticator app once it shows a right code (启用两步验证). An account that
    has an app already also gives a code of that app, or a recovery code (更换手机). Replaces
    the earlier app and recovery codes; returns the device and the new recovery codes, which
    are shown this once and never stored in clear."""
    rebinding = second_factor_enrolled(user=user)
    if rebinding:
        _current_factor(user=user, code=current_code, ip=ip, field="current_code")
    with transaction.atomic():
        device = authenticator_unconfirmed(user=user, device_id=device_id, lock=True)
        if device is None:
            raise ValidationError({"code": ["绑定页面已过期，请重新扫描新的二维码。"]})
        if not device.verify_token(_digits(code)):
            raise ValidationError(
                {"code": ["验证码不正确，请核对手机时间后输入新验证器当前显示的 6 位数字。"]}
            )
        AuthenticatorApp.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        _enabled_set(user=user, enabled=True)
        codes = _recovery_codes_replace(user=user)
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            target=user,
            after={"two_factor": "身份验证器", "recovery_codes": len(codes)},
            message="更换身份验证器" if rebinding else "启用两步验证",
        )
    return device, codes


def recovery_codes_renew(*, user: User, code: str, ip: str | None = None) -> list[str]:
    """New recovery codes for an account with an authenticator app; the old ones stop
    working. A right code is needed, so a borrowed session cannot take them."""
    if not second_factor_enrolled(user=user):
        raise ValidationError({"code": ["请先绑定身份验证器。"]})
    _current_factor(user=user, code=code, ip=ip, field="code")
    with transaction.atomic():
        codes = _recovery_codes_replace(user=user)
        audit_record(actor=user, action=AuditAction.UPDATE, target=user, message="重新生成恢复码")
    return codes


def two_factor_disable(*, user: User, code: str, ip: str | None = None) -> None:
    """Turn the second factor off (关闭两步验证); refused to a role that must use it."""
    if second_factor_required(user=user):
        raise ValidationError({"code": ["您的角色必须使用两步验证，不能关闭。"]})
    if not second_factor_enrolled(user=user):
        return
    _current_factor(user=user, code=code, ip=ip, field="code")
    with transaction.atomic():
        _devices_clear(user=user)
        audit_record(actor=user, action=AuditAction.UPDATE, target=user, message="关闭两步验证")


def _code_lock(*, user: User, ip: str | None) -> str | None:
    """Why the code step is closed now, or None. Besides the login's own lockout (password
    and code failures of this name from this address add up), wrong codes of the account
    from any address are limited, so codes cannot be guessed from many addresses."""
    lock = login_lock(username=user.username, ip=ip)
    if lock is not None:
        return lock_message(*lock)
    since = timezone.now() - datetime.timedelta(minutes=settings.ZUZHI_LOCKOUT_MINUTES)
    attempts = LoginAttempt.objects.filter(username=user.username, time__gte=since)
    last_success = (
        attempts.filter(succeeded=True).order_by("-time").values_list("time", flat=True).first()
    )
    failures = attempts.filter(succeeded=False, second_factor=True)
    if last_success is not None:
        failures = failures.filter(time__gt=last_success)
    if failures.count() >= settings.ZUZHI_LOCKOUT_CODE_FAILURES:
        return (
            f"该账号 {settings.ZUZHI_LOCKOUT_MINUTES} 分钟内验证码错误已达 "
            f"{settings.ZUZHI_LOCKOUT_CODE_FAILURES} 次，已暂停验证，请稍后再试，"
            "或请系统管理员解除锁定。"
        )
    return None


def second_factor_verify(*, user: User, code: str, ip: str | None):
    """The device that accepts `code`: the app's current code, or an unused recovery code.
    A wrong or replayed code is a failed login for the lockout; the lock is read after the
    account's app row is locked, so simultaneous guesses are counted one after another."""
    with transaction.atomic():
        app = _app_device(user=user, lock=True)
        locked = _code_lock(user=user, ip=ip)
        device, replayed = (
            (None, False) if locked else _verified_device(user=user, code=code, app=app)
        )
        if locked:
            audit_record(
                actor=None,
                actor_username=user.username,
                action=AuditAction.LOGIN_LOCKED,
                message="验证码错误次数过多，暂停验证",
            )
        elif device is None:
            LoginAttempt.objects.create(
                username=user.username, ip=ip, succeeded=False, second_factor=True
            )
            audit_record(
                actor=None,
                actor_username=user.username,
                action=AuditAction.LOGIN_FAILED,
                message="验证码重复使用" if replayed else "验证码错误",
            )
    if locked:
        raise LoginLocked(locked)
    if device is None:
        raise LoginError(REPLAYED if replayed else WRONG)
    return device


def second_factor_check(*, user: User, code: str, ip: str | None):
    """The code step of a login or a token request: verified, then recorded as the login."""
    device = second_factor_verify(user=user, code=code, ip=ip)
    method = "恢复码" if isinstance(device, RecoveryCodeDevice) else "验证器"
    login_record(user=user, ip=ip, method=method)
    return device


def _digits(code: str) -> str:
    return "".join((code or "").split())


def _app_device(*, user: User, lock: bool = False) -> AuthenticatorApp | None:
    devices = AuthenticatorApp.objects.filter(user=user, confirmed=True)
    if lock:
        devices = devices.select_for_update()
    return devices.first()


def _verified_device(*, user: User, code: str, app: AuthenticatorApp | None):
    """(device, replayed): the device that took the code, or None and whether the code was
    the app's right code a second time (django-otp refuses any step at or before the last)."""
    digits = _digits(code)
    if app is not None and digits.isdigit() and len(digits) == app.digits:
        if app.verify_token(digits):
            return app, False
        totp = TOTP(app.bin_key, app.step, app.t0, app.digits, app.drift)
        totp.time = time.time()
        return None, totp.verify(int(digits), app.tolerance)
    recovery = RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()
    if recovery is not None and recovery.verify_token(code):
        return recovery, False
    return None, False


def _devices_clear(*, user: User) -> None:
    AuthenticatorApp.objects.filter(user=user).delete()
    RecoveryCodeDevice.objects.filter(user=user).delete()
    _enabled_set(user=user, enabled=False)


def _enabled_set(*, user: User, enabled: bool) -> None:
    user.two_factor_enabled = enabled
    User.objects.filter(pk=user.pk).update(two_factor_enabled=enabled)


def reset_request(*, actor: User, user: User, reason: str) -> TwoFactorReset:
    """Ask to clear an account's second factor (申请重置两步验证): a system administrator of
    the account asks, a second administrator approves (reset_approve)."""
    if not account_managed_by(user=actor, account=user, roles=(Role.SYSTEM_ADMIN,)):
        raise ValidationError("只有管理该账号的系统管理员可以申请重置两步验证。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请填写原因，例如“手机丢失”。"]})
    if actor.pk == user.pk:
        raise ValidationError({"reason": ["不能为自己的账号申请重置，请另一名系统管理员申请。"]})
    if not second_factor_enrolled(user=user):
        raise ValidationError({"reason": ["该账号尚未启用两步验证，无需重置。"]})
    if TwoFactorReset.objects.filter(user=user, status=TwoFactorResetStatus.PENDING).exists():
        raise ValidationError({"reason": ["该账号已有待批准的重置申请。"]})
    with transaction.atomic():
        reset = TwoFactorReset.objects.create(user=user, reason=reason, requested_by=actor)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=reset,
            after={"user": user.username, "reason": reason},
            message="申请重置两步验证",
        )
    return reset


def _reset_decide(*, actor: User, reset: TwoFactorReset, status: str) -> TwoFactorReset:
    if actor.pk in (reset.requested_by_id, reset.user_id):
        raise ValidationError("申请人和被重置账号本人不能审批这项申请，须由另一名管理员审批。")
    if not account_managed_by(user=actor, account=reset.user):
        raise ValidationError("只有管理该账号的系统管理员或审计管理员可以审批两步验证重置。")
    with transaction.atomic():
        locked = TwoFactorReset.objects.select_for_update().get(pk=reset.pk)
        if locked.status != TwoFactorResetStatus.PENDING:
            raise ValidationError(f"该申请{locked.get_status_display()}，不能再审批。")
        locked.status = status
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        approved = status == TwoFactorResetStatus.APPROVED
        if approved:
            # Whoever holds one of the account's sessions must not bind an app before the
            # owner does: every session and token of the account ends with the old factor.
            _devices_clear(user=locked.user)
            locked.user.api_tokens.all().delete()
            sessions.sessions_end_all(user=locked.user, reason=SessionEnd.REVOKED, actor=actor)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=locked,
            before={"status": TwoFactorResetStatus.PENDING},
            after={"status": status},
            message="批准重置两步验证，该账号下次登录须重新绑定"
            if approved
            else "驳回两步验证重置",
        )
    return locked


def reset_approve(*, actor: User, reset: TwoFactorReset) -> TwoFactorReset:
    return _reset_decide(actor=actor, reset=reset, status=TwoFactorResetStatus.APPROVED)


def reset_refuse(*, actor: User, reset: TwoFactorReset) -> TwoFactorReset:
    return _reset_decide(actor=actor, reset=reset, status=TwoFactorResetStatus.REFUSED)
