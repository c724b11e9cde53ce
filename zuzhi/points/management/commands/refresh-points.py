from django.core.management.base import BaseCommand

from zuzhi.points.tally import points_refresh_all


class Command(BaseCommand):
    help = "重新计算党员年度积分（批量载入数据后或核对时运行；默认重算已有记录的年度）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", help="年度，可多次给出")

    def handle(self, *args, year=None, **options):
        count = points_refresh_all(years=year)
        self.stdout.write(f"已重新计算 {count} 名党员的年度积分。")
