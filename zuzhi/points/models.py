from django.conf import settings
from django.db import models

from zuzhi.core.scope import ScopedQuerySet


class RuleKind(models.TextChoices):
    BASE = "base", "基础分"
    BONUS = "bonus", "加分"
    DEDUCTION = "deduction", "减分"
    VETO = "veto", "一票否决"


class RuleSource(models.TextChoices):
    """Where a rule's entries come from: records already kept, or a manual entry."""

    YEARLY = "yearly", "每年自动计入"
    MEETING_ATTENDED = "meeting_attended", "参加组织生活（每次）"
    MEETING_ABSENT = "meeting_absent", "缺席组织生活（每次）"
    APPRAISAL_EXCELLENT = "appraisal_excellent", "民主评议优秀"
    APPRAISAL_BASIC = "appraisal_basic", "民主评议基本合格"
    APPRAISAL_UNQUALIFIED = "appraisal_unqualified", "民主评议不合格"
    MANUAL = "manual", "手工登记（须写明原因）"


class PointRule(models.Model):
    """A points rule (积分规则), configured by the county; entries follow from it."""

    name = models.CharField("名称", max_length=64)
    kind = models.CharField("类别", max_length=16, choices=RuleKind.choices)
    source = models.CharField("来源", max_length=32, choices=RuleSource.choices)
    points = models.IntegerField("分值")
    yearly_cap = models.PositiveIntegerField("每年上限（分）", null=True, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return self.name


class PointEntry(models.Model):
    """A manual points entry with its reason (积分登记), e.g. volunteering or a commendation."""

    scope_path_field = "member__organization__path"

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="point_entries"
    )
    rule = models.ForeignKey(PointRule, on_delete=models.PROTECT, related_name="entries")
    year = models.PositiveSmallIntegerField("年度")
    day = models.DateField("日期")
    points = models.IntegerField("分值")
    reason = models.CharField("原因", max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "-pk"]

    def __str__(self) -> str:
        return f"{self.member} {self.rule} {self.points:+d}"


class MemberYearPoints(models.Model):
    """A member's points of one year (年度积分) as the rules give them, kept by
    `points.tally` whenever a meeting, an appraisal or an entry changes them, so that branch
    summaries group kept totals instead of recomputing every member's year per request. A
    member without a row has only the yearly base points."""

    scope_path_field = "member__organization__path"

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="year_points", verbose_name="党员"
    )
    year = models.PositiveSmallIntegerField("年度")
    total = models.IntegerField("积分")
    vetoed = models.BooleanField("一票否决", default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "党员年度积分"
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="one_points_row_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.year}: {self.total}"
