from django.conf import settings
from django.db import models

from zuzhi.core.scope import ScopedQuerySet

from .rules import DuesBasisKind


class DuesBasis(models.Model):
    """A member's dues basis for one year (党费基数核定): what they pay each month."""

    scope_path_field = "member__organization__path"

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="dues_bases"
    )
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("类别", max_length=16, choices=DuesBasisKind.choices)
    income_fen = models.BigIntegerField("税后月收入（分）", null=True, blank=True)
    monthly_fen = models.PositiveIntegerField("月缴党费（分）")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="one_dues_basis_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.year} 年党费基数"


class DuesPayment(models.Model):
    """One month's dues paid (党费收缴记录)."""

    scope_path_field = "member__organization__path"

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="dues_payments"
    )
    month = models.DateField("所属月份")  # always the first day of the month
    amount_fen = models.PositiveIntegerField("金额（分）")
    paid_on = models.DateField("交纳日期")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="one_dues_payment_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%Y-%m}"


class ExemptionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"


class DuesExemption(models.Model):
    """减免党费: a reduced (or no) amount for some months, approved one level up."""

    scope_path_field = "member__organization__path"

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="dues_exemptions"
    )
    first_month = models.DateField("起始月份")
    last_month = models.DateField("截止月份")
    monthly_fen = models.PositiveIntegerField("减免后月缴（分）", default=0)
    reason = models.CharField("原因", max_length=200)
    status = models.CharField(
        max_length=16, choices=ExemptionStatus.choices, default=ExemptionStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-first_month"]

    def __str__(self) -> str:
        return f"{self.member} {self.first_month:%Y-%m}–{self.last_month:%Y-%m} 减免"
