from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "zuzhi.dashboard"
    label = "dashboard"
    verbose_name = "首页统计"
