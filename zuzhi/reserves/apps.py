from django.apps import AppConfig


class ReservesConfig(AppConfig):
    name = "zuzhi.reserves"
    label = "reserves"
    verbose_name = "村级后备力量"
