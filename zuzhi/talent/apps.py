from django.apps import AppConfig


class TalentConfig(AppConfig):
    name = "zuzhi.talent"
    verbose_name = "人才"
