"""Talent subsidies as data (人才补贴): a policy is configuration (who qualifies, how much a
month by degree, for how long); applications with evidence are approved by the talent office;
each month a payroll run (发放批次) computes the ledger in fen, is approved once and is then
locked; corrections (补发/扣回) are lines of a later run, never edits of a locked one.

Visibility is the talent office's (talent/scoping.py); a talent with an account sees their own
ledger lines (`own_field`)."""

from django.conf import settings
from django.db import models

from zuzhi.core.fields import (
    BlindIndexField,
    EncryptedCharField,
    MaskedField,
    SealedModel,
)
from zuzhi.talent.models import Degree
from zuzhi.talent.scoping import SealedTalentQuerySet, TalentQuerySet

# The seed's table (淮源英才计划): yuan a month, stored in fen.
DEFAULT_AMOUNTS_FEN = {
    Degree.DOCTOR.value: 500_000,
    Degree.MASTER.value: 300_000,
    Degree.BACHELOR.value: 100_000,
}


class SubsidyPolicy(models.Model):
    """A subsidy policy (补贴政策). Who qualifies: the degrees in `amounts_fen` (博士 5,000
    元/月…; a degree absent from the table does not qualify), the age at arrival, an employer
    in the county, the arrival date window. Paid for `duration_months` months from the first
    paid month (see rules.py for the start and stop rules)."""

    scope_path_field = "county__path"

    county = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="所属县"
    )
    name = models.CharField("政策名称", max_length=128)
    amounts_fen = models.JSONField("每月补贴标准（分，按学历学位）", default=dict)
    max_age_at_arrival = models.PositiveSmallIntegerField(
        "来县工作时年龄上限（周岁）", null=True, blank=True
    )
    require_county_employer = models.BooleanField("须在本县单位工作", default=True)
    arrived_from = models.DateField("来县工作时间起", null=True, blank=True)
    arrived_until = models.DateField("来县工作时间止", null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField("发放期限（月）", default=36)
    active = models.BooleanField("受理申请", default=True)
    note = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = TalentQuerySet.as_manager()

    class Meta:
        verbose_name = "人才补贴政策"
        verbose_name_plural = verbose_name
        ordering = ["-active", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="one_subsidy_policy_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def amounts_shown(self) -> list[tuple[str, int]]:
        """(degree label, fen a month), in the order of the degrees."""
        return [
            (label, self.amounts_fen[d]) for d, label in Degree.choices if d in self.amounts_fen
        ]


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "待审核"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "未通过"


class SubsidyApplication(SealedModel):
    """An application for a policy's subsidy (补贴申请) of a talent of the registry, with its
    evidence (学位证书, 劳动合同) and the bank account the subsidy is paid to. On approval the
    degree paid for and the first and last months are fixed."""

    scope_path_field = "talent__county__path"
    own_field = "talent__user"

    policy = models.ForeignKey(
        SubsidyPolicy, on_delete=models.PROTECT, related_name="applications", verbose_name="政策"
    )
    talent = models.ForeignKey(
        "talent.Talent",
        on_delete=models.PROTECT,
        related_name="subsidy_applications",
        verbose_name="人才",
    )
    employer_in_county = models.BooleanField("用人单位在本县（已核实）", default=False)
    bank_name = models.CharField("开户银行", max_length=64)
    # Encrypted at rest (core.fields): lists show the masked copy; the finance sheet of a run
    # carries the account in full (its lines copy it when the run is computed).
    bank_account = EncryptedCharField(
        "银行账号",
        kind="bank_account",
        max_length=32,
        index_field="bank_account_index",
        masked_field="bank_account_masked",
    )
    bank_account_index = BlindIndexField("银行账号（盲索引）", source="bank_account")
    # As long as the account: its mask keeps every character (6228***…8901).
    bank_account_masked = MaskedField("银行账号（脱敏）", source="bank_account", max_length=32)
    degree_certificate = models.FileField(
        "学历学位证书", upload_to="subsidies/%Y/%m/", blank=True, max_length=200
    )
    labour_contract = models.FileField(
        "劳动合同", upload_to="subsidies/%Y/%m/", blank=True, max_length=200
    )
    status = models.CharField(
        "状态",
        max_length=12,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    degree = models.CharField(
        "补贴学历学位", max_length=12, choices=Degree.choices, blank=True, editable=False
    )
    first_month = models.DateField("首个发放月份", null=True, blank=True, editable=False)
    last_month = models.DateField("最后发放月份", null=True, blank=True, editable=False)
    reject_reason = models.CharField("未通过原因", max_length=200, blank=True)
    submitted_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="审核人",
    )

    objects = SealedTalentQuerySet.as_manager()

    class Meta:
        verbose_name = "人才补贴申请"
        verbose_name_plural = verbose_name
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "talent"],
                condition=models.Q(status__in=["submitted", "approved"]),
                name="one_open_subsidy_application",
            )
        ]
        indexes = [models.Index(fields=["policy", "status", "first_month"])]

    def __str__(self) -> str:
        return f"{self.talent.name}：{self.policy.name}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队计算"
    COMPUTING = "computing", "计算中"
    DRAFT = "draft", "待审核"
    APPROVED = "approved", "已审核（锁定）"
    FAILED = "failed", "计算失败"


