"""`zuzhi evaluate-triggers`: the daily run of the five triggers (五个即调) over every cadre
and team post; a vacancy becomes a cause only with the days passing, so this must run daily
(cron or a systemd timer, see the README)."""

import datetime

from django.core.management.base import BaseCommand

from zuzhi.adjustments.services import triggers_evaluate


class Command(BaseCommand):
    help = "检查五个即调的触发情形，启动新的调整研判案件。"

    def add_arguments(self, parser):
        parser.add_argument("--date", type=datetime.date.fromisoformat, help="按该日期检查")

    def handle(self, *args, date=None, **options):
        result = triggers_evaluate(today=date)
        self.stdout.write(
            f"新启动 {len(result.opened)} 件；{result.joined} 条新依据并入办理中的案件。"
        )
