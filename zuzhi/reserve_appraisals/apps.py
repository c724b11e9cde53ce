from django.apps import AppConfig


class ReserveAppraisalsConfig(AppConfig):
    name = "zuzhi.reserve_appraisals"
    label = "reserve_appraisals"
    verbose_name = "村级后备力量半年考评"
