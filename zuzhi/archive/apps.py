from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "zuzhi.archive"
    label = "archive"
    verbose_name = "实绩档案"
