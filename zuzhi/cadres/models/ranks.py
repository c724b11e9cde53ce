"""Leadership levels and ranks of the 2019 parallel post-and-rank system (职务与职级并行),
and public-institution staff grades (职员等级). The rules (order, minimum years, quotas)
live in `zuzhi.cadres.rank_rules`."""

from django.conf import settings
from django.db import models

from .scoping import CadreQuerySet


class LeadershipLevel(models.TextChoices):
    """领导职务层次."""

    NATIONAL_CHIEF = "national_chief", "国家级正职"
    NATIONAL_DEPUTY = "national_deputy", "国家级副职"
    PROVINCE_CHIEF = "province_chief", "省部级正职"
    PROVINCE_DEPUTY = "province_deputy", "省部级副职"
    BUREAU_CHIEF = "bureau_chief", "厅局级正职"
    BUREAU_DEPUTY = "bureau_deputy", "厅局级副职"
    COUNTY_CHIEF = "county_chief", "县处级正职"
    COUNTY_DEPUTY = "county_deputy", "县处级副职"
    TOWNSHIP_CHIEF = "township_chief", "乡科级正职"
    TOWNSHIP_DEPUTY = "township_deputy", "乡科级副职"


class Rank(models.TextChoices):
    """职级 (公务员职务与职级并行规定, 2019), highest first."""

    INSPECTOR_1 = "inspector_1", "一级巡视员"
    INSPECTOR_2 = "inspector_2", "二级巡视员"
    RESEARCHER_1 = "researcher_1", "一级调研员"
    RESEARCHER_2 = "researcher_2", "二级调研员"
    RESEARCHER_3 = "researcher_3", "三级调研员"
    RESEARCHER_4 = "researcher_4", "四级调研员"
    PRINCIPAL_1 = "principal_1", "一级主任科员"
    PRINCIPAL_2 = "principal_2", "二级主任科员"
    PRINCIPAL_3 = "principal_3", "三级主任科员"
    PRINCIPAL_4 = "principal_4", "四级主任科员"
    CLERK_1 = "clerk_1", "一级科员"
    CLERK_2 = "clerk_2", "二级科员"


class StaffGrade(models.TextChoices):
    """Management staff grades of public institutions (事业单位管理岗位职员等级), highest first."""

    GRADE_1 = "grade_1", "一级职员"
    GRADE_2 = "grade_2", "二级职员"
    GRADE_3 = "grade_3", "三级职员"
    GRADE_4 = "grade_4", "四级职员"
    GRADE_5 = "grade_5", "五级职员"
    GRADE_6 = "grade_6", "六级职员"
    GRADE_7 = "grade_7", "七级职员"
    GRADE_8 = "grade_8", "八级职员"


class RankGrant(models.Model):
    """A rank reached by a cadre (职级晋升记录), dated; the latest is the current one, copied
    to `Cadre.rank` by the service so quotas are one indexed count."""

    scope_path_field = "cadre__organization__path"
    own_field = "cadre__user"

    cadre = models.ForeignKey("cadres.Cadre", on_delete=models.CASCADE, related_name="ranks")
    rank = models.CharField("职级", max_length=24, choices=Rank.choices)
    reached_on = models.DateField("任职级时间")
    document = models.CharField("批准文号", max_length=64, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "职级记录"
        ordering = ["cadre", "-reached_on"]

    def __str__(self) -> str:
        return f"{self.cadre} {self.get_rank_display()}"


class StaffGradeGrant(models.Model):
    """A staff grade reached (职员等级记录), beside the ranks of civil servants."""

    scope_path_field = "cadre__organization__path"
    own_field = "cadre__user"

    cadre = models.ForeignKey("cadres.Cadre", on_delete=models.CASCADE, related_name="staff_grades")
    grade = models.CharField("职员等级", max_length=24, choices=StaffGrade.choices)
    reached_on = models.DateField("任职员等级时间")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "职员等级记录"
        ordering = ["cadre", "-reached_on"]

    def __str__(self) -> str:
        return f"{self.cadre} {self.get_grade_display()}"


class UnitEstablishment(models.Model):
    """The civil-service posts (编制数) of a unit: what the rank quotas are shares of."""

    scope_path_field = "organization__path"

    organization = models.OneToOneField(
        "orgs.Organization",
        on_delete=models.CASCADE,
        related_name="establishment",
        verbose_name="单位党组织",
    )
    posts = models.PositiveIntegerField("公务员编制数")
    updated_at = models.DateTimeField(auto_now=True)

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "单位编制"

    def __str__(self) -> str:
        return f"{self.organization} 编制 {self.posts}"
