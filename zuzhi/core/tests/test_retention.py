import datetime

from django.core.management import call_command
from django.utils import timezone

from zuzhi.core.audit import audit_record
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.retention import audit_prune


def make_row(db, days_ago):
    row = audit_record(actor=None, action=AuditAction.LOGIN_FAILED, actor_username=f"d{days_ago}")
    # auto_now_add fixes the time; move it back with a raw UPDATE, as only a test may.
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {AuditLog._meta.db_table} SET time = %s WHERE id = %s",
            [timezone.now() - datetime.timedelta(days=days_ago), row.pk],
        )
    return row


def test_prune_never_goes_below_180_days(db):
    make_row(db, 179)
    make_row(db, 181)
    make_row(db, 400)
    assert audit_prune(days=30) == 2
    assert list(AuditLog.objects.values_list("actor_username", flat=True)) == ["d179"]


def test_prune_respects_a_longer_setting(db, settings):
    settings.ZUZHI_AUDIT_RETENTION_DAYS = 365
    make_row(db, 200)
    make_row(db, 400)
    call_command("prune-audit")
    assert list(AuditLog.objects.values_list("actor_username", flat=True)) == ["d200"]
