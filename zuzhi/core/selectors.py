"""Reads of the audit log, scoped like the data it describes."""

import datetime

from django.db.models import QuerySet

from .models import AuditLog
from .scope import is_audit_admin, scope_q


def audit_list(
    *,
    user,
    action: str | None = None,
    actor: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditLog]:
    """Log rows the user may read: all for the audit administrator (审计管理员), else only
    rows about organizations inside the user's subtree."""
    qs = AuditLog.objects.select_related("actor")
    if not is_audit_admin(user):
        q = scope_q(user, "org_path")
        qs = qs.none() if q is None else qs.filter(q)
    if action:
        qs = qs.filter(action=action)
    if actor:
        qs = qs.filter(actor_username=actor)
    if target_type:
        qs = qs.filter(target_type=target_type)
    if target_id:
        qs = qs.filter(target_id=target_id)
    if date_from:
        qs = qs.filter(time__date__gte=date_from)
    if date_to:
        qs = qs.filter(time__date__lte=date_to)
    return qs.order_by("-time", "-id")
