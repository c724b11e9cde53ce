"""Account services: login with lockout, logout, passwords, API tokens, and the system
administrator's account work (create, activate, reset, unlock). Role grants: grants.py."""

import datetime

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zuzhi.core.audit import audit_record
from zuzhi.core.models import AuditAction
from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM

from . import sessions
from .grants import roles_suspend_for_review
from .models import ApiToken, LoginAttempt, PasswordHistory, RoleAssignment, SessionEnd, User
from .selectors import (
    SET_BY_ADMINISTRATOR,
    password_set_by_administrator,
    second_factor_enrolled,
    second_factor_step,
)
from .validators import HISTORY_LENGTH

ADMINISTRATOR_ROLES = (Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN)


TOKEN_WITHOUT_FACTOR = "该令牌签发时未经两步验证，现已失效：请带验证码（otp）重新申请令牌。"


class LoginError(Exception):
    """A refused login, with the Chinese message shown to the user."""


class LoginLocked(LoginError):
    pass


def _window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=settings.ZUZHI_LOCKOUT_MINUTES)


def _lock_end(failures, limit: int) -> datetime.datetime | None:
    """When a lock set off by these failure times ends, or None if fewer than `limit`."""
    if len(failures) < limit:
        return None
    return failures[-limit] + datetime.timedelta(minutes=settings.ZUZHI_LOCKOUT_MINUTES)


def login_lock(*, username: str, ip: str | None) -> tuple[str, datetime.datetime] | None:
    """The lock that refuses this login now (登录锁定): ("account" or "ip", its end), or None.

    The account lock counts failures for this username from this address only, since its last
    success there: one person mistyping behind a township's shared address locks only their
    own name, and a colleague there still logs in. The address ceiling counts every failure
    from the address, successes aside, and is much higher: it stops a guesser who tries many
    names, without locking an office for one person's mistakes.
    """
    window = LoginAttempt.objects.filter(time__gte=_window_start())
    pair = window.filter(username=username, ip=ip)
    last_success = (
        pair.filter(succeeded=True).order_by("-time").values_list("time", flat=True).first()
    )
    pair_failures = pair.filter(succeeded=False)
    if last_success is not None:
        pair_failures = pair_failures.filter(time__gt=last_success)
    end = _lock_end(
        list(pair_failures.order_by("time").values_list("time", flat=True)),
        settings.ZUZHI_LOCKOUT_FAILURES,
    )
    if end is not None:
        return "account", end
    if ip is not None:
        limit = settings.ZUZHI_LOCKOUT_IP_FAILURES
        # Only the last `limit` failures matter, so the count never reads more rows than that.
        recent = window.filter(ip=ip, succeeded=False).order_by("-time")
        end = _lock_end(list(recent.values_list("time", flat=True)[:limit])[::-1], limit)
        if end is not None:
            return "ip", end
    return None


def login_authenticate(*, request=None, username: str, password: str, ip: str | None) -> User:
    """Check a username and password, applying the lockout rule; audits every outcome.

    The page login and the API token endpoint both go through here, so both lock alike.
    """
    username = (username or "").strip()
    lock = login_lock(username=username, ip=ip)
    if lock is not None:
        kind, end = lock
        with transaction.atomic():
            audit_record(
                actor=None,
                actor_username=username,
                action=AuditAction.LOGIN_LOCKED,
                message="账号在该地址登录失败次数过多，已锁定"
                if kind == "account"
                else "该地址登录失败次数过多，已暂停从该地址登录",
            )
        raise LoginLocked(lock_message(kind, end))
    user = authenticate(request, username=username, password=password)
    if user is None:
        with transaction.atomic():
            LoginAttempt.objects.create(username=username, ip=ip, succeeded=False)
            audit_record(
                actor=None,
                actor_username=username,
                action=AuditAction.LOGIN_FAILED,
                message="用户名或密码错误",
            )
        raise LoginError("用户名或密码错误。")
    # With a second factor the login succeeds only once the code is right
    # (two_factor.second_factor_check): a right password alone must not clear the failures
    # that the lockout counts, or a guesser who knows it could try codes without end.
    if not second_factor_enrolled(user=user):
        login_record(user=user, ip=ip)
    return user


def lock_message(kind: str, end: datetime.datetime) -> str:
    """Why a locked login is refused and until when, in Chinese."""
    if kind == "account":
        return (
            f"该账号从当前网络地址连续登录失败已达 {settings.ZUZHI_LOCKOUT_FAILURES} 次，"
            f"已临时锁定 {settings.ZUZHI_LOCKOUT_MINUTES} 分钟，"
            f"请于 {timezone.localtime(end):%H:%M} 后再试，或请系统管理员解除锁定。"
        )
    return (
        f"当前网络地址 {settings.ZUZHI_LOCKOUT_MINUTES} 分钟内登录失败次数过多，"
        f"暂停从该地址登录，请于 {timezone.localtime(end):%H:%M} 后再试。"
    )


