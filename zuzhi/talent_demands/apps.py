from django.apps import AppConfig


class TalentDemandsConfig(AppConfig):
    name = "zuzhi.talent_demands"
    label = "talent_demands"
    verbose_name = "高层次人才需求目录"
