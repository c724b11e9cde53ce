from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zuzhi.accounts"
    label = "accounts"
    verbose_name = "账号与权限"