class SubsidyRun(models.Model):
    """A month's payroll run of a policy (发放批次): one per policy and month. Computed (by the
    worker when large), then approved once and locked."""

    scope_path_field = "policy__county__path"

    policy = models.ForeignKey(
        SubsidyPolicy, on_delete=models.PROTECT, related_name="runs", verbose_name="政策"
    )
    month = models.DateField("发放月份")
    status = models.CharField(
        "状态", max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    recipients = models.PositiveIntegerField("待计算人数", default=0)
    paid_count = models.PositiveIntegerField("发放人数", default=0)
    stopped_count = models.PositiveIntegerField("停发人数", default=0)
    total_fen = models.BigIntegerField("合计（分）", default=0)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="生成人",
    )
    queued_at = models.DateTimeField("排队时间", null=True, blank=True)
    computed_at = models.DateTimeField("计算时间", null=True, blank=True)
    approved_at = models.DateTimeField("审核时间", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="审核人",
    )

    objects = TalentQuerySet.as_manager()

    class Meta:
        verbose_name = "人才补贴发放批次"
        verbose_name_plural = verbose_name
        ordering = ["-month", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "month"], name="one_subsidy_run_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.policy.name} {self.month.year}年{self.month.month}月"

    @property
    def locked(self) -> bool:
        return self.status == RunStatus.APPROVED


class LineKind(models.TextChoices):
    REGULAR = "regular", "正常发放"
    STOPPED = "stopped", "停发"
    BACK_PAY = "back_pay", "补发"
    RECOVERY = "recovery", "扣回"


class SubsidyCorrection(models.Model):
    """A correction (补发/扣回) of a month already paid by a locked run: a signed amount in fen
    with its reason, paid or recovered as a line of the next run of the policy."""

    scope_path_field = "application__talent__county__path"
    own_field = "application__talent__user"

    application = models.ForeignKey(
        SubsidyApplication,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name="申请",
    )
    month = models.DateField("更正月份")
    amount_fen = models.BigIntegerField("金额（分，扣回为负）")
    reason = models.CharField("原因", max_length=200)
    run = models.ForeignKey(
        SubsidyRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="corrections",
        verbose_name="计入批次",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="登记人",
    )

    objects = TalentQuerySet.as_manager()

    class Meta:
        verbose_name = "人才补贴更正"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.application.talent.name} {self.month.year}年{self.month.month}月更正"


class SubsidyLine(SealedModel):
    """A ledger line of a run (发放明细): a recipient paid for the run's month at their
    degree's amount, stopped (停发, amount 0, the reason in `note`), or a correction of an
    earlier month (补发 positive, 扣回 negative), `month` naming the month it corrects."""

    scope_path_field = "run__policy__county__path"
    own_field = "talent__user"

    run = models.ForeignKey(
        SubsidyRun, on_delete=models.CASCADE, related_name="lines", verbose_name="批次"
    )
    application = models.ForeignKey(
        SubsidyApplication, on_delete=models.PROTECT, related_name="lines", verbose_name="申请"
    )
    talent = models.ForeignKey(
        "talent.Talent", on_delete=models.PROTECT, related_name="+", verbose_name="人才"
    )
    kind = models.CharField("类型", max_length=12, choices=LineKind.choices)
    month = models.DateField("补贴月份")
    degree = models.CharField("学历学位", max_length=12, choices=Degree.choices, blank=True)
    amount_fen = models.BigIntegerField("金额（分）", default=0)
    correction = models.OneToOneField(
        SubsidyCorrection,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="line",
        verbose_name="更正",
    )
    note = models.CharField("备注", max_length=200, blank=True)
    # The payee as the run was computed: an approved run's sheet stays what was paid, whatever
    # is corrected in the registry or the application later.
    payee_name = models.CharField("收款人姓名", max_length=32, blank=True)
    # Encrypted at rest like the application's; revealed only on the finance sheet.
    payee_id_number = EncryptedCharField(
        "收款人公民身份号码",
        kind="id_number",
        max_length=18,
        blank=True,
        index_field="payee_id_number_index",
        masked_field="payee_id_number_masked",
    )
    payee_id_number_index = BlindIndexField(
        "收款人公民身份号码（盲索引）", source="payee_id_number"
    )
    payee_id_number_masked = MaskedField("收款人公民身份号码（脱敏）", source="payee_id_number")
    bank_name = models.CharField("开户银行", max_length=64, blank=True)
    bank_account = EncryptedCharField(
        "银行账号",
        kind="bank_account",
        max_length=32,
        blank=True,
        index_field="bank_account_index",
        masked_field="bank_account_masked",
    )
    bank_account_index = BlindIndexField("银行账号（盲索引）", source="bank_account")
    # As long as the account: its mask keeps every character (6228***…8901).
    bank_account_masked = MaskedField("银行账号（脱敏）", source="bank_account", max_length=32)

    objects = SealedTalentQuerySet.as_manager()

    class Meta:
        verbose_name = "人才补贴发放明细"
        verbose_name_plural = verbose_name
        ordering = ["run", "id"]
        indexes = [models.Index(fields=["run", "kind"]), models.Index(fields=["talent", "month"])]

    def __str__(self) -> str:
        return f"{self.talent.name} {self.month.year}年{self.month.month}月"
