from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "zuzhi.training"
    label = "training"
    verbose_name = "教育培训"
