"""`zuzhi refresh-home-figures`: recount the kept home pages of the wide scopes (a province,
a city); run it every 15 minutes from cron or a systemd timer:
`*/15 * * * * zuzhi refresh-home-figures`."""

from django.core.management.base import BaseCommand

from zuzhi.dashboard.services import home_figures_refresh_all


class Command(BaseCommand):
    help = "重新统计大范围（省、市）账号的首页数据（建议每 15 分钟运行一次）。"

    def handle(self, *args, **options):
        result = home_figures_refresh_all()
        self.stdout.write(
            f"已更新 {result['kept']} 个账号的首页统计，清除 {result['dropped']} 个已不需要的。"
        )
