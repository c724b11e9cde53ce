from django.apps import AppConfig


class PartyStatsConfig(AppConfig):
    name = "zuzhi.party_stats"
    label = "party_stats"
    verbose_name = "党内统计"
