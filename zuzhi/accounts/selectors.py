"""Reads of accounts for the system administrator (系统管理员)."""

from django.db.models import Q, QuerySet

from zuzhi.core.roles import Role
from zuzhi.core.scope import is_system_admin, subtree_q

from .models import User


def admin_scope_paths(*, user) -> list[str]:
    """The nodes on which `user` holds the system administrator role."""
    return [
        a.organization.path
        for a in user.role_assignments.select_related("organization")
        if a.role == Role.SYSTEM_ADMIN and a.organization
    ]


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
    from django.http import Http404

    try:
        return account_list(user=user).get(pk=pk)
    except (User.DoesNotExist, ValueError) as exc:
        raise Http404("未找到该账号。") from exc
