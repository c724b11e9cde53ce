"""Reads of accounts for the system administrator (系统管理员)."""

import datetime

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zuzhi.core.roles import Role
from zuzhi.core.scope import deny, has_role, subtree_q

from .models import (
    ApiToken,
    AuthenticatorApp,
    LoginSession,
    RecoveryCodeDevice,
    RoleGrant,
    RoleGrantStatus,
    TwoFactorReset,
    TwoFactorResetStatus,
    User,
)


def admin_scope_paths(*, user, roles=(Role.SYSTEM_ADMIN,)) -> list[str]:
    """The nodes on which `user` holds one of these administrator roles."""
    return [
        a.organization.path
        for a in user.role_assignments.select_related("organization")
        if a.role in roles and a.organization
    ]


def _managed_q(*, user, roles) -> Q | None:
    """Accounts holding roles inside the subtrees where `user` is one of these administrators,
    and accounts with no role yet; None when `user` is none of them."""
    if not has_role(user, *roles):
        return None
    inside = Q(role_assignments__isnull=True)
    for path in admin_scope_paths(user=user, roles=roles):
        inside |= subtree_q(path, "role_assignments__organization__path")
    return inside


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
    inside = _managed_q(user=user, roles=(Role.SYSTEM_ADMIN,))
    if inside is None:
        return User.objects.none()
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


def authenticator_unconfirmed(
    *, user: User, device_id, lock: bool = False
) -> AuthenticatorApp | None:
    """The app being bound on the page that posted `device_id`; None for an id that is not
    this account's unconfirmed app, or no id at all (a tampered form). `lock` locks its row
    (inside the caller's transaction)."""
    if not str(device_id or "").isdigit():
        return None
    apps = AuthenticatorApp.objects.filter(user=user, pk=device_id, confirmed=False)
    return (apps.select_for_update() if lock else apps).first()


def second_factor_required(*, user: User) -> bool:
    """Whether the account holds a role that must log in with a second factor."""
    return has_role(user, *settings.ZUZHI_OTP_REQUIRED_ROLES)


class LoginStep:
    CODE = "code"
    BIND = "bind"


def second_factor_step(*, user: User) -> str | None:
    """What a login with the right password still needs: the app's code when one is bound
    (LoginStep.CODE), binding one first when the role needs it (LoginStep.BIND), else
    nothing. The login page, the API token and the middleware all ask here."""
    if second_factor_enrolled(user=user):
        return LoginStep.CODE
    if second_factor_required(user=user):
        return LoginStep.BIND
    return None


def recovery_codes_left(*, user: User) -> int:
    device = RecoveryCodeDevice.objects.filter(user=user).first()
    return device.codes.filter(used_at__isnull=True).count() if device else 0


RESET_APPROVER_ROLES = (Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN)


def account_managed_by(*, user, account: User, roles=RESET_APPROVER_ROLES) -> bool:
    """Whether `account` lies in the subtree where `user` is one of these administrators."""
    inside = _managed_q(user=user, roles=roles)
    return inside is not None and User.objects.filter(inside, pk=account.pk).exists()


def two_factor_resets_to_decide(*, user: User) -> QuerySet[TwoFactorReset]:
    """Pending second-factor resets this administrator may approve: those of accounts in
    their subtree, but not those they asked for or that concern their own account. Others
    see none."""
    inside = _managed_q(user=user, roles=RESET_APPROVER_ROLES)
    if inside is None:
        return TwoFactorReset.objects.none()
    return (
        TwoFactorReset.objects.filter(
            status=TwoFactorResetStatus.PENDING,
            user__in=User.objects.filter(inside).values("pk"),
        )
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
