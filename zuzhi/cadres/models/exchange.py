"""An uploaded `.lrmx` file or zip on its way into the registry (干部任免审批表导入)."""

import uuid

from django.conf import settings
from django.db import models

from .scoping import CadreQuerySet


class LrmxImport(models.Model):
    """One upload: checked and previewed (new or updated cadre, field by field), then
    confirmed whole or not at all. Seen by its uploader and the cadre section above its unit."""

    class Status(models.TextChoices):
        INVALID = "invalid", "有错误"
        READY = "ready", "待确认"
        QUEUED = "queued", "排队中"
        RUNNING = "running", "导入中"
        DONE = "done", "已导入"
        FAILED = "failed", "失败"

    scope_path_field = "organization__path"
    own_field = "created_by"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="新增干部所在单位",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField("文件名", max_length=255)
    content = models.BinaryField()
    status = models.CharField("状态", max_length=12, choices=Status.choices)
    # Per file: name, outcome (new / update / unchanged / error), the cadre, changes, errors.
    items = models.JSONField(default=list)
    summary = models.JSONField(default=dict)
    queued_at = models.DateTimeField("排队时间", null=True, blank=True)
    confirmed_at = models.DateTimeField("导入时间", null=True, blank=True)

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "任免审批表导入"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename
