"""Open challenges (揭榜挂帅): an employer's technical problem put out with a reward; persons
or teams apply (揭榜申请) with a proposal; the office with named experts scores the
applications, picks the winner (揭榜成功) with a reason, and tracks the winner's milestones
(攻关节点) and the payments (奖励拨付) against them until completion.

Money is integer fen. Visibility is the talent office's (talent.scoping)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from zuzhi.core.fields import (
    BlindIndexField,
    EncryptedCharField,
    MaskedField,
    SealedModel,
    SealedQuerySetMixin,
)
from zuzhi.core.money import yuan
from zuzhi.talent.scoping import TalentQuerySet


class ChallengeState(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "揭榜中"
    REVIEWING = "reviewing", "评审中"
    AWARDED = "awarded", "已确定揭榜方"
    IN_PROGRESS = "in_progress", "攻关中"
    COMPLETED = "completed", "已完成"
    CLOSED = "closed", "未揭榜关闭"


# The states the public page shows: a draft never is.
PUBLIC_STATES = (
    ChallengeState.PUBLISHED,
    ChallengeState.REVIEWING,
    ChallengeState.AWARDED,
    ChallengeState.IN_PROGRESS,
    ChallengeState.COMPLETED,
)


class Challenge(models.Model):
    """A challenge list entry (揭榜挂帅榜单)."""

    scope_path_field = "county__path"

    county = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="所属县"
    )
    title = models.CharField("榜单名称", max_length=100)
    problem = models.TextField("需求描述", help_text="要解决的技术难题和预期目标")
    owner_company = models.CharField("发榜单位", max_length=128)
    industry = models.CharField("所属产业", max_length=64, blank=True)
    reward_fen = models.PositiveBigIntegerField("奖励金额（分）")
    deadline = models.DateField("揭榜截止日期")
    state = models.CharField(
        "状态", max_length=12, choices=ChallengeState.choices, default=ChallengeState.DRAFT
    )
    published_on = models.DateField("发榜日期", null=True, blank=True)
    winner = models.ForeignKey(
        "ChallengeApplication",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="揭榜方",
    )
    award_reason = models.TextField("确定揭榜方的理由", blank=True)
    awarded_on = models.DateField("揭榜成功日期", null=True, blank=True)
    closed_reason = models.TextField("关闭原因", blank=True)
    completed_on = models.DateField("完成日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = TalentQuerySet.as_manager()

    class Meta:
        verbose_name = "揭榜挂帅榜单"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["county", "state"])]

    def __str__(self) -> str:
        return self.title

    @property
    def reward_yuan(self) -> str:
        return yuan(self.reward_fen)

    @property
    def paid_yuan(self) -> str:
        """The total paid, where the selectors annotated it (`paid_fen`)."""
        return yuan(self.paid_fen)


class SealedApplicationQuerySet(SealedQuerySetMixin, TalentQuerySet):
    """Applications: the talent office's visibility; the contact phone is encrypted."""


class ChallengeApplication(SealedModel):
    """An application to take the challenge (揭榜申请), by a person or a team, entered by
    the office."""

    scope_path_field = "challenge__county__path"

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="applications", verbose_name="榜单"
    )
    applicant = models.CharField("揭榜方", max_length=128, help_text="个人姓名或团队名称")
    is_team = models.BooleanField("团队揭榜", default=False)
    employer = models.CharField("依托单位", max_length=128, blank=True)
    contact_name = models.CharField("联系人", max_length=32)
    # Encrypted at rest (core.fields): lists show the masked copy.
    contact_phone = EncryptedCharField(
        "联系电话",
        kind="phone",
        max_length=20,
        blank=True,
        index_field="contact_phone_index",
        masked_field="contact_phone_masked",
    )
    contact_phone_index = BlindIndexField("联系电话（盲索引）", source="contact_phone")
    contact_phone_masked = MaskedField("联系电话（脱敏）", source="contact_phone")
    proposal = models.TextField("揭榜方案")
    submitted_on = models.DateField("申请日期")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = SealedApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = "揭榜申请"
        verbose_name_plural = verbose_name
        ordering = ["submitted_on", "id"]

    def __str__(self) -> str:
        return self.applicant


