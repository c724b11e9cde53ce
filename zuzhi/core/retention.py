"""Audit log retention (日志留存): rows older than the retention period may be pruned."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import AuditLog

MINIMUM_RETENTION_DAYS = 180


def audit_prune(*, days: int | None = None, now: datetime.datetime | None = None) -> int:
    """Delete log rows older than the retention period, never fewer than 180 days back.

    The operator's command is the only path that removes rows; nothing in the web app does.
    """
    days = max(MINIMUM_RETENTION_DAYS, days or settings.ZUZHI_AUDIT_RETENTION_DAYS)
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    with transaction.atomic():
        old = AuditLog.objects.filter(time__lt=cutoff)
        # The append-only queryset refuses delete(); retention is the one sanctioned exception.
        return old._raw_delete(old.db)
