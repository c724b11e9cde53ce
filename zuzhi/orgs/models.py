from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from zuzhi.core.fields import (
    BlindIndexField,
    EncryptedCharField,
    MaskedField,
    SealedModel,
    SealedScopedQuerySet,
)
from zuzhi.core.scope import ScopedQuerySet


class OrgType(models.TextChoices):
    COUNTY_COMMITTEE = "county_committee", "县委"
    COMMITTEE = "committee", "党委"
    WORKING_COMMITTEE = "working_committee", "党工委"
    JOINT_COMMITTEE = "joint_committee", "联合党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    JOINT_GENERAL_BRANCH = "joint_general_branch", "联合党总支"
    BRANCH = "branch", "党支部"
    JOINT_BRANCH = "joint_branch", "联合党支部"


BRANCH_TYPES = (OrgType.BRANCH, OrgType.JOINT_BRANCH)


class UnitCategory(models.TextChoices):
    """The kind of unit the organization is built in (单位类别)."""

    COUNTY = "county", "县（区）"
    TOWNSHIP = "township", "乡镇"
    SUBDISTRICT = "subdistrict", "街道"
    VILLAGE = "village", "行政村"
    COMMUNITY = "community", "社区"
    GOVERNMENT = "government", "县直机关"
    PUBLIC_INSTITUTION = "public_institution", "县直事业单位"
    STATE_ENTERPRISE = "state_enterprise", "国有企业"
    PRIVATE_FIRM = "private_firm", "非公有制企业（两新）"
    SOCIAL_ORG = "social_org", "社会组织（两新）"
    OTHER = "other", "其他"


TWO_NEW_CATEGORIES = (UnitCategory.PRIVATE_FIRM, UnitCategory.SOCIAL_ORG)


class Organization(SealedModel):
    """A Party organization (党组织), one node of the county tree."""

    scope_path_field = "path"

    code = models.CharField("组织代码", max_length=32, unique=True)
    name = models.CharField("组织名称", max_length=128)
    short_name = models.CharField("简称", max_length=64, blank=True)
    org_type = models.CharField("组织类型", max_length=32, choices=OrgType.choices)
    unit_category = models.CharField(
        "单位类别", max_length=32, choices=UnitCategory.choices, default=UnitCategory.OTHER
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialized path of fixed-width id segments (see zuzhi.core.scope); kept by services.
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField("层级", default=1, editable=False)
    secretary_name = models.CharField("书记", max_length=64, blank=True)
    # The secretary's own mobile, encrypted at rest (core.fields): lists show the masked copy.
    secretary_phone = EncryptedCharField(
        "书记电话",
        kind="phone",
        max_length=20,
        blank=True,
        index_field="secretary_phone_index",
        masked_field="secretary_phone_masked",
    )
    secretary_phone_index = BlindIndexField("书记电话（盲索引）", source="secretary_phone")
    secretary_phone_masked = MaskedField("书记电话（脱敏）", source="secretary_phone")
    founded_on = models.DateField("成立日期", null=True, blank=True)
    term_start = models.DateField("本届任期开始", null=True, blank=True)
    term_end = models.DateField("本届任期届满", null=True, blank=True)
    division_code = models.CharField("所辖区域（行政区划代码）", max_length=12, blank=True)
    address = models.CharField("地址", max_length=255, blank=True)
    name_initials = models.CharField(max_length=128, blank=True, db_index=True, editable=False)
    # Bounded so a typed 99999999999 is a field error, not an integer overflow at the database.
    sort_order = models.IntegerField(
        "排序",
        default=0,
        validators=[
            MinValueValidator(0, "排序号应在 0 至 9999 之间。"),
            MaxValueValidator(9999, "排序号应在 0 至 9999 之间。"),
        ],
    )
    is_active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SealedScopedQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        indexes = [
            models.Index(fields=["org_type", "path"]),
            models.Index(fields=["parent", "sort_order"]),
        ]
        verbose_name = "党组织"

    def __str__(self) -> str:
        return self.name

    @property
    def level_label(self) -> str:
        return {1: "县级", 2: "乡镇级", 3: "村级"}.get(self.depth, f"第{self.depth}级")


class RectificationCase(models.Model):
    """A weak and lax organization under rectification (软弱涣散党组织整顿), tracked until closed."""

    scope_path_field = "organization__path"

    class Status(models.TextChoices):
        OPEN = "open", "整顿中"
        CLOSED = "closed", "已销号"

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="rectifications", verbose_name="党组织"
    )
    year = models.PositiveSmallIntegerField("年度")
    problems = models.TextField("存在问题")
    measures = models.TextField("整顿措施", blank=True)
    responsible = models.CharField("包联责任人", max_length=64, blank=True)
    deadline = models.DateField("整顿时限", null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField("销号意见", blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["status", "-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(status="open"),
                name="one_open_rectification",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year} 年整顿"


class RectificationStep(models.Model):
    """One dated step of a rectification (整顿进展)."""

    scope_path_field = "case__organization__path"

    case = models.ForeignKey(RectificationCase, on_delete=models.CASCADE, related_name="steps")
    day = models.DateField("日期")
    action = models.TextField("开展工作")
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["day", "pk"]

    def __str__(self) -> str:
        return f"{self.case} {self.day:%Y-%m-%d}"


class CommitteePosition(models.TextChoices):
    """Seats of a branch committee (支部委员会职务)."""

    SECRETARY = "secretary", "书记"
    DEPUTY_SECRETARY = "deputy_secretary", "副书记"
    ORGANIZATION = "organization", "组织委员"
    PROPAGANDA = "propaganda", "宣传委员"
    DISCIPLINE = "discipline", "纪检委员"
    YOUTH = "youth", "青年委员"
    UNITED_FRONT = "united_front", "统战委员"
    WOMEN = "women", "妇女委员"
    MEMBER = "member", "委员"


class CommitteeSeat(models.Model):
    """One member's term in one seat of a branch committee (支部委员会成员及任期). A seat is
    current until its term is ended; ended seats stay as the committee's history."""

    scope_path_field = "organization__path"

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="committee_seats",
        verbose_name="党组织",
    )
    position = models.CharField("职务", max_length=32, choices=CommitteePosition.choices)
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        related_name="committee_seats",
        verbose_name="党员",
    )
    started_on = models.DateField("任职日期")
    ended_on = models.DateField("离任日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "ended_on", "started_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "member"],
                condition=models.Q(ended_on__isnull=True),
                name="one_current_seat_per_member",
            ),
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(ended_on__isnull=True, position="secretary"),
                name="one_current_secretary",
            ),
        ]
        verbose_name = "支部委员"

    def __str__(self) -> str:
        return f"{self.organization} {self.get_position_display()} {self.member}"


class OrgFigures(models.Model):
    """An organization's own figures (组织概况): its members and its last meeting. They are kept
    by the services that change them (`orgs.figures.org_figures_refresh`), so that the health
    checks of a province read one row per organization instead of counting five million
    members on each request."""

    scope_path_field = "organization__path"

    organization = models.OneToOneField(
        Organization,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="figures",
        verbose_name="党组织",
    )
    members = models.PositiveIntegerField("党员数", default=0)
    full_members = models.PositiveIntegerField("正式党员数", default=0)
    last_meeting_on = models.DateField("最近一次组织生活", null=True, blank=True)
    refreshed_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "党组织概况"

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.members}"
