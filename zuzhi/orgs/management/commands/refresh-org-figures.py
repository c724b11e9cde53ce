from django.core.management.base import BaseCommand

from zuzhi.orgs.figures import org_figures_refresh_all


class Command(BaseCommand):
    help = "重新统计每个党组织的党员数和最近一次组织生活（批量载入数据后或核对时运行）。"

    def handle(self, *args, **options):
        count = org_figures_refresh_all()
        self.stdout.write(f"已重新统计 {count} 个党组织的概况。")
