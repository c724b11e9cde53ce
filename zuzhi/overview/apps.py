from django.apps import AppConfig


class OverviewConfig(AppConfig):
    name = "zuzhi.overview"
    label = "overview"
    verbose_name = "全县概览与季度晾晒"
