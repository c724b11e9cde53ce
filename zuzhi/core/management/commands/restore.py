import sys

from django.core.management.base import BaseCommand, CommandError

from zuzhi.core.backup import BackupError
from zuzhi.core.restore import restore_prepare, restore_run


class Command(BaseCommand):
    help = (
        "从 zuzhi backup 的归档恢复到一个空数据库和空的上传文件目录：先校验归档，"
        "再请输入数据库名确认（或加 --yes），恢复后逐表核对行数。"
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("archive", metavar="备份文件")
        parser.add_argument(
            "--yes", action="store_true", help="不询问，直接恢复（非交互运行时必须加）"
        )

    def handle(self, *args, archive, yes=False, stdin=None, **options):
        stdin = stdin or sys.stdin
        try:
            plan = restore_prepare(archive=archive)
            for line in plan.summary():
                self.stdout.write(line)
            for warning in plan.warnings:
                self.stderr.write(f"警告：{warning}")
            if not yes:
                self.confirm(plan.database, stdin)
            result = restore_run(plan)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for line in result.summary():
            self.stdout.write(line)
        if result.mismatches:
            raise CommandError("恢复后有表的行数与备份清单不符，见上。")

    def confirm(self, database: str, stdin) -> None:
        if not stdin.isatty():
            raise CommandError("不在终端中运行，无法确认：核对无误后请加 --yes 再恢复。")
        self.stdout.write(f"请输入数据库名 {database} 确认恢复：", ending="")
        self.stdout.flush()
        if stdin.readline().strip() != database:
            raise CommandError("输入的数据库名不符，未恢复。")
