from django.apps import AppConfig


class ApartmentsConfig(AppConfig):
    name = "zuzhi.apartments"
    label = "apartments"
    verbose_name = "人才公寓"
