from django.apps import AppConfig


class PromotionsConfig(AppConfig):
    name = "zuzhi.promotions"
    label = "promotions"
    verbose_name = "考核与职级晋升"
