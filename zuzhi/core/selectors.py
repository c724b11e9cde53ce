"""Reads of the audit log, scoped like the data it describes."""

import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from .models import AuditLog, AuditSeal
from .scope import is_audit_admin, scope_q

# Days beyond these bounds limit nothing (and would overflow when turned into times).
_FIRST_DAY, _LAST_DAY = datetime.date(1900, 1, 1), datetime.date(9999, 1, 1)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_list(
    *,
    user,
    action: str | None = None,
    actor: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    target_name: str | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditLog]:
    """Log rows the user may read: all for the audit administrator (审计管理员), else only
    rows about organizations inside the user's subtree, and none about the object types of
    settings.ZUZHI_AUDIT_ADMIN_ONLY_TYPES (cadre records are not the organization section's
    business: their before and after are the records themselves).

    Every filter is a range or equality on an indexed column, so that a province's log is
    searched, not scanned: dates are local days turned into a time range (not a date cast of
    each row), and an object's name matches from its start."""
    qs = AuditLog.objects.select_related("actor")
    if not is_audit_admin(user):
        q = scope_q(user, "org_path")
        qs = qs.none() if q is None else qs.filter(q)
        for prefix in settings.ZUZHI_AUDIT_ADMIN_ONLY_TYPES:
            qs = qs.exclude(target_type__startswith=prefix)
    if action:
        qs = qs.filter(action=action)
    if actor:
        qs = qs.filter(actor_username=actor)
    if target_type:
        qs = qs.filter(target_type=target_type)
    if target_id:
        qs = qs.filter(target_id=target_id)
    if target_name:
        qs = qs.filter(target_repr__startswith=target_name)
    if date_from and date_from > _FIRST_DAY:
        qs = qs.filter(time__gte=_day_start(date_from))
    if date_to and date_to < _LAST_DAY:
        qs = qs.filter(time__lt=_day_start(date_to + datetime.timedelta(days=1)))
    return qs.order_by("-time", "-id")


def audit_seal_numbers(*, rows: list[AuditLog]) -> dict[int, int]:
    """The seal's sequence number (封存序号) of each of these log rows that is sealed, by id:
    one lookup on the seals' unique index for a page of rows."""
    return dict(
        AuditSeal.objects.filter(log_id__in=[row.pk for row in rows]).values_list("log_id", "seq")
    )
