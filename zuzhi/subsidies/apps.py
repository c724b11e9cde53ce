from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    name = "zuzhi.subsidies"
    label = "subsidies"
    verbose_name = "人才补贴"
