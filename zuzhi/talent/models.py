"""The talent registry (人才库): the county's talents with their titles, and the platforms
(院士/专家工作站, 工程技术中心…) that hold them. Every other talent app hangs on these.

Visibility is the talent office's (scoping.py): a model's `scope_path_field` leads to the
county node it is filed under; `own_field` to the talent's own account."""

from django.conf import settings
from django.db import models

from zuzhi.core.fields import BlindIndexField, EncryptedCharField, MaskedField, SealedModel

from .scoping import SealedTalentQuerySet, TalentQuerySet


class TitleLevel(models.TextChoices):
    NATIONAL = "national", "国家级"
    PROVINCIAL = "provincial", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"


class Degree(models.TextChoices):
    """Highest degree, as the subsidy policies distinguish them."""

    DOCTOR = "doctor", "博士研究生"
    MASTER = "master", "硕士研究生"
    BACHELOR = "bachelor", "大学本科"
    COLLEGE = "college", "大学专科"
    OTHER = "other", "其他"


class TalentTitle(models.Model):
    """A talent title the county recognizes (人才称号/类别), configurable: 中原创业领军人才
    (provincial), 拔尖人才 and 回创之星 (county), 青年人才… `high_level` marks the titles
    whose holders count as high-level talents (高层次人才): the yearly visit covers them."""

    scope_path_field = "county__path"

    county = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="所属县"
    )
    name = models.CharField("称号", max_length=64)
    level = models.CharField("层级", max_length=12, choices=TitleLevel.choices)
    high_level = models.BooleanField("高层次人才", default=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("在用", default=True)

    objects = TalentQuerySet.as_manager()

    class Meta:
        verbose_name = "人才称号"
        verbose_name_plural = verbose_name
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="one_talent_title_per_county")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_level_display()}）"


class TalentStatus(models.TextChoices):
    IN_COUNTY = "in_county", "在县"
    LEFT = "left", "已离开"


class Talent(SealedModel):
    """A talent (人才): one record per person and county, by ID number; linked to the member
    registry and the cadre registry when the same ID number is there, and to their own login
    when the office gives them one. `arrived_on` (来县工作时间) and `left_on` drive subsidies."""

    scope_path_field = "county__path"
    own_field = "user"

    county = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="所属县"
    )
    # Encrypted at rest (core.fields): searched through the blind index (one talent per
    # county and index), shown masked from the masked copy.
    id_number = EncryptedCharField(
        "公民身份号码",
        kind="id_number",
        max_length=18,
        index_field="id_number_index",
        masked_field="id_number_masked",
    )
    id_number_index = BlindIndexField("公民身份号码（盲索引）", source="id_number")
    id_number_masked = MaskedField("公民身份号码（脱敏）", source="id_number")
    name = models.CharField("姓名", max_length=32)
    name_initials = models.CharField(max_length=160, blank=True, db_index=True, editable=False)
    gender = models.CharField("性别", max_length=1, blank=True, editable=False)  # GB22611
    birth_date = models.DateField("出生日期", null=True, blank=True, editable=False)
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
    degree = models.CharField("最高学历学位", max_length=12, choices=Degree.choices, blank=True)
    school = models.CharField("毕业院校", max_length=64, blank=True)
    major = models.CharField("所学专业", max_length=64, blank=True)
    field = models.CharField("专业领域", max_length=64, blank=True)
    employer = models.CharField("工作单位", max_length=128, blank=True)
    industry = models.CharField("所属产业", max_length=64, blank=True)
    position = models.CharField("职务/职称", max_length=64, blank=True)
    title = models.ForeignKey(
        TalentTitle,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="talents",
        verbose_name="人才称号",
    )
    honours = models.TextField("荣誉", blank=True)
    arrived_on = models.DateField("来县工作时间", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=TalentStatus.choices, default=TalentStatus.IN_COUNTY
    )
    left_on = models.DateField("离开时间", null=True, blank=True)
    note = models.TextField("备注", blank=True)
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
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="talent_record",
        verbose_name="本人账号",
    )
    created_at = models.DateTimeField("建档时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = SealedTalentQuerySet.as_manager()

    class Meta:
        verbose_name = "人才"
        verbose_name_plural = verbose_name
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "id_number_index"], name="one_talent_per_county"
            )
        ]
        indexes = [models.Index(fields=["county", "status", "title"])]

    def __str__(self) -> str:
        return self.name


