from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zuzhi.core"
    label = "core"
    verbose_name = "平台核心"

    def ready(self):
        # Registers the system check of encrypted fields and their key (zuzhi.E100–E102).
        from . import fields  # noqa: F401
