"""County joint review (县级联审): the county sends a list of names to the participating
departments (纪委监委, 公安, 法院…), whose reviewers each clear or reject every name against
their own records; a name passes only when every department cleared it. One review serves
reserve cadres, the pre-appointment review of village committee candidates and the county
filing of village Party secretaries. Rejection reasons are the county's only."""

from django.conf import settings
from django.db import models

from zuzhi.core.fields import (
    BlindIndexField,
    EncryptedCharField,
    MaskedField,
    SealedModel,
    SealedScopedQuerySet,
)
from zuzhi.core.scope import ScopedQuerySet

USER = settings.AUTH_USER_MODEL


class Department(models.Model):
    """A participating department (联审部门); the list is configurable, twelve by default."""

    name = models.CharField("部门名称", max_length=64, unique=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("参与联审", default=True)

    class Meta:
        verbose_name = "联审部门"
        verbose_name_plural = verbose_name
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class ReviewerDepartment(models.Model):
    """Which department a reviewer account (联审部门审核人) answers for."""

    user = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="review_departments", verbose_name="审核人"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="reviewers", verbose_name="部门"
    )

    class Meta:
        verbose_name = "联审部门审核人"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["user", "department"], name="one_reviewer_department")
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.user}"


class RoundKind(models.TextChoices):
    RESERVE = "reserve", "村级后备干部联审"
    VILLAGE_COMMITTEE = "village_committee", "村“两委”成员任前县级联审"
    SECRETARY_FILING = "secretary_filing", "村党支部书记县级备案"


class RoundStatus(models.TextChoices):
    OPEN = "open", "联审中"
    CLOSED = "closed", "已结束"


class ReviewRound(models.Model):
    """One joint review round (联审批次) of a county, with its list of names."""

    scope_path_field = "organization__path"

    kind = models.CharField("联审类别", max_length=20, choices=RoundKind.choices)
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="县"
    )
    title = models.CharField("批次名称", max_length=128)
    deadline = models.DateField("反馈截止日期")
    status = models.CharField(
        "状态", max_length=8, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    departments = models.ManyToManyField(Department, related_name="rounds", verbose_name="参与部门")
    opened_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField("发起时间", auto_now_add=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "联审批次"
        verbose_name_plural = verbose_name
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ReviewItem(SealedModel):
    """One name in a round (联审对象). `source_type`/`source_id` name the record it came from
    (a reserve candidate, a committee candidate) without a foreign key, so the review stays
    independent of the apps that send lists into it."""

    scope_path_field = "round__organization__path"

    round = models.ForeignKey(
        ReviewRound, on_delete=models.CASCADE, related_name="items", verbose_name="批次"
    )
    name = models.CharField("姓名", max_length=64)
    # Encrypted at rest (core.fields): one name per number and round through the blind index,
    # the county's matrix shows the masked copy.
    id_number = EncryptedCharField(
        "公民身份号码",
        kind="id_number",
        max_length=18,
        index_field="id_number_index",
        masked_field="id_number_masked",
    )
    id_number_index = BlindIndexField("公民身份号码（盲索引）", source="id_number")
    id_number_masked = MaskedField("公民身份号码（脱敏）", source="id_number")
    village = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="村"
    )
    source_type = models.CharField("来源类型", max_length=64, blank=True)
    source_id = models.CharField("来源编号", max_length=64, blank=True)

    objects = SealedScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "联审对象"
        verbose_name_plural = verbose_name
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "id_number_index"], name="one_item_per_person")
        ]

    def __str__(self) -> str:
        return self.name


class Verdict(models.TextChoices):
    CLEARED = "cleared", "通过"
    REJECTED = "rejected", "不通过"


class Outcome(models.TextChoices):
    PASSED = "passed", "通过"
    REJECTED = "rejected", "未通过"
    PENDING = "pending", "待反馈"


class ReviewDecision(models.Model):
    """One department's answer on one name (部门意见); the reason of a rejection is
    confidential: the county reads it, the township never does."""

    scope_path_field = "item__round__organization__path"

    item = models.ForeignKey(
        ReviewItem, on_delete=models.CASCADE, related_name="decisions", verbose_name="联审对象"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="decisions", verbose_name="部门"
    )
    verdict = models.CharField("意见", max_length=8, choices=Verdict.choices)
    reason = models.TextField("不通过理由", blank=True)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("反馈时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "联审部门意见"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["item", "department"], name="one_decision_per_department"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.department}"
