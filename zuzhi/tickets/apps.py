from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "zuzhi.tickets"
    verbose_name = "联户服务诉求"
