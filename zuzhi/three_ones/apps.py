from django.apps import AppConfig


class ThreeOnesConfig(AppConfig):
    name = "zuzhi.three_ones"
    label = "three_ones"
    verbose_name = "三个一"
