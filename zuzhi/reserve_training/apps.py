from django.apps import AppConfig


class ReserveTrainingConfig(AppConfig):
    name = "zuzhi.reserve_training"
    label = "reserve_training"
    verbose_name = "后备力量培养"
