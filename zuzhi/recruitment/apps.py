from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    name = "zuzhi.recruitment"
    label = "recruitment"
    verbose_name = "发展党员"
