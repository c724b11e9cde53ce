"""Self-nomination (自荐): a cadre proposes themself for a post, a rank or a reserve pool."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .scoping import CadreQuerySet


class NominationTarget(models.TextChoices):
    POST = "post", "职务"
    RANK = "rank", "职级"
    RESERVE_POOL = "reserve_pool", "后备干部库"


class NominationStatus(models.TextChoices):
    SUBMITTED = "submitted", "待单位提出意见"
    UNIT_REVIEWED = "unit_reviewed", "待干部科审核"
    ACCEPTED = "accepted", "已纳入考察视野"
    DECLINED = "declined", "未采纳"
    WITHDRAWN = "withdrawn", "已撤回"


class SelfNomination(models.Model):
    """A self-nomination: statement and evidence from the cadre, the unit's opinion, the cadre
    section's decision (accepted into the watch list 考察视野, or declined with a reason the
    cadre sees)."""

    scope_path_field = "cadre__organization__path"
    own_field = "cadre__user"

    cadre = models.ForeignKey(
        "cadres.Cadre", on_delete=models.CASCADE, related_name="self_nominations"
    )
    target_kind = models.CharField("自荐类别", max_length=16, choices=NominationTarget.choices)
    target = models.CharField("自荐职位或职级", max_length=128)
    statement = models.TextField("自荐理由")
    evidence = models.TextField("佐证材料", blank=True)
    # Files are served only through the nomination's own page (core.uploads), never publicly.
    evidence_file = models.FileField(
        "佐证材料文件", upload_to="cadres/nominations/%Y/%m/", blank=True
    )
    evidence_name = models.CharField("佐证材料文件名", max_length=200, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=NominationStatus.choices, default=NominationStatus.SUBMITTED
    )
    unit_opinion = models.TextField("单位意见", blank=True)
    unit_opinion_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit_opinion_at = models.DateTimeField("单位意见时间", null=True, blank=True)
    decision_reason = models.TextField("审核意见", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "干部自荐"
        ordering = ["-submitted_at", "-id"]
        constraints = [
            # One open nomination per target: a second one for the same post would be judged twice.
            models.UniqueConstraint(
                fields=["cadre", "target_kind", "target"],
                condition=Q(status__in=["submitted", "unit_reviewed"]),
                name="uniq_open_self_nomination",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cadre}：{self.target}"
