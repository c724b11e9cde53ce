from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zuzhi.core import crypto


class Command(BaseCommand):
    help = (
        "生成数据加密密钥文件（权限 0600）：盲索引密钥和当前密钥各一个。"
        "加 --rotate 则在已有密钥文件中加入新的当前密钥，旧密钥保留用于解密，"
        "随后运行 zuzhi rotate-key。"
    )
    # Needs no database and must work before any key exists.
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("path", help="密钥文件路径，如 /etc/zuzhi/data.key")
        parser.add_argument("--rotate", action="store_true", help="在已有文件中加入新的当前密钥")

    def handle(self, *args, path, rotate=False, **options):
        path = Path(path)
        if rotate:
            if not path.exists():
                raise CommandError(f"密钥文件 {path} 不存在，无法轮换。")
            crypto.write_key_file(path, crypto.rotated_key_text(path.read_text(encoding="utf-8")))
            self.stdout.write(
                f"已在 {path} 中加入新的当前密钥；旧密钥仍保留用于解密。"
                "请重启服务，再运行 zuzhi rotate-key 重新加密全部数据；完成后方可删除旧密钥行。"
            )
            return
        if path.exists():
            raise CommandError(f"{path} 已存在，不会覆盖（覆盖会使已加密的数据无法解密）。")
        crypto.write_key_file(path)
        self.stdout.write(
            f"已生成密钥文件 {path}（权限 0600）。请设置 ZUZHI_DATA_KEY_FILE={path}，"
            "并把该文件与数据库备份分开保管：丢失密钥即无法解密个人信息。"
        )
