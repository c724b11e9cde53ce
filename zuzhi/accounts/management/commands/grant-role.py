from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from zuzhi.accounts.grants import account_grant_role
from zuzhi.accounts.models import User
from zuzhi.core.roles import Role
from zuzhi.orgs.models import Organization


class Command(BaseCommand):
    help = "给账号授予角色（管理员类角色只能用此命令授予）。例：zuzhi grant-role zhangsan auditor C0001"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=[r.value for r in Role])
        parser.add_argument("org_code", help="组织代码")

    def handle(self, *args, username, role, org_code, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"账号“{username}”不存在。")
        org = Organization.objects.filter(code=org_code).first()
        if org is None:
            raise CommandError(f"组织代码“{org_code}”不存在。")
        try:
            account_grant_role(user=user, role=role, organization=org)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(f"已授予 {username} 在“{org.name}”的角色：{Role(role).label}")
