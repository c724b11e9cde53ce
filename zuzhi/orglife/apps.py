from django.apps import AppConfig


class OrglifeConfig(AppConfig):
    name = "zuzhi.orglife"
    label = "orglife"
    verbose_name = "组织生活"
