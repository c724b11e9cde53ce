from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    name = "zuzhi.households"
    verbose_name = "党员联户"
