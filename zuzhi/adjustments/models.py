"""Adjustment cases of the five triggers (五个即调): a rule finds a cause (a post vacant too
long, a discipline record, a bottom ranking, a person-post mismatch, inaction), a case opens
for the cadre section to review and decide. The cadre section's only: no `own_field`, a cadre
never sees the cases about them."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from zuzhi.cadres.models.scoping import CadreQuerySet

USER = settings.AUTH_USER_MODEL


class Trigger(models.TextChoices):
    VACANT_POST = "vacant_post", "职务空缺即调"
    DISCIPLINE = "discipline", "纪法出事即调"
    BOTTOM = "bottom", "业绩倒数即调"
    MISMATCH = "mismatch", "人岗不适即调"
    INACTION = "inaction", "躺平无为即调"


class CaseStatus(models.TextChoices):
    OPEN = "open", "待研判"
    DECIDED = "decided", "已处理"


class Decision(models.TextChoices):
    ADJUST_POST = "adjust_post", "调整岗位"
    REMOVE = "remove", "免职"
    ADMONISH = "admonish", "诫勉谈话"
    KEEP = "keep", "保留现职（说明理由）"


class AdjustmentCase(models.Model):
    """One case (调整研判案件) per subject and trigger while open: a later cause of the same
    trigger joins the open case as more evidence. The subject is a cadre, or, for a vacant
    post, the team post (`subject` holds "cadre:<id>" or "post:<id>" for the uniqueness)."""

    scope_path_field = "organization__path"

    trigger = models.CharField("触发情形", max_length=16, choices=Trigger.choices)
    subject = models.CharField(max_length=32)
    cadre = models.ForeignKey(
        "cadres.Cadre",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adjustment_cases",
        verbose_name="干部",
    )
    team_post = models.ForeignKey(
        "cadres.TeamPost",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adjustment_cases",
        verbose_name="空缺职位",
    )
    # The cadre's unit or the team's organization when the case opened: what scopes it.
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="单位"
    )
    title = models.CharField("事由", max_length=255)
    status = models.CharField(
        "状态", max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    opened_at = models.DateTimeField("启动时间", auto_now_add=True)
    opened_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField("处理决定", max_length=12, choices=Decision.choices, blank=True)
    decision_reason = models.TextField("决定理由", blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "调整研判案件"
        indexes = [
            models.Index(fields=["status", "trigger"]),
            models.Index(fields=["organization", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["trigger", "subject"],
                condition=Q(status="open"),
                name="uniq_adjustment_case_open",
            ),
            models.CheckConstraint(
                condition=Q(cadre__isnull=False) | Q(team_post__isnull=False),
                name="adjustment_case_has_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()}：{self.title}"[:255]


class CaseCause(models.Model):
    """One cause found by a trigger (触发依据). (trigger, subject, key) is unique: the same
    cause never opens or joins a case twice, even after its case was decided."""

    scope_path_field = "case__organization__path"

    case = models.ForeignKey(AdjustmentCase, on_delete=models.CASCADE, related_name="causes")
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    subject = models.CharField(max_length=32)
    # What the cause was taken from ("contest:12", "grade:2025", "supervision:7"…).
    key = models.CharField(max_length=64)
    text = models.CharField("依据", max_length=255)
    occurred_on = models.DateField("发生日期")
    found_at = models.DateTimeField("发现时间", auto_now_add=True)

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "触发依据"
        ordering = ["occurred_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["trigger", "subject", "key"], name="uniq_adjustment_cause"
            )
        ]

    def __str__(self) -> str:
        return self.text
