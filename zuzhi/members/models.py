import datetime

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


def member_date_display(day: datetime.date | None, month_only: bool) -> str | None:
    """The one way a member's 入党日期 or 转正日期 is shown: `1985.03` when only the year
    and month are known (the stored day is a placeholder, never shown), `1985-03-15` for a
    full date, None for no date."""
    if day is None:
        return None
    return f"{day:%Y.%m}" if month_only else f"{day:%Y-%m-%d}"


class MemberStatus(models.TextChoices):
    FULL = "full", "正式党员"
    PROBATIONARY = "probationary", "预备党员"


class MemberCategory(models.TextChoices):
    """人员类别, as in the Party's annual statistics."""

    FARMER = "farmer", "农牧渔民"
    WORKER = "worker", "工人"
    CIVIL_SERVANT = "civil_servant", "党政机关工作人员"
    MANAGER = "manager", "企事业单位管理人员"
    PROFESSIONAL = "professional", "专业技术人员"
    STUDENT = "student", "学生"
    MILITARY = "military", "军人、武警"
    RETIRED = "retired", "离退休人员"
    OTHER = "other", "其他"


class Member(SealedModel):
    """A Party member (党员) in the registry. Codes come from the official code tables:
    gender GB22611, ethnicity GB3304, education ZB64."""

    scope_path_field = "organization__path"

    name = models.CharField("姓名", max_length=32)
    # Every initials reading of the name, space-separated (zuzhi.core.text.initials_index).
    name_initials = models.CharField(max_length=160, blank=True, db_index=True, editable=False)
    # Encrypted at rest (core.fields): searched and kept unique through the blind index,
    # shown masked from the masked copy; birth date and gender are derived at write time.
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
        error_messages={"unique": "该公民身份号码已登记，不能重复录入。"},
    )
    id_number_masked = MaskedField("公民身份号码（脱敏）", source="id_number")
    gender = models.CharField("性别", max_length=1)
    ethnicity = models.CharField("民族", max_length=2)
    birth_date = models.DateField("出生日期")
    education = models.CharField("学历", max_length=4, blank=True)
    join_date = models.DateField("入党日期")
    # Rosters often give only 年月 (`1985.03`): the date field then holds the first of that
    # month, and the day is neither shown nor used as a real day (see member_rules).
    join_date_month_only = models.BooleanField("入党日期只有年月", default=False)
    full_date = models.DateField("转正日期", null=True, blank=True)
    full_date_month_only = models.BooleanField("转正日期只有年月", default=False)
    status = models.CharField("党员状态", max_length=16, choices=MemberStatus.choices)
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name="所在党组织",
    )
    category = models.CharField(
        "人员类别", max_length=16, choices=MemberCategory.choices, default=MemberCategory.OTHER
    )
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
    # A member's own login (党员本人账号): the member linked to households works their tickets.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member_record",
        verbose_name="本人账号",
    )
    work_unit = models.CharField("工作单位及职务", max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SealedScopedQuerySet.as_manager()

    class Meta:
        ordering = ["organization_id", "name"]
        indexes = [
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["name"]),
            # The list's age bands and its date sorts read these columns.
            models.Index(fields=["birth_date"], name="member_birth_date_idx"),
            models.Index(fields=["join_date"], name="member_join_date_idx"),
        ]
        verbose_name = "党员"

    def __str__(self) -> str:
        return self.name

    @property
    def join_date_display(self) -> str | None:
        return member_date_display(self.join_date, self.join_date_month_only)

    @property
    def full_date_display(self) -> str | None:
        return member_date_display(self.full_date, self.full_date_month_only)


class TransferStatus(models.TextChoices):
    PENDING = "pending", "待接收"
    ACCEPTED = "accepted", "已接收"
    REJECTED = "rejected", "已退回"
    CANCELLED = "cancelled", "已撤销"


class MemberTransfer(models.Model):
    """组织关系转接: a dated move of a member between organizations. A move out of the
    sender's scope waits until the receiving side accepts it."""

    scope_path_field = ("from_org__path", "to_org__path")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="transfers")
    from_org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="转出组织"
    )
    to_org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="转入组织"
    )
    transfer_date = models.DateField("转接日期")
    reason = models.CharField("转接原因", max_length=200)
    status = models.CharField(max_length=16, choices=TransferStatus.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField("办理意见", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(status="pending"),
                name="one_pending_transfer_per_member",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member}：{self.from_org} → {self.to_org}"


class MobileRecord(models.Model):
    """A mobile member (流动党员): away from the home branch, managed by both the origin and,
    where one is named, the destination organization."""

    scope_path_field = ("origin_org__path", "destination_org__path")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="mobile_records")
    origin_org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="流出党组织"
    )
    destination_org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="流入地党组织",
    )
    destination = models.CharField("外出地点及单位", max_length=200)
    left_on = models.DateField("外出日期")
    returned_on = models.DateField("返回日期", null=True, blank=True)
    contact = models.CharField("外出期间联系方式", max_length=50, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-left_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(returned_on__isnull=True),
                name="one_open_mobile_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.destination}"


class CaseKind(models.TextChoices):
    LOST_CONTACT = "lost_contact", "失联党员"
    INACTIVE = "inactive", "口袋党员（长期不参加组织生活）"


class MemberCase(models.Model):
    """A lost-contact or inactive member case, with a handler, listed until resolved."""

    scope_path_field = "member__organization__path"

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="cases")
    kind = models.CharField("类型", max_length=16, choices=CaseKind.choices)
    opened_on = models.DateField("发现日期")
    situation = models.TextField("情况说明")
    handler = models.CharField("责任人", max_length=64)
    is_open = models.BooleanField("未办结", default=True)
    resolution = models.TextField("处理结果", blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-is_open", "-opened_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "kind"],
                condition=models.Q(is_open=True),
                name="one_open_case_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.get_kind_display()}"
