from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "zuzhi.demo"
    label = "demo"
    verbose_name = "示范县演示数据"