def login_record(*, user: User, ip: str | None, method: str = "") -> None:
    """A completed login: clears the lockout count for this name and address, and is audited
    with the second factor used, if any."""
    with transaction.atomic():
        LoginAttempt.objects.create(username=user.username, ip=ip, succeeded=True)
        audit_record(
            actor=user,
            action=AuditAction.LOGIN,
            target=user,
            message=f"密码＋{method}" if method else "",
        )


def logout_record(*, user: User) -> None:
    with transaction.atomic():
        audit_record(actor=user, action=AuditAction.LOGOUT, target=user)


def password_expired(*, user: User) -> bool:
    """Whether the user must change their password before anything else: always while it is
    the one an administrator set (first login), else once it is older than the maximum age."""
    if password_set_by_administrator(user=user):
        return True
    max_age = settings.ZUZHI_PASSWORD_MAX_AGE_DAYS
    if max_age <= 0:
        return False
    return user.password_changed_at < timezone.now() - datetime.timedelta(days=max_age)


def _password_set(*, user: User, new_password: str, changed_at: datetime.datetime) -> int:
    """Store a new password, keep the old hash in the history, revoke every API token.

    A token is as good as the password it was obtained with, so changing the password (own
    change or an administrator's reset) ends them all. Returns how many were revoked.
    """
    if user.password and user.has_usable_password():
        PasswordHistory.objects.create(user=user, password=user.password)
        stale = PasswordHistory.objects.filter(user=user).order_by("-changed_at", "-pk")
        keep = list(stale.values_list("pk", flat=True)[:HISTORY_LENGTH])
        stale.exclude(pk__in=keep).delete()
    user.set_password(new_password)
    user.password_changed_at = changed_at
    user.save(update_fields=["password", "password_changed_at"])
    revoked, _ = user.api_tokens.all().delete()
    return revoked


def password_change(*, user: User, new_password: str) -> None:
    """Set a new password after the policy validators (which refuse the current one and the
    last five); raises ValidationError."""
    password_validation.validate_password(new_password, user)
    with transaction.atomic():
        revoked = _password_set(user=user, new_password=new_password, changed_at=timezone.now())
        audit_record(
            actor=user,
            action=AuditAction.PASSWORD_CHANGE,
            target=user,
            after={"api_tokens_revoked": revoked} if revoked else None,
        )


def token_issue(*, user: User, ip: str | None = None, second_factor: bool = False) -> str:
    key = ApiToken.new_key()
    with transaction.atomic():
        ApiToken.objects.create(
            user=user,
            digest=ApiToken.digest_of(key),
            expires_at=timezone.now() + datetime.timedelta(hours=settings.ZUZHI_API_TOKEN_HOURS),
            ip=ip,
            second_factor=second_factor,
        )
        audit_record(actor=user, action=AuditAction.TOKEN_ISSUE, target=user)
    return key


