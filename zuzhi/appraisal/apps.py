from django.apps import AppConfig


class AppraisalConfig(AppConfig):
    name = "zuzhi.appraisal"
    label = "appraisal"
    verbose_name = "民主评议党员"
