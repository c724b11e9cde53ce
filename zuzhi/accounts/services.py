"""Account services: login with lockout, logout, passwords, API tokens."""

import datetime

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.db import transaction
from django.utils import timezone

from zuzhi.core.audit import audit_record
from zuzhi.core.models import AuditAction

from .models import ApiToken, LoginAttempt, RoleAssignment, User


class LoginError(Exception):
    """A refused login, with the Chinese message shown to the user."""


class LoginLocked(LoginError):
    pass


def _window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=settings.ZUZHI_LOCKOUT_MINUTES)


def _recent_failures(**by) -> list[datetime.datetime]:
    """Failures inside the window, after the last success for the same account or IP."""
    attempts = LoginAttempt.objects.filter(time__gte=_window_start(), **by)
    last_success = (
        attempts.filter(succeeded=True).order_by("-time").values_list("time", flat=True).first()
    )
    failures = attempts.filter(succeeded=False)
    if last_success is not None and "username" in by:
        failures = failures.filter(time__gt=last_success)
    return list(failures.order_by("time").values_list("time", flat=True))


def login_locked_until(*, username: str, ip: str | None) -> datetime.datetime | None:
    """When the lockout of this account or IP ends, or None if not locked (登录锁定)."""
    limit = settings.ZUZHI_LOCKOUT_FAILURES
    ends = []
    for by in ({"username": username}, {"ip": ip} if ip else None):
        if by is None:
            continue
        failures = _recent_failures(**by)
        if len(failures) >= limit:
            ends.append(
                failures[-limit] + datetime.timedelta(minutes=settings.ZUZHI_LOCKOUT_MINUTES)
            )
    return max(ends) if ends else None


def login_authenticate(*, request=None, username: str, password: str, ip: str | None) -> User:
    """Check a username and password, applying the lockout rule; audits every outcome.

    The page login and the API token endpoint both go through here, so both lock alike.
    """
    username = (username or "").strip()
    locked_until = login_locked_until(username=username, ip=ip)
    if locked_until is not None:
        with transaction.atomic():
            audit_record(
                actor=None,
                actor_username=username,
                action=AuditAction.LOGIN_LOCKED,
                message="登录失败次数过多，已锁定",
            )
        local = timezone.localtime(locked_until)
        raise LoginLocked(
            f"连续登录失败已达 {settings.ZUZHI_LOCKOUT_FAILURES} 次，账号已锁定 "
            f"{settings.ZUZHI_LOCKOUT_MINUTES} 分钟，请于 {local:%H:%M} 后再试。"
        )
    user = authenticate(request, username=username, password=password)
    with transaction.atomic():
        LoginAttempt.objects.create(username=username, ip=ip, succeeded=user is not None)
        if user is None:
            audit_record(
                actor=None,
                actor_username=username,
                action=AuditAction.LOGIN_FAILED,
                message="用户名或密码错误",
            )
        else:
            audit_record(actor=user, action=AuditAction.LOGIN, target=user)
    if user is None:
        raise LoginError("用户名或密码错误。")
    return user


def logout_record(*, user: User) -> None:
    with transaction.atomic():
        audit_record(actor=user, action=AuditAction.LOGOUT, target=user)


def password_expired(*, user: User) -> bool:
    max_age = settings.ZUZHI_PASSWORD_MAX_AGE_DAYS
    if max_age <= 0:
        return False
    return user.password_changed_at < timezone.now() - datetime.timedelta(days=max_age)


def password_change(*, user: User, new_password: str) -> None:
    """Set a new password after the policy validators; raises ValidationError."""
    password_validation.validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at"])
        audit_record(actor=user, action=AuditAction.PASSWORD_CHANGE, target=user)


def token_issue(*, user: User) -> str:
    key = ApiToken.new_key()
    with transaction.atomic():
        ApiToken.objects.create(
            user=user,
            digest=ApiToken.digest_of(key),
            expires_at=timezone.now() + datetime.timedelta(hours=settings.ZUZHI_API_TOKEN_HOURS),
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
    return token.user


def user_upsert(
    *, username: str, password: str, full_name: str, roles: list[tuple[str, object]]
) -> User:
    """Create or reset an account with exactly these (role, organization) assignments.

    Used by seed-demo and setup scripts; the password is checked against the policy.
    """
    with transaction.atomic():
        user, created = User.objects.get_or_create(username=username)
        password_validation.validate_password(password, user)
        before = {
            "roles": sorted(f"{a.role}@{a.organization_id}" for a in user.role_assignments.all())
        }
        user.full_name = full_name
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.save()
        user.role_assignments.all().delete()
        RoleAssignment.objects.bulk_create(
            RoleAssignment(user=user, role=role, organization=org) for role, org in roles
        )
        after = {"roles": sorted(f"{r}@{getattr(o, 'pk', None)}" for r, o in roles)}
        audit_record(
            actor=None,
            actor_username="system",
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            target=user,
            before=None if created else before,
            after=after,
        )
    return user
