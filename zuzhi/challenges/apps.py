from django.apps import AppConfig


class ChallengesConfig(AppConfig):
    name = "zuzhi.challenges"
    label = "challenges"
    verbose_name = "揭榜挂帅"
