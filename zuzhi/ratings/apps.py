from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "zuzhi.ratings"
    label = "ratings"
    verbose_name = "星级评定"