def token_user(*, key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.digest_of(key), expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    # A token issued on the password alone stops working once the account binds an app or
    # is given a role that needs one.
    if not token.second_factor and second_factor_step(user=token.user) is not None:
        raise LoginError(TOKEN_WITHOUT_FACTOR)
    return token.user


def _token_delete(*, user: User, tokens, message: str) -> int:
    """Delete these tokens of `user` and audit what went (签发时间 and 到期时间 of each)."""
    gone = [
        {"id": t.pk, "created_at": t.created_at.isoformat(), "expires_at": t.expires_at.isoformat()}
        for t in tokens.order_by("created_at")
    ]
    if not gone:
        return 0
    tokens.delete()
    audit_record(
        actor=user,
        action=AuditAction.DELETE,
        target=user,
        before={"api_tokens": gone},
        after={"api_tokens": []},
        message=message,
    )
    return len(gone)


def token_revoke_key(*, user: User, key: str) -> None:
    """End the token presented with this request (POST /api/auth/logout)."""
    with transaction.atomic():
        _token_delete(
            user=user,
            tokens=user.api_tokens.filter(digest=ApiToken.digest_of(key)),
            message="退出接口登录，撤销令牌",
        )


def token_revoke(*, user: User, token_id: int | None = None) -> int:
    """Revoke one of the user's own tokens, or all of them (撤销令牌); returns how many.
    Only the user's own tokens are looked at: another user's id revokes nothing."""
    tokens = user.api_tokens.all()
    if token_id is not None:
        tokens = tokens.filter(pk=token_id)
    with transaction.atomic():
        return _token_delete(
            user=user,
            tokens=tokens,
            message="撤销接口令牌" if token_id is not None else "撤销全部接口令牌",
        )


def user_upsert(
    *, username: str, password: str, full_name: str, roles: list[tuple[str, object]]
) -> User:
    """Create or reset an account with exactly these (role, organization) assignments.

    Used by seed-demo and setup scripts; the password is checked against the policy.
    """
    with transaction.atomic():
        user, created = User.objects.get_or_create(username=username)
        same_password = not created and user.check_password(password)
        if not same_password:
            password_validation.validate_password(password, user)
        before = {
            "full_name": user.full_name,
            "roles": sorted(f"{a.role}@{a.organization_id}" for a in user.role_assignments.all()),
        }
        after = {
            "full_name": full_name,
            "roles": sorted(f"{r}@{getattr(o, 'pk', None)}" for r, o in roles),
        }
        if before == after and same_password:
            return user  # a rerun with the same password changes nothing and logs nothing
        user.full_name = full_name
        user.save(update_fields=["full_name"])
        if not same_password:
            _password_set(user=user, new_password=password, changed_at=timezone.now())
        user.role_assignments.all().delete()
        RoleAssignment.objects.bulk_create(
            RoleAssignment(user=user, role=role, organization=org) for role, org in roles
        )
        audit_record(
            actor=SYSTEM,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            target=user,
            before=None if created else before,
            after=after | ({} if same_password else {"password": "已重置"}),
        )
    return user


def account_create(*, actor: User, username: str, full_name: str, password: str) -> User:
    """Open an account (新建账号); it holds no role until one is granted."""
    username = (username or "").strip()
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = ["请填写用户名。"]
    elif User.objects.filter(username=username).exists():
        errors["username"] = [f"用户名“{username}”已存在。"]
    candidate = User(username=username, full_name=full_name)
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        candidate.set_password(password)
        # A password set by an administrator must be changed at first login.
        candidate.password_changed_at = timezone.now() - SET_BY_ADMINISTRATOR
        candidate.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=candidate,
            after={"username": username, "full_name": full_name},
        )
    return candidate


def account_set_active(*, actor: User, user: User, active: bool) -> None:
    if actor.pk == user.pk:
        raise ValidationError({"is_active": ["不能停用自己的账号。"]})
    if user.is_active == active:
        return
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        user.api_tokens.all().delete()
        if not active:
            sessions.sessions_end_all(user=user, reason=SessionEnd.REVOKED, actor=actor)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=user,
            before={"is_active": not active},
            after={"is_active": active},
            message="启用账号" if active else "停用账号",
        )


def account_reset_password(*, actor: User, user: User, new_password: str) -> int:
    """Reset a password (重置密码); the user must change it at next login.

    The administrator knows the new password, so the account's business roles go back to
    county staff for approval (grants.roles_suspend_for_review), as a new grant would:
    otherwise resetting a county staff member's password would open their data to the
    administrator. Returns how many roles now wait for approval.
    """
    if user.role_assignments.filter(role__in=ADMINISTRATOR_ROLES).exists():
        # An administrator who could reset another administrator's password could act as
        # them (the auditor who would notice, first of all): 三员分立.
        raise ValidationError(
            "管理员类账号（系统管理员、审计管理员）的密码不能在网页上重置："
            "请本人修改，或由运维人员在服务器上用 zuzhi changepassword 重置。"
        )
    password_validation.validate_password(new_password, user)
    with transaction.atomic():
        suspended = roles_suspend_for_review(actor=actor, user=user)
        sessions.sessions_end_all(user=user, reason=SessionEnd.REVOKED, actor=actor)
        revoked = _password_set(
            user=user,
            new_password=new_password,
            changed_at=timezone.now() - SET_BY_ADMINISTRATOR,
        )
        audit_record(
            actor=actor,
            action=AuditAction.PASSWORD_CHANGE,
            target=user,
            after={"api_tokens_revoked": revoked} if revoked else None,
            message="管理员重置密码",
        )
    return suspended


def account_unlock(*, actor: User, user: User) -> None:
    """Lift a login lockout of this account early (解除锁定)."""
    with transaction.atomic():
        LoginAttempt.objects.filter(username=user.username, succeeded=False).delete()
        audit_record(actor=actor, action=AuditAction.UPDATE, target=user, message="解除登录锁定")
