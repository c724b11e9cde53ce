from django.core.management.base import BaseCommand

from zuzhi.core.scope import SYSTEM
from zuzhi.joint_reviews.services import departments_load_defaults


class Command(BaseCommand):
    help = "载入默认的十二个县级联审部门（已有的不重复创建）。例：zuzhi joint-review-departments"

    def handle(self, *args, **options):
        created = departments_load_defaults(actor=SYSTEM)
        self.stdout.write(f"新增联审部门 {len(created)} 个。")
