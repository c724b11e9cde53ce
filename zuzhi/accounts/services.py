"""Account services: login with lockout, logout, passwords, API tokens."""

import datetime

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zuzhi.core.audit import audit_record
from zuzhi.core.models import AuditAction
from zuzhi.core.roles import Role
from zuzhi.core.scope import is_system

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
            "full_name": user.full_name,
            "roles": sorted(f"{a.role}@{a.organization_id}" for a in user.role_assignments.all()),
        }
        after = {
            "full_name": full_name,
            "roles": sorted(f"{r}@{getattr(o, 'pk', None)}" for r, o in roles),
        }
        same_password = not created and user.check_password(password)
        if before == after and same_password:
            return user  # a rerun with the same password changes nothing and logs nothing
        user.full_name = full_name
        if not same_password:
            user.set_password(password)
            user.password_changed_at = timezone.now()
        user.save()
        user.role_assignments.all().delete()
        RoleAssignment.objects.bulk_create(
            RoleAssignment(user=user, role=role, organization=org) for role, org in roles
        )
        audit_record(
            actor=None,
            actor_username="system",
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            target=user,
            before=None if created else before,
            after=after | ({} if same_password else {"password": "已重置"}),
        )
    return user


# Roles a system administrator may grant. Administrator roles themselves are granted only
# from the command line (`zuzhi grant-role`), so no web account can raise its own rights.
GRANTABLE_ROLES = (Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF, Role.BRANCH_SECRETARY, Role.JUDGE)


def _roles_snapshot(user: User) -> list[str]:
    return sorted(
        f"{a.role}@{a.organization.code if a.organization else '-'}"
        for a in user.role_assignments.select_related("organization")
    )


def _require_admin_over(actor: User, organization) -> None:
    from zuzhi.core.scope import path_in

    from .selectors import admin_scope_paths

    roots = admin_scope_paths(user=actor)
    if organization is None or not any(path_in(organization.path, r) for r in roots):
        raise ValidationError({"organization": ["该组织不在您的管理范围内。"]})


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
        candidate.password_changed_at = timezone.now() - datetime.timedelta(days=3650)
        candidate.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=candidate,
            after={"username": username, "full_name": full_name},
        )
    return candidate


def account_grant_role(*, actor, user: User, role: str, organization) -> RoleAssignment:
    """Grant a role on a node (授权). Web administrators grant business roles in their subtree
    only; the system (the grant-role command) grants any role."""
    if not is_system(actor):
        if role not in GRANTABLE_ROLES:
            raise ValidationError({"role": ["系统管理员不能授予管理员类角色。"]})
        if actor.pk == user.pk:
            raise ValidationError({"role": ["不能给自己授权。"]})
        _require_admin_over(actor, organization)
    with transaction.atomic():
        before = _roles_snapshot(user)
        assignment, _ = RoleAssignment.objects.get_or_create(
            user=user, role=role, organization=organization
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=user,
            before={"roles": before},
            after={"roles": _roles_snapshot(user)},
            message="授予角色",
        )
    return assignment


def account_revoke_role(*, actor: User, assignment: RoleAssignment) -> None:
    if assignment.role not in GRANTABLE_ROLES:
        raise ValidationError({"role": ["系统管理员不能撤销管理员类角色。"]})
    _require_admin_over(actor, assignment.organization)
    user = assignment.user
    with transaction.atomic():
        before = _roles_snapshot(user)
        assignment.delete()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=user,
            before={"roles": before},
            after={"roles": _roles_snapshot(user)},
            message="撤销角色",
        )


def account_set_active(*, actor: User, user: User, active: bool) -> None:
    if actor.pk == user.pk:
        raise ValidationError({"is_active": ["不能停用自己的账号。"]})
    if user.is_active == active:
        return
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        user.api_tokens.all().delete()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=user,
            before={"is_active": not active},
            after={"is_active": active},
            message="启用账号" if active else "停用账号",
        )


def account_reset_password(*, actor: User, user: User, new_password: str) -> None:
    """Reset a password (重置密码); the user must change it at next login."""
    password_validation.validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.password_changed_at = timezone.now() - datetime.timedelta(days=3650)
        user.save(update_fields=["password", "password_changed_at"])
        user.api_tokens.all().delete()
        audit_record(
            actor=actor, action=AuditAction.PASSWORD_CHANGE, target=user, message="管理员重置密码"
        )


def account_unlock(*, actor: User, user: User) -> None:
    """Lift a login lockout of this account early (解除锁定)."""
    with transaction.atomic():
        LoginAttempt.objects.filter(username=user.username, succeeded=False).delete()
        audit_record(actor=actor, action=AuditAction.UPDATE, target=user, message="解除登录锁定")
