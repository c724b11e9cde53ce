"""Training of village reserves (后备力量培养, issue #15 part 4): the yearly training plan of a
county or township, each reserve's training records, the one-to-one mentor pairs (以老带新)
and the monthly mentoring days (双强双带 帮带日).

A reserve may be neither a member nor a cadre, so their training records are kept here rather
than in training.TrainingRecord; the 学时 follow the same credit rule (training.rules). Who sees
what is the reserves' rule (reserves.scoping): township staff their villages, county staff all.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from zuzhi.reserves.scoping import ReserveQuerySet


class ReserveTrainingPlan(models.Model):
    """A county's or township's plan for a year (后备力量培养计划): the courses of the training
    catalogue its reserves follow and the 学时 each must earn. A reserve follows the plan of
    the nearest organization above their village (the township's before the county's)."""

    scope_path_field = "organization__path"

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="制定单位"
    )
    year = models.PositiveSmallIntegerField(
        "年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField("计划名称", max_length=128)
    hours_required = models.DecimalField(
        "应修学时",
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(1000)],
    )
    courses = models.ManyToManyField(
        "training.Course", blank=True, related_name="+", verbose_name="计划课程"
    )
    note = models.CharField("说明", max_length=500, blank=True)
    # Empty when the system wrote it (the demo seeder, an import).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReserveQuerySet.as_manager()

    class Meta:
        verbose_name = "后备力量培养计划"
        ordering = ["-year", "organization__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"],
                name="uniq_reserve_plan_org_year",
                violation_error_message="该单位本年度已有培养计划。",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ReserveTrainingRecord(models.Model):
    """A reserve's completion of a course of the catalogue (后备力量培训记录). 学时 are computed
    by training.rules.record_hours when written and stored, so that progress is a plain sum."""

    scope_path_field = "reserve__village__path"

    reserve = models.ForeignKey(
        "reserves.ReserveCandidate",
        on_delete=models.CASCADE,
        related_name="training_records",
        verbose_name="后备力量",
    )
    course = models.ForeignKey(
        "training.Course", on_delete=models.PROTECT, related_name="+", verbose_name="课程"
    )
    completed_on = models.DateField("完成日期")
    test_passed = models.BooleanField("考试通过", default=False)
    hours = models.DecimalField("学时", max_digits=5, decimal_places=2)
    # Empty when the system wrote it (the demo seeder, an import).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReserveQuerySet.as_manager()

    class Meta:
        verbose_name = "后备力量培训记录"
        ordering = ["-completed_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reserve", "course"],
                name="uniq_reserve_training_course",
                violation_error_message="该后备力量已有这门课程的学习记录。",
            )
        ]
        indexes = [models.Index(fields=["reserve", "completed_on"])]

    def __str__(self) -> str:
        return f"{self.reserve}：{self.course.title}"


class MentorKind(models.TextChoices):
    COMMITTEE = "committee", "村党组织班子成员"
    MEMBER = "member", "本村党员"
    FIRST_SECRETARY = "first_secretary", "驻村第一书记"


class Mentorship(models.Model):
    """A one-to-one mentor pair (以老带新结对): a reserve and a mentor from their village, a
    member of the village branch (its committee first) or the resident first secretary. One
    current pair per reserve; an ended pair stays as history."""

    scope_path_field = "reserve__village__path"

    reserve = models.ForeignKey(
        "reserves.ReserveCandidate",
        on_delete=models.CASCADE,
        related_name="mentorships",
        verbose_name="后备力量",
    )
    mentor_kind = models.CharField("导师身份", max_length=16, choices=MentorKind.choices)
    mentor_member = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="导师（党员）",
    )
    mentor_assignment = models.ForeignKey(
        "village_work.Assignment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="导师（驻村第一书记）",
    )
    # Kept as chosen: the history reads the same after the mentor moves or leaves office.
    mentor_name = models.CharField("导师姓名", max_length=64)
    mentor_title = models.CharField("导师职务", max_length=64, blank=True)
    started_on = models.DateField("结对日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=200, blank=True)
    # Empty when the system wrote it (the demo seeder, an import).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReserveQuerySet.as_manager()

    class Meta:
        verbose_name = "以老带新结对"
        ordering = ["reserve__village__path", "reserve__name", "-started_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reserve"],
                condition=Q(ended_on__isnull=True),
                name="one_current_mentor_per_reserve",
                violation_error_message="该后备力量已有导师，请先结束现有结对。",
            ),
            models.CheckConstraint(
                condition=Q(mentor_member__isnull=False, mentor_assignment__isnull=True)
                | Q(mentor_member__isnull=True, mentor_assignment__isnull=False),
                name="mentorship_one_mentor",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="mentorship_term",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor_name} 带 {self.reserve}"


class MentoringActivity(models.TextChoices):
    POLICY = "policy", "政策学习"
    PROJECT = "project", "项目跟班"
    DISPUTE = "dispute", "矛盾调处"
    VISIT = "visit", "走访群众"
    OTHER = "other", "其他"


class MentoringDay(models.Model):
    """A mentoring day of a pair (双强双带 帮带日): the date, what they did, one line."""

    scope_path_field = "mentorship__reserve__village__path"

    mentorship = models.ForeignKey(
        Mentorship, on_delete=models.CASCADE, related_name="days", verbose_name="结对"
    )
    date = models.DateField("帮带日期")
    activity = models.CharField("帮带形式", max_length=12, choices=MentoringActivity.choices)
    content = models.CharField("帮带内容", max_length=200)
    # Empty when the system wrote it (the demo seeder, an import).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReserveQuerySet.as_manager()

    class Meta:
        verbose_name = "帮带日记录"
        ordering = ["-date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship", "date"],
                name="uniq_mentoring_day",
                violation_error_message="该结对这一天已有帮带记录。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.mentorship}（{self.date}）"
