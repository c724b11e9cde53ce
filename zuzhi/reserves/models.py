"""Village reserve cadres (村级后备力量): the candidates of each village and the contact list of
out-of-town talent (雁归) from which candidates come. Who sees what: scoping.py."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from zuzhi.core.fields import BlindIndexField, EncryptedCharField, MaskedField, SealedModel

from .scoping import ReserveQuerySet, SealedReserveQuerySet


class ReserveSource(models.TextChoices):
    EXCELLENT_MEMBER = "excellent_member", "优秀党员"
    BUSINESS_LEADER = "business_leader", "致富带头人"
    VETERAN = "veteran", "退役军人"
    MIGRANT_WORKER = "migrant_worker", "外出务工人员"
    GRADUATE = "graduate", "高校毕业生"
    OTHER = "other", "其他"


class DiscoveryMethod(models.TextChoices):
    ORGANIZATION = "organization", "组织推荐"
    PUBLIC = "public", "群众推荐/民主测评"
    SELF = "self", "个人自荐"


class ReserveStatus(models.TextChoices):
    """选: nominated → township first review → county joint review → the pool; 用: a pool
    member elected into the village committee leaves it as appointed; any may exit."""

    CANDIDATE = "candidate", "待乡镇初审"
    RETURNED = "returned", "乡镇退回"
    TOWNSHIP_APPROVED = "township_approved", "待县级联审"
    IN_REVIEW = "in_review", "县级联审中"
    IN_POOL = "in_pool", "入库"
    APPOINTED = "appointed", "已进入村“两委”"
    EXITED = "exited", "退出"


# A person may be nominated again once their last entry ended (退出 or 进入村“两委”).
CLOSED_STATUSES = (ReserveStatus.EXITED, ReserveStatus.APPOINTED)
# Sent to or past the county joint review: the departments checked this person.
REVIEWED_STATUSES = (ReserveStatus.IN_REVIEW, ReserveStatus.IN_POOL)


class ReturningTalent(SealedModel):
    """An out-of-town native kept in touch with (雁归人才): who, where now, last contact, and
    the one-to-one contact person (一对一联系人)."""

    scope_path_field = "home_village__path"

    name = models.CharField("姓名", max_length=64)
    name_initials = models.CharField(max_length=160, blank=True, db_index=True, editable=False)
    # Encrypted at rest (core.fields), like the member registry's: found by the full number
    # through the blind index, shown masked from the masked copy.
    id_number = EncryptedCharField(
        "公民身份号码",
        kind="id_number",
        max_length=18,
        blank=True,
        index_field="id_number_index",
        masked_field="id_number_masked",
    )
    id_number_index = BlindIndexField("公民身份号码（盲索引）", source="id_number")
    id_number_masked = MaskedField("公民身份号码（脱敏）", source="id_number")
    home_village = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="家乡村"
    )
    whereabouts = models.CharField("现在何地（城市/单位）", max_length=128, blank=True)
    occupation = models.CharField("从事行业/职业", max_length=64, blank=True)
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
    last_contact_on = models.DateField("最近联系日期", null=True, blank=True)
    contact_person = models.CharField("一对一联系人", max_length=64, blank=True)
    note = models.CharField("备注", max_length=500, blank=True)
    # Empty when the system wrote the record (an import, the demo).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SealedReserveQuerySet.as_manager()

    class Meta:
        verbose_name = "雁归人才"
        ordering = ["home_village__path", "name", "id"]

    def __str__(self) -> str:
        return self.name


class ReserveCandidate(SealedModel):
    """A village reserve cadre (村级后备力量) from nomination on. The person is linked to the
    member or cadre registry by ID number when they are there; age follows the birth date
    (selectors.age_on), never stored."""

    scope_path_field = "village__path"

    village = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="村（社区）"
    )
    name = models.CharField("姓名", max_length=64)
    name_initials = models.CharField(max_length=160, blank=True, db_index=True, editable=False)
    # Encrypted at rest (core.fields): one open entry per person is kept on the blind index,
    # which is the members' and cadres' too (one kind, one index), so the registries meet in
    # SQL; gender and birth date are derived from the number at write time.
    id_number = EncryptedCharField(
        "公民身份号码",
        kind="id_number",
        max_length=18,
        index_field="id_number_index",
        masked_field="id_number_masked",
    )
    id_number_index = BlindIndexField("公民身份号码（盲索引）", source="id_number")
    id_number_masked = MaskedField("公民身份号码（脱敏）", source="id_number")
    gender = models.CharField("性别", max_length=1)  # GB22611, from the ID number
    birth_date = models.DateField("出生日期")
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
    education = models.CharField("学历", max_length=4, blank=True)  # ZB64
    source = models.CharField("人选来源", max_length=20, choices=ReserveSource.choices)
    discovery = models.CharField("产生方式", max_length=16, choices=DiscoveryMethod.choices)
    willing = models.BooleanField("本人意愿", default=True)
    willingness_note = models.CharField("意愿说明", max_length=200, blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=ReserveStatus.choices, default=ReserveStatus.CANDIDATE
    )
    status_changed_on = models.DateField("状态变更日期", null=True, blank=True)
    status_reason = models.CharField("退回或退出原因", max_length=200, blank=True)
    priority = models.BooleanField("重点培养", default=False)
    member = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="党员信息",
    )
    cadre = models.ForeignKey(
        "cadres.Cadre",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="干部信息",
    )
    returning_talent = models.ForeignKey(
        ReturningTalent,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidates",
        verbose_name="来自雁归人才",
    )
    # Empty when the system wrote the record (an import, the demo).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SealedReserveQuerySet.as_manager()

    class Meta:
        verbose_name = "村级后备力量"
        ordering = ["village__path", "name", "id"]
        constraints = [
            # One open entry per person (see CLOSED_STATUSES).
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=~Q(status__in=["exited", "appointed"]),
                name="uniq_open_reserve_candidate",
                violation_error_message="该公民身份号码已登记为后备力量，同一人不能重复登记。",
            )
        ]
        indexes = [models.Index(fields=["status", "source"])]

    def __str__(self) -> str:
        return self.name


class EventKind(models.TextChoices):
    NOMINATED = "nominated", "登记为人选"
    TOWNSHIP_APPROVED = "township_approved", "乡镇党委初审通过"
    RETURNED = "returned", "乡镇党委初审退回"
    SENT_TO_REVIEW = "sent_to_review", "报送县级联审"
    REVIEW_PASSED = "review_passed", "县级联审通过，入库"
    REVIEW_REJECTED = "review_rejected", "县级联审未通过"
    REVIEW_UNANSWERED = "review_unanswered", "联审结束时未获全部部门反馈，待再次联审"
    PRIORITY = "priority", "列为重点培养"
    PRIORITY_ENDED = "priority_ended", "取消重点培养"
    KEPT = "kept", "保留"
    EXITED = "exited", "退出"
    APPOINTED = "appointed", "当选进入村“两委”"


class ReserveEvent(models.Model):
    """One step of a reserve's history (进出库记录): every entry, review, appraisal outcome and
    exit, with who recorded it. A joint review rejection says only that it failed: the
    departments' reasons stay with the county's round."""

    scope_path_field = "candidate__village__path"

    candidate = models.ForeignKey(
        ReserveCandidate, on_delete=models.CASCADE, related_name="events", verbose_name="后备力量"
    )
    kind = models.CharField("事项", max_length=20, choices=EventKind.choices)
    on = models.DateField("日期")
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReserveQuerySet.as_manager()

    class Meta:
        verbose_name = "后备力量进出记录"
        ordering = ["candidate", "on", "id"]

    def __str__(self) -> str:
        return f"{self.candidate} · {self.get_kind_display()}"
