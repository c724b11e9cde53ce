from django.core.management.base import BaseCommand, CommandError

from zuzhi.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "备份数据库和上传文件，写成一个归档文件（默认写在 ZUZHI_BACKUP_DIR，"
        "文件名含上海时间）。数据密钥不在备份中，只记其指纹。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            metavar="目录或文件",
            help="写到这个目录，或这个以 .tar 结尾的文件（默认 ZUZHI_BACKUP_DIR）",
        )

    def handle(self, *args, output=None, **options):
        try:
            result = backup_create(output=output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for line in result.summary():
            self.stdout.write(line)
