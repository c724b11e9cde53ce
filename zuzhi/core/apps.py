from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "zuzhi.core"
    label = "core"
    verbose_name = "平台核心"

    def ready(self):
        # Registers the system check of encrypted fields and their key (zuzhi.E100–E102).
        from . import fields  # noqa: F401
        from .audit_guard import audit_guard_after_migrate

        post_migrate.connect(audit_guard_after_migrate, sender=self)
