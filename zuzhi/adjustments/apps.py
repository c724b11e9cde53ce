from django.apps import AppConfig


class AdjustmentsConfig(AppConfig):
    name = "zuzhi.adjustments"
    label = "adjustments"
    verbose_name = "五个即调"
