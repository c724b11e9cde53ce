"""Leadership teams (领导班子) and their structure targets (班子配备)."""

from django.conf import settings
from django.db import models

from .scoping import CadreQuerySet, TeamQuerySet


class TeamKind(models.TextChoices):
    TOWNSHIP_COMMITTEE = "township_committee", "乡镇党委班子"
    TOWNSHIP_GOVERNMENT = "township_government", "乡镇政府班子"
    COUNTY_UNIT = "county_unit", "县直单位班子"


class LeadershipTeam(models.Model):
    """The leadership team of a township committee, a township government or a county unit,
    hung on the unit's Party organization."""

    scope_path_field = "organization__path"

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="leadership_teams",
        verbose_name="单位党组织",
    )
    kind = models.CharField("班子类别", max_length=24, choices=TeamKind.choices)
    name = models.CharField("班子名称", max_length=128)
    sort_order = models.PositiveIntegerField("排序", default=0)

    objects = TeamQuerySet.as_manager()

    class Meta:
        verbose_name = "领导班子"
        ordering = ["organization__path", "sort_order", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind"], name="uniq_team_per_kind")
        ]

    def __str__(self) -> str:
        return self.name


class TeamPost(models.Model):
    """A defined post of a team (职数): 书记, 乡镇长, 副书记, 组织委员…; `seats` of them."""

    scope_path_field = "team__organization__path"

    team = models.ForeignKey(LeadershipTeam, on_delete=models.CASCADE, related_name="posts")
    title = models.CharField("职务名称", max_length=64)
    leadership_level = models.CharField("领导职务层次", max_length=24, blank=True)
    seats = models.PositiveSmallIntegerField("职数", default=1)
    sort_order = models.PositiveIntegerField("排序", default=0)
    # Since when the post has had fewer holders than seats; kept by the services.
    vacant_since = models.DateField("空缺起始日期", null=True, blank=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        verbose_name = "班子职位"
        ordering = ["team", "sort_order", "id"]

    def __str__(self) -> str:
        return self.title


class PostHolding(models.Model):
    """A post held by a cadre (任职), with start and end: on a team's post, or a post text
    on an organization when it is outside any team."""

    scope_path_field = "organization__path"
    own_field = "cadre__user"

    cadre = models.ForeignKey("cadres.Cadre", on_delete=models.CASCADE, related_name="posts")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="任职单位"
    )
    team_post = models.ForeignKey(
        TeamPost,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="holdings",
        verbose_name="班子职位",
    )
    title = models.CharField("职务", max_length=128)
    leadership_level = models.CharField("领导职务层次", max_length=24, blank=True)
    start = models.DateField("任职时间")
    end = models.DateField("免职时间", null=True, blank=True)
    document = models.CharField("任免文号", max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "任职"
        ordering = ["cadre", "-start"]
        indexes = [models.Index(fields=["team_post", "end"])]

    def __str__(self) -> str:
        return f"{self.cadre} {self.title}"


class TargetKind(models.TextChoices):
    MIN_WOMEN = "min_women", "女性至少（人）"
    MIN_UNDER_AGE = "min_under_age", "某年龄以下至少（人）"
    MIN_COLLEGE_SHARE = "min_college_share", "大学本科及以上学历占比至少（%）"
    MIN_MINORITY = "min_minority", "少数民族至少（人）"
    MIN_SPECIALTY = "min_specialty", "具备某专长至少（人）"
    MIN_NON_PARTY = "min_non_party", "党外干部至少（人）"


class TeamTarget(models.Model):
    """A structure target of the county's teams (班子结构目标), configurable: at least one
    woman, one under 35, a share with a college degree…; `team_kind` empty means every team."""

    kind = models.CharField("目标类型", max_length=24, choices=TargetKind.choices)
    team_kind = models.CharField("适用班子", max_length=24, choices=TeamKind.choices, blank=True)
    value = models.PositiveSmallIntegerField("数值", default=1)
    # The age for MIN_UNDER_AGE (35), the specialty tag for MIN_SPECIALTY (熟悉经济).
    parameter = models.CharField("参数", max_length=32, blank=True)
    label = models.CharField("目标说明", max_length=64)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "班子结构目标"
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return self.label
