import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    CREATE = "create", "新增"
    UPDATE = "update", "修改"
    DELETE = "delete", "删除"
    MOVE = "move", "移动"
    IMPORT = "import", "导入"
    EXPORT = "export", "导出"
    LOGIN = "login", "登录成功"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOGIN_LOCKED = "login_locked", "登录被锁定"
    LOGOUT = "logout", "退出登录"
    PERMISSION_DENIED = "permission_denied", "越权访问"
    VIEW_PERSONAL = "view_personal", "查看未脱敏个人信息"
    PASSWORD_CHANGE = "password_change", "修改密码"
    TOKEN_ISSUE = "token_issue", "签发接口令牌"
    BACKUP = "backup", "备份"
    RESTORE = "restore", "恢复"


class AppendOnlyQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        # Log rows are queued for their seal as they are written, and seals are chained under
        # the sealer's lock (core.audit_chain): rows written by the ORM would never be sealed.
        raise PermissionError("审计日志只能由 audit_record 写入。")

    def update(self, **kwargs):
        raise PermissionError("审计日志只能追加，不能修改。")

    def delete(self):
        raise PermissionError("审计日志只能追加，不能删除。")


class AuditLog(models.Model):
    """One append-only change-log row (操作日志): who did what, when, from where."""

    time = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_username = models.CharField("操作人", max_length=150, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    action = models.CharField("操作", max_length=32, choices=AuditAction.choices)
    target_type = models.CharField("对象类型", max_length=64, blank=True)
    target_id = models.CharField("对象编号", max_length=64, blank=True)
    target_repr = models.CharField("对象", max_length=255, blank=True)
    # Path of the organization the target belongs to: the log is scoped like the data.
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    message = models.TextField("说明", blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-time", "-id"]
        # The audit log's filters (core.selectors.audit_list), newest first within each.
        indexes = [
            models.Index(fields=["target_type", "target_id", "-time"]),
            models.Index(fields=["actor_username", "-time"], name="audit_actor_time"),
            models.Index(fields=["action", "-time"], name="audit_action_time"),
            # Names match from their start: PostgreSQL needs the pattern operator class for
            # LIKE 'x%' under a non-C collation (other databases ignore it).
            models.Index(
                fields=["target_repr"], name="audit_target_name", opclasses=["varchar_pattern_ops"]
            ),
        ]
        verbose_name = "审计日志"

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.actor_username} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计日志只能追加，不能修改。")
        raise PermissionError("审计日志只能由 audit_record 写入。")  # it queues the row's seal

    def delete(self, *args, **kwargs):
        raise PermissionError("审计日志只能追加，不能删除。")


class AuditSeal(models.Model):
    """The seal of one audit row (审计日志封存): its content's hash, chained to the seal before
    it (core.audit_chain). The chain follows `seq`, the order of sealing, because log ids are
    not committed in their order on PostgreSQL. Insert-only, like the log."""

    seq = models.BigIntegerField("序号", primary_key=True)
    # PROTECT and the database's foreign key: a sealed log row cannot be deleted alone.
    log = models.OneToOneField(AuditLog, on_delete=models.PROTECT, related_name="seal")
    row_hash = models.CharField("内容哈希", max_length=64)
    chain_hash = models.CharField("链哈希", max_length=64)
    sealed_at = models.DateTimeField("封存时间", auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志封存"

    def __str__(self) -> str:
        return f"#{self.seq}"


class AuditPending(models.Model):
    """An audit row waiting for its seal (待封存): written with the row, deleted when sealed,
    so that the sealer reads a short queue instead of searching the whole log."""

    # No foreign key in the database: its check on every queued row cost as much as the
    # queue itself, and the sealer drops an entry whose row is gone.
    log = models.OneToOneField(
        AuditLog,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        verbose_name = "待封存审计日志"

    def __str__(self) -> str:
        return f"#{self.log_id}"


class CodeItem(models.Model):
    """An entry of an official code table (代码表), loaded from DmGrp.xml."""

    table = models.CharField("代码表", max_length=16)
    table_name = models.CharField("代码表名称", max_length=64)
    code = models.CharField("代码", max_length=16)
    name = models.CharField("名称", max_length=128)
    initials = models.CharField("拼音首字母", max_length=32, blank=True)
    parent_code = models.CharField("上级代码", max_length=16, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["table", "code"], name="uniq_code_item")]
        ordering = ["table", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ImportJob(models.Model):
    """An uploaded Excel file on its way in (导入任务): validated, previewed, confirmed."""

    class Status(models.TextChoices):
        INVALID = "invalid", "有错误"
        CHOOSE_SHEET = "choose_sheet", "待选择工作表"
        READY = "ready", "待确认"
        QUEUED = "queued", "排队中"
        RUNNING = "running", "导入中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=32)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    status = models.CharField(max_length=16, choices=Status.choices)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    summary = models.JSONField(default=dict)
    # What the preview tells besides errors: the sheet read, rows skipped, cells changed.
    notices = models.JSONField(default=list)
    # Updates of existing records, field by field (old → new), for the preview.
    changes = models.JSONField(default=list)
    # Rows whose update changes who someone is (name, birth date, gender): written only when
    # the uploader ticks them on the preview (confirmed_rows).
    identity_rows = models.JSONField(default=list)
    confirmed_rows = models.JSONField(default=list)
    # Which import of a kind (e.g. the contest of an indicator sheet), and which sheet of the file.
    params = models.JSONField(default=dict)
    sheet_name = models.CharField(max_length=255, blank=True)
    sheet_choices = models.JSONField(default=list)
    queued_at = models.DateTimeField(null=True, blank=True)
    # The file of a refused or unconfirmed job is kept this long (for the marked copy and a
    # re-check), then dropped: it holds personal data.
    kept_until = models.DateTimeField(null=True, blank=True, db_index=True)
    # The rows a clean preview read (core.parsed), so the confirm need not read the file again.
    parsed = models.BinaryField(default=b"")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_status_display()}）"


class ExportJob(models.Model):
    """An export too large for the request (导出任务): the task worker writes it to a file under
    settings.ZUZHI_EXPORT_DIR, which only the user who asked for it may download."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "导出中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The exporter (settings.ZUZHI_EXPORTERS) and the list's query string, read again in the
    # worker as the user: the same filters and scope as the page.
    kind = models.CharField(max_length=32)
    params = models.JSONField(default=dict)
    # The list page asked from: named in the audit rows and linked back to.
    page_path = models.CharField(max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    org_path = models.CharField(max_length=255, blank=True)
    filename = models.CharField("文件名", max_length=255)
    target_type = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    # The written file's name in ZUZHI_EXPORT_DIR; emptied when the file is deleted.
    file_name = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True, db_index=True)
    error = models.TextField("失败原因", blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="export_job_user")]
        verbose_name = "导出任务"

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_status_display()}）"

    @property
    def is_report(self) -> bool:
        """A report (settings.ZUZHI_REPORTS): its size is the members it counts, not rows."""
        return self.kind in settings.ZUZHI_REPORTS

    @property
    def page_url(self) -> str:
        """The page asked from, with the parameters of the export."""
        if not self.params:
            return self.page_path
        return f"{self.page_path}?{urlencode(self.params, doseq=True)}"
