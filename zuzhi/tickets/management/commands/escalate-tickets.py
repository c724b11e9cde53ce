"""`zuzhi escalate-tickets`: one escalation pass over the open tickets (escalation.py); run
it every few minutes (cron or a systemd timer: `*/5 * * * * zuzhi escalate-tickets`)."""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from zuzhi.tickets.escalation import escalate_overdue
from zuzhi.tickets.models import EscalationLevel


class Command(BaseCommand):
    help = "逾期未受理、未办结的联户诉求逐级上报（建议每 5 分钟运行一次）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", type=datetime.datetime.fromisoformat, help="按该时间检查（本地时间）"
        )

    def handle(self, *args, now=None, **options):
        if now is not None and timezone.is_naive(now):
            now = timezone.make_aware(now)
        result = escalate_overdue(now=now)
        parts = [f"{EscalationLevel(k).label} {v} 件" for k, v in result.by_level.items()]
        self.stdout.write(f"本次上报 {result.total} 件（{'，'.join(parts)}）。")
