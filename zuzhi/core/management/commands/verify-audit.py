from django.core.management.base import BaseCommand, CommandError

from zuzhi.core.audit_verify import audit_verify


class Command(BaseCommand):
    help = "校验审计日志的哈希链，报告第一处断链；未通过时以非零状态退出。"

    def handle(self, *args, **options):
        result = audit_verify()
        for line in result.report():
            self.stdout.write(line)
        if not result.ok:
            raise CommandError("审计日志校验未通过。")
