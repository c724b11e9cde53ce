from django.apps import AppConfig


class ContestsConfig(AppConfig):
    name = "zuzhi.contests"
    label = "contests"
    verbose_name = "考评与竞赛"
