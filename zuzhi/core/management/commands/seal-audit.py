from django.core.management.base import BaseCommand

from zuzhi.core.audit_chain import audit_seal


class Command(BaseCommand):
    help = "封存尚未封存的审计日志（写入哈希链）。由定时任务运行，补封提交后未及封存的日志。"

    def handle(self, *args, **options):
        sealed = audit_seal()
        self.stdout.write(f"已封存 {sealed} 条审计日志。")
