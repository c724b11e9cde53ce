from django.core.management.base import BaseCommand, CommandError

from zuzhi.core.retention import (
    MINIMUM_RETENTION_DAYS,
    PruneRoleMissing,
    audit_prune,
    prune_database,
)


class Command(BaseCommand):
    help = "删除超过留存期限的审计日志（留存期不少于 180 天）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, help="留存天数（默认取 ZUZHI_AUDIT_RETENTION_DAYS）"
        )

    def handle(self, *args, days=None, **options):
        try:
            using = prune_database()
        except PruneRoleMissing as exc:
            raise CommandError(str(exc)) from exc
        if days is not None and days < MINIMUM_RETENTION_DAYS:
            self.stderr.write(
                f"留存期不能少于 {MINIMUM_RETENTION_DAYS} 天，已按 {MINIMUM_RETENTION_DAYS} 天执行。"
            )
        removed = audit_prune(days=days, using=using)
        self.stdout.write(f"已删除 {removed} 条过期审计日志。")