class PlatformKind(models.TextChoices):
    ACADEMICIAN = "academician", "院士工作站"
    EXPERT = "expert", "专家工作站"
    ENGINEERING = "engineering", "工程技术研究中心"
    ENTERPRISE = "enterprise", "企业技术中心"
    OTHER = "other", "其他创新平台"


class Platform(models.Model):
    """A platform that holds talents (人才平台): an academician or expert workstation, an
    engineering centre… with its host employer and its people."""

    scope_path_field = "county__path"

    county = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="所属县"
    )
    name = models.CharField("平台名称", max_length=128)
    kind = models.CharField("类型", max_length=16, choices=PlatformKind.choices)
    level = models.CharField("层级", max_length=12, choices=TitleLevel.choices, blank=True)
    host = models.CharField("依托单位", max_length=128)
    established_on = models.DateField("设立时间", null=True, blank=True)
    note = models.TextField("备注", blank=True)

    objects = TalentQuerySet.as_manager()

    class Meta:
        verbose_name = "人才平台"
        verbose_name_plural = verbose_name
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class PlatformRole(models.TextChoices):
    ADVISER = "adviser", "顾问（院士/专家）"
    LEAD = "lead", "负责人"
    MEMBER = "member", "成员"


class PlatformPerson(models.Model):
    """A person of a platform: a talent of the registry, or an outside adviser known by name
    (an academician who advises the workstation and lives elsewhere)."""

    scope_path_field = "platform__county__path"

    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="people", verbose_name="平台"
    )
    talent = models.ForeignKey(
        Talent,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="platform_roles",
        verbose_name="人才",
    )
    name = models.CharField("姓名（库外顾问）", max_length=32, blank=True)
    affiliation = models.CharField("所在单位（库外顾问）", max_length=128, blank=True)
    role = models.CharField("角色", max_length=12, choices=PlatformRole.choices)

    objects = TalentQuerySet.as_manager()

    class Meta:
        verbose_name = "平台人员"
        verbose_name_plural = verbose_name
        ordering = ["platform", "role", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(talent__isnull=False) | ~models.Q(name=""),
                name="platform_person_named",
            )
        ]

    def __str__(self) -> str:
        return self.talent.name if self.talent_id else self.name


class CareKind(models.TextChoices):
    HEALTH_CHECK = "health_check", "健康体检"
    VISIT = "visit", "走访慰问"
    BREAKFAST = "breakfast", "畅聊早餐会"
    TRAINING = "training", "学习培训"
    GATHERING = "gathering", "联谊交流"
    OTHER = "other", "其他"


class CareEvent(models.Model):
    """A care event for talents (关心关爱): a health check, a visit, a breakfast meeting with
    the county's leaders, a training; with the talents who took part."""

    scope_path_field = "county__path"

    county = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="所属县"
    )
    kind = models.CharField("类型", max_length=16, choices=CareKind.choices)
    title = models.CharField("活动名称", max_length=128)
    held_on = models.DateField("日期")
    place = models.CharField("地点", max_length=128, blank=True)
    hosts = models.CharField("参加领导/走访人", max_length=128, blank=True)
    note = models.TextField("情况", blank=True)
    talents = models.ManyToManyField(Talent, related_name="care_events", verbose_name="参加人才")

    objects = TalentQuerySet.as_manager()

    class Meta:
        verbose_name = "关心关爱活动"
        verbose_name_plural = verbose_name
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["county", "kind", "held_on"])]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.title}"
