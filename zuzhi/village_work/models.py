"""Resident village work (驻村工作): cadres assigned to villages as first secretaries (第一书记),
work-team members (工作队员) or rural revitalization instructors (乡村振兴指导员), their monthly
reports (一月一述职) and the monthly joint meeting's review of each report (述职评议).
Who sees what: scoping.py."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .scoping import VillageWorkQuerySet


class AssignmentRole(models.TextChoices):
    FIRST_SECRETARY = "first_secretary", "第一书记"
    TEAM_MEMBER = "team_member", "工作队员"
    INSTRUCTOR = "instructor", "乡村振兴指导员"


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", "在岗"
    ENDED = "ended", "已结束"


class Assignment(models.Model):
    """A cadre resident in a village for a term (驻村选派). The township is the village's,
    kept when assigned so that rosters count by township in one query."""

    scope_path_field = "village__path"
    own_field = "cadre__user"
    township_reads = True

    cadre = models.ForeignKey(
        "cadres.Cadre",
        on_delete=models.PROTECT,
        related_name="village_assignments",
        verbose_name="干部",
    )
    village = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="resident_cadres",
        verbose_name="驻村",
    )
    township = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="所在乡镇",
    )
    role = models.CharField("驻村身份", max_length=16, choices=AssignmentRole.choices)
    sending_unit = models.CharField("派出单位", max_length=128)
    start = models.DateField("任期开始")
    end = models.DateField("任期届满")
    status = models.CharField(
        "状态", max_length=8, choices=AssignmentStatus.choices, default=AssignmentStatus.ACTIVE
    )
    ended_on = models.DateField("实际结束日期", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VillageWorkQuerySet.as_manager()

    class Meta:
        verbose_name = "驻村选派"
        ordering = ["township__path", "village__path", "role", "start"]
        constraints = [
            # A resident cadre works full time in one village: a second active assignment
            # would split the monthly report between two villages.
            models.UniqueConstraint(
                fields=["cadre"], condition=Q(status="active"), name="uniq_active_village_cadre"
            ),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="village_term"),
        ]
        indexes = [models.Index(fields=["status", "end"])]

    def __str__(self) -> str:
        return f"{self.cadre}（{self.village}{self.get_role_display()}）"

    @property
    def last_day(self):
        """The last day the term covers: the day it ended early, else the term's end (ending
        it late does not lengthen the term)."""
        return min(self.ended_on, self.end) if self.ended_on else self.end


class MonthlyReport(models.Model):
    """A monthly report (一月一述职): what was done, the problems met, next month's plan.
    One per assignment per month; `month` is the month's first day."""

    scope_path_field = "assignment__village__path"
    own_field = "assignment__cadre__user"
    township_reads = True

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="reports", verbose_name="驻村选派"
    )
    month = models.DateField("月份")
    work_done = models.TextField("本月工作")
    problems = models.TextField("存在问题", blank=True)
    next_plan = models.TextField("下月计划")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="提交人",
    )
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)

    objects = VillageWorkQuerySet.as_manager()

    class Meta:
        verbose_name = "月度述职"
        ordering = ["assignment", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "month"], name="uniq_village_report")
        ]

    def __str__(self) -> str:
        return f"{self.assignment.cadre} {self.month:%Y年%m月}述职"


class ReviewGrade(models.Model):
    """A grade of the review (评议等次). The migration ships the default list 好 / 较好 /
    一般 / 差; a county renames or adds grades as data. The same for the whole county."""

    code = models.CharField("代码", max_length=16, unique=True)
    name = models.CharField("等次", max_length=16)
    position = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "述职评议等次"
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class Review(models.Model):
    """The monthly joint meeting's review of one report (述职评议): date, grade, comments.
    Recording it calls `archive_link.review_recorded` (an entry in the cadre's performance
    archive)."""

    scope_path_field = "report__assignment__village__path"
    own_field = "report__assignment__cadre__user"
    township_reads = False

    report = models.OneToOneField(
        MonthlyReport, on_delete=models.CASCADE, related_name="review", verbose_name="月度述职"
    )
    date = models.DateField("评议日期")
    grade = models.ForeignKey(ReviewGrade, on_delete=models.PROTECT, verbose_name="评议等次")
    comments = models.TextField("评议意见", blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="评议记录人",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VillageWorkQuerySet.as_manager()

    class Meta:
        verbose_name = "述职评议"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.report}：{self.grade}"
