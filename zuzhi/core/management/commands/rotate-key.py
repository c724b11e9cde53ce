from django.core.management.base import BaseCommand

from zuzhi.core import crypto
from zuzhi.core.sealed_rows import BATCH_ROWS, sealed_rotate


class Command(BaseCommand):
    help = (
        "用当前密钥（密钥文件的第一把）重新加密全部加密字段，分批提交，可中断后重新运行继续；"
        "每批写一条审计日志。加 --reindex 同时重算盲索引（更换 index 密钥之后）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=BATCH_ROWS, help="每批行数（默认 1000）")
        parser.add_argument("--reindex", action="store_true", help="重写全部行并重算盲索引")

    def handle(self, *args, batch=BATCH_ROWS, reindex=False, **options):
        ring = crypto.keyring()
        self.stdout.write(f"当前密钥：{ring.current.key_id}（{ring.scheme}）")
        done = sealed_rotate(batch=batch, reindex=reindex, progress=self.stdout.write)
        self.stdout.write(f"完成：共重新加密 {sum(done.values())} 条记录。")