class ChallengeTeamMember(models.Model):
    """A member of the applying team (团队成员)."""

    scope_path_field = "application__challenge__county__path"

    application = models.ForeignKey(
        ChallengeApplication,
        on_delete=models.CASCADE,
        related_name="members",
        verbose_name="揭榜申请",
    )
    name = models.CharField("姓名", max_length=32)
    employer = models.CharField("工作单位", max_length=128, blank=True)
    duty = models.CharField("分工", max_length=64, blank=True)

    objects = TalentQuerySet.as_manager()

    class Meta:
        verbose_name = "揭榜团队成员"
        verbose_name_plural = verbose_name
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ChallengeProposalFile(models.Model):
    """A file of the proposal (方案附件); never public."""

    scope_path_field = "application__challenge__county__path"

    application = models.ForeignKey(
        ChallengeApplication,
        on_delete=models.CASCADE,
        related_name="files",
        verbose_name="揭榜申请",
    )
    file = models.FileField("文件", upload_to="challenges/%Y/%m/")
    name = models.CharField("文件名", max_length=255)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    objects = TalentQuerySet.as_manager()

    class Meta:
        verbose_name = "揭榜方案附件"
        verbose_name_plural = verbose_name
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ChallengeReviewer(models.Model):
    """A named expert of the challenge's review (评审专家)."""

    scope_path_field = "challenge__county__path"

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="reviewers", verbose_name="榜单"
    )
    name = models.CharField("专家姓名", max_length=32)
    affiliation = models.CharField("工作单位及职称", max_length=128, blank=True)

    objects = TalentQuerySet.as_manager()

    class Meta:
        verbose_name = "揭榜评审专家"
        verbose_name_plural = verbose_name
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "name"], name="one_reviewer_name_per_challenge"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ChallengeScore(models.Model):
    """One expert's score of one application (评审打分), 0–100."""

    scope_path_field = "application__challenge__county__path"

    application = models.ForeignKey(
        ChallengeApplication,
        on_delete=models.CASCADE,
        related_name="scores",
        verbose_name="揭榜申请",
    )
    reviewer = models.ForeignKey(
        ChallengeReviewer, on_delete=models.CASCADE, related_name="scores", verbose_name="评审专家"
    )
    score = models.DecimalField(
        "评分",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    comment = models.CharField("评语", max_length=500, blank=True)

    objects = TalentQuerySet.as_manager()

    class Meta:
        verbose_name = "揭榜评分"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="one_score_per_reviewer_and_application"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.application}：{self.score}"


class ChallengeMilestone(models.Model):
    """A milestone of the winner's work (攻关节点): due, done, with its evidence."""

    scope_path_field = "challenge__county__path"

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="milestones", verbose_name="榜单"
    )
    title = models.CharField("节点名称", max_length=100)
    due_on = models.DateField("计划完成日期")
    done_on = models.DateField("实际完成日期", null=True, blank=True)
    evidence = models.TextField("完成情况及佐证", blank=True)
    evidence_file = models.FileField("佐证材料", upload_to="challenges/evidence/%Y/", blank=True)

    objects = TalentQuerySet.as_manager()

    class Meta:
        verbose_name = "揭榜攻关节点"
        verbose_name_plural = verbose_name
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class ChallengePayment(models.Model):
    """A payment of the reward (奖励拨付) against a milestone, in fen. The total paid never
    exceeds the challenge's reward (services.payment_record)."""

    scope_path_field = "challenge__county__path"

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="payments", verbose_name="榜单"
    )
    milestone = models.ForeignKey(
        ChallengeMilestone,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name="对应节点",
    )
    amount_fen = models.PositiveBigIntegerField("拨付金额（分）")
    paid_on = models.DateField("拨付日期")
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = TalentQuerySet.as_manager()

    class Meta:
        verbose_name = "揭榜奖励拨付"
        verbose_name_plural = verbose_name
        ordering = ["paid_on", "id"]

    def __str__(self) -> str:
        return f"{self.challenge} {self.amount_yuan} 元"

    @property
    def amount_yuan(self) -> str:
        return yuan(self.amount_fen)
