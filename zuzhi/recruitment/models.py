from django.conf import settings
from django.db import models

from zuzhi.core.fields import (
    BlindIndexField,
    EncryptedCharField,
    MaskedField,
    SealedModel,
    SealedScopedQuerySet,
)


class Stage(models.TextChoices):
    APPLICANT = "applicant", "入党申请人"
    ACTIVIST = "activist", "入党积极分子"
    TARGET = "target", "发展对象"
    PROBATIONARY = "probationary", "预备党员"
    FULL = "full", "正式党员"
    WITHDRAWN = "withdrawn", "已终止"


class Candidate(SealedModel):
    """A person on the way into the Party (发展党员), from application to full membership.
    Each step is dated; the member record is created from this one when they are admitted."""

    scope_path_field = "organization__path"

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="candidates",
        verbose_name="培养党组织",
    )
    name = models.CharField("姓名", max_length=32)
    # Encrypted at rest (core.fields): one candidate per person, kept unique on the blind
    # index, which is the member registry's too (a candidate is matched with members in SQL).
    id_number = EncryptedCharField(
        "公民身份号码",
        kind="id_number",
        max_length=18,
        index_field="id_number_index",
        masked_field="id_number_masked",
    )
    id_number_index = BlindIndexField(
        "公民身份号码（盲索引）",
        source="id_number",
        unique=True,
        error_messages={"unique": "此人已在发展党员程序中。"},
    )
    id_number_masked = MaskedField("公民身份号码（脱敏）", source="id_number")
    ethnicity = models.CharField("民族", max_length=2)
    education = models.CharField("学历", max_length=4, blank=True)
    phone = EncryptedCharField(
        "联系电话",
        kind="phone",
        max_length=20,
        blank=True,
        index_field="phone_index",
        masked_field="phone_masked",
    )
    phone_index = BlindIndexField("联系电话（盲索引）", source="phone")
    phone_masked = MaskedField("联系电话（脱敏）", source="phone")
    category = models.CharField("人员类别", max_length=16, default="other")
    work_unit = models.CharField("工作单位及职务", max_length=128, blank=True)
    stage = models.CharField("阶段", max_length=16, choices=Stage.choices, default=Stage.APPLICANT)
    applied_on = models.DateField("递交入党申请书日期")
    activist_on = models.DateField("确定为入党积极分子日期", null=True, blank=True)
    target_on = models.DateField("确定为发展对象日期", null=True, blank=True)
    admitted_on = models.DateField("接收为预备党员日期", null=True, blank=True)
    extension_months = models.PositiveSmallIntegerField("延长预备期（月）", default=0)
    full_on = models.DateField("转为正式党员日期", null=True, blank=True)
    member = models.OneToOneField(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="candidate"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SealedScopedQuerySet.as_manager()

    class Meta:
        ordering = ["stage", "applied_on"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_stage_display()}）"
