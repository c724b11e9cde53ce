from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "zuzhi.members"
    label = "members"
    verbose_name = "党员"
