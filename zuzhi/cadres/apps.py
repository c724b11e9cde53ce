from django.apps import AppConfig


class CadresConfig(AppConfig):
    name = "zuzhi.cadres"
    label = "cadres"
    verbose_name = "干部"
