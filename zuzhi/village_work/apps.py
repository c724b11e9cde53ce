from django.apps import AppConfig


class VillageWorkConfig(AppConfig):
    name = "zuzhi.village_work"
    label = "village_work"
    verbose_name = "驻村工作"
