from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "zuzhi.dues"
    label = "dues"
    verbose_name = "党费"
