from django.apps import AppConfig


class TeamAppraisalConfig(AppConfig):
    name = "zuzhi.team_appraisal"
    label = "team_appraisal"
    verbose_name = "领导班子民主测评"
