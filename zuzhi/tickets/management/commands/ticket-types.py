"""`zuzhi ticket-types`: add the default request types (日常生活, 事项代办, 矛盾调解, 诉求办理)
that are missing, with their default deadlines; the county edits them on the settings page."""

from django.core.management.base import BaseCommand

from zuzhi.core.scope import SYSTEM
from zuzhi.tickets.config_services import ticket_types_load_defaults


class Command(BaseCommand):
    help = "载入默认的诉求类型及其受理、办结时限（已有的同名类型不变）。"

    def handle(self, *args, **options):
        added = ticket_types_load_defaults(actor=SYSTEM)
        names = "、".join(t.name for t in added) or "无（均已存在）"
        self.stdout.write(f"新增诉求类型：{names}")
