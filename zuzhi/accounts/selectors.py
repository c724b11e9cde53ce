"""Reads of accounts for the system administrator (系统管理员)."""

import datetime

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zuzhi.core.roles import Role
from zuzhi.core.scope import deny, has_role, is_system_admin, subtree_q

from .models import (
    ApiToken,
    LoginSession,
    RecoveryCodeDevice,
    RoleGrant,
    RoleGrantStatus,
    TwoFactorReset,
    TwoFactorResetStatus,
    User,
)


def admin_scope_paths(*, user) -> list[str]:
    """The nodes on which `user` holds the system administrator role."""
    return [
        a.organization.path
        for a in user.role_assignments.select_related("organization")
        if a.role == Role.SYSTEM_ADMIN and a.organization
    ]


def approver_paths(*, user) -> list[str]:
    """The nodes on which `user` is county staff: grants under them are theirs to approve."""
    return [
        a.organization.path
        for a in user.role_assignments.select_related("organization")
        if a.role == Role.COUNTY_STAFF and a.organization
    ]


def _grants_under(user) -> QuerySet[RoleGrant]:
    paths = approver_paths(user=user)
    if not paths:
        return RoleGrant.objects.none()
    under = Q()
    for path in paths:
        under |= subtree_q(path, "organization__path")
    return RoleGrant.objects.filter(under).select_related("user", "organization", "requested_by")


def role_grants_to_approve(*, user) -> QuerySet[RoleGrant]:
    """Pending grants `user` may approve (待审批授权): under a node where they are county
    staff, neither asked by them nor for them; `awaits_own_password` marks those that cannot
    be approved yet (see `password_set_by_administrator`)."""
    cutoff = timezone.now() - SET_BY_ADMINISTRATOR + datetime.timedelta(days=1)
    return (
        _grants_under(user)
        .filter(status=RoleGrantStatus.PENDING)
        .exclude(requested_by=user)
        .exclude(user=user)
        .annotate(
            awaits_own_password=ExpressionWrapper(
                Q(user__password_changed_at__lte=cutoff), output_field=BooleanField()
            )
        )
        .select_related("user", "organization", "requested_by")
        .order_by("requested_at", "pk")
    )


def role_grant_get(*, user, pk) -> RoleGrant:
    """A grant under a node where `user` is county staff; any other is "not found", and
    logged as a refused access when it exists. The service says why a decided one is closed."""
    try:
        return _grants_under(user).get(pk=pk)
    except (RoleGrant.DoesNotExist, ValueError, TypeError) as exc:
        existing = RoleGrant.objects.filter(pk=pk).first()
        if existing is not None:
            raise deny(user, target=existing, message="审批范围以外的角色授权") from exc
        raise Http404("未找到该授权申请。") from exc


def account_list(*, user, q: str | None = None) -> QuerySet[User]:
    """Accounts the system administrator manages: those holding roles inside their subtree,
    and accounts with no role yet. Anyone else gets none."""
    if not is_system_admin(user):
        return User.objects.none()
    inside = Q(role_assignments__isnull=True)
    for path in admin_scope_paths(user=user):
        inside |= subtree_q(path, "role_assignments__organization__path")
    qs = User.objects.filter(inside).distinct()
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    return qs.prefetch_related("role_assignments__organization").order_by("username")


def account_get(*, user, pk) -> User:
    try:
        return account_list(user=user).get(pk=pk)
    except (User.DoesNotExist, ValueError) as exc:
        raise Http404("未找到该账号。") from exc


def token_list(*, user) -> QuerySet[ApiToken]:
    """The user's own API tokens that still work, newest first."""
    return user.api_tokens.filter(expires_at__gt=timezone.now()).order_by("-created_at")


def token_get(*, user, pk) -> ApiToken:
    """One of the user's own tokens; another user's is "not found", and logged."""
    try:
        return user.api_tokens.get(pk=pk)
    except ApiToken.DoesNotExist as exc:
        existing = ApiToken.objects.filter(pk=pk).first()
        if existing is not None:
            raise deny(user, target=existing, message="试图撤销他人的接口令牌") from exc
        raise Http404("未找到该令牌。") from exc


def account_role_grants(*, account) -> QuerySet[RoleGrant]:
    """The account's grant requests, newest first, for the administrator's account page."""
    return account.role_grants.select_related(
        "organization", "requested_by", "decided_by"
    ).order_by("-requested_at", "-pk")


# A password the administrator set (new account, reset) is stored as changed this long ago,
# so that it has expired at the first login and the user must choose their own.
SET_BY_ADMINISTRATOR = datetime.timedelta(days=3650)


def password_set_by_administrator(*, user: User) -> bool:
    """Whether the password is still the one the system administrator set (who knows it)."""
    return user.password_changed_at <= timezone.now() - SET_BY_ADMINISTRATOR + datetime.timedelta(
        days=1
    )


def second_factor_enrolled(*, user: User) -> bool:
    """Whether the account has bound an authenticator app (已启用两步验证)."""
    return user.two_factor_enabled


def recovery_codes_left(*, user: User) -> int:
    device = RecoveryCodeDevice.objects.filter(user=user).first()
    return device.codes.filter(used_at__isnull=True).count() if device else 0


def two_factor_resets_to_decide(*, user: User) -> QuerySet[TwoFactorReset]:
    """Pending second-factor resets this administrator may approve: any but those they asked
    for or that concern their own account. Others see none."""
    if not has_role(user, Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN):
        return TwoFactorReset.objects.none()
    return (
        TwoFactorReset.objects.filter(status=TwoFactorResetStatus.PENDING)
        .exclude(requested_by=user)
        .exclude(user=user)
        .select_related("user", "requested_by")
        .order_by("requested_at", "pk")
    )


def two_factor_reset_get(*, user: User, pk) -> TwoFactorReset:
    try:
        return two_factor_resets_to_decide(user=user).get(pk=pk)
    except (TwoFactorReset.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("未找到该申请。") from exc


def account_two_factor_resets(*, account: User) -> QuerySet[TwoFactorReset]:
    return account.two_factor_resets.select_related("requested_by", "decided_by").order_by(
        "-requested_at", "-pk"
    )


def sessions_active(*, user: User) -> QuerySet[LoginSession]:
    """The account's sessions still open (当前会话): not ended, and active within the idle
    timeout. Newest first."""
    idle = timezone.now() - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    return LoginSession.objects.filter(
        user=user, ended_at__isnull=True, last_seen_at__gte=idle
    ).order_by("-started_at")


def login_history(*, user: User) -> QuerySet[LoginSession]:
    return LoginSession.objects.filter(user=user).order_by("-started_at", "-pk")
