from django.apps import AppConfig


class ReserveUseConfig(AppConfig):
    name = "zuzhi.reserve_use"
    label = "reserve_use"
    verbose_name = "村级后备力量使用"
