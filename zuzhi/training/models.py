"""Training credits (教育培训, 学分制): courses, who completed them, and the yearly requirement."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from .rules import CADRES, MEMBERS
from .scoping import TrainingRecordQuerySet


class Group(models.TextChoices):
    CADRES = CADRES, "干部"
    MEMBERS = MEMBERS, "党员"


class CourseMode(models.TextChoices):
    ONLINE = "online", "网络学习"
    IN_PERSON = "in_person", "集中面授"


class Course(models.Model):
    """A course (培训课程) of the county's catalogue, online or in person. The catalogue is
    shared by the whole county: it holds no personal data and belongs to no organization."""

    title = models.CharField("课程名称", max_length=200)
    mode = models.CharField("形式", max_length=12, choices=CourseMode.choices)
    minutes = models.PositiveIntegerField(
        "时长（分钟）", validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    provider = models.CharField("主办单位或平台", max_length=128, blank=True)
    year = models.PositiveSmallIntegerField(
        "年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    has_test = models.BooleanField("有考试", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "培训课程"
        ordering = ["-year", "title"]
        constraints = [
            models.UniqueConstraint(fields=["title", "year", "mode"], name="uniq_course_title")
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.year}）"


class RecordSource(models.TextChoices):
    IMPORTED = "imported", "导入"
    ENTERED = "entered", "录入"


class TrainingRecord(models.Model):
    """One person's completion of one course (培训记录): a cadre's or a member's, never both
    (who sees it depends on which, see scoping.py). 学时 are computed by rules.record_hours
    when written and stored, so that a year's sums are plain aggregates."""

    scope_path_field = ("cadre__organization__path", "member__organization__path")

    cadre = models.ForeignKey(
        "cadres.Cadre",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="training_records",
        verbose_name="干部",
    )
    member = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="training_records",
        verbose_name="党员",
    )
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="records", verbose_name="课程"
    )
    completed_on = models.DateField("完成日期")
    test_passed = models.BooleanField("考试通过", default=False)
    hours = models.DecimalField("学时", max_digits=5, decimal_places=2)
    source = models.CharField("来源", max_length=10, choices=RecordSource.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TrainingRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "培训记录"
        ordering = ["-completed_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cadre__isnull=False, member__isnull=True)
                | Q(cadre__isnull=True, member__isnull=False),
                name="training_record_one_person",
            ),
            models.UniqueConstraint(
                fields=["cadre", "course"],
                condition=Q(cadre__isnull=False),
                name="uniq_training_cadre_course",
            ),
            models.UniqueConstraint(
                fields=["member", "course"],
                condition=Q(member__isnull=False),
                name="uniq_training_member_course",
            ),
        ]
        indexes = [
            models.Index(fields=["cadre", "completed_on"]),
            models.Index(fields=["member", "completed_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.person}：{self.course.title}"

    @property
    def person(self):
        return self.cadre or self.member

    @property
    def group(self) -> str:
        return CADRES if self.cadre_id else MEMBERS


class TrainingRequirement(models.Model):
    """The yearly requirement of a group (年度学时要求): hours and a number of courses. Without
    a row for a year, rules.DEFAULT_REQUIREMENTS applies (50 学时 for cadres, one course for
    members' 轮训). County configuration, the same for everyone."""

    group = models.CharField("对象", max_length=10, choices=Group.choices)
    year = models.PositiveSmallIntegerField(
        "年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    hours = models.DecimalField(
        "应修学时",
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))],
    )
    courses = models.PositiveSmallIntegerField(
        "应参加课程数", default=0, validators=[MaxValueValidator(1000)]
    )

    class Meta:
        verbose_name = "年度学时要求"
        ordering = ["-year", "group"]
        constraints = [
            models.UniqueConstraint(fields=["group", "year"], name="uniq_training_requirement")
        ]

    def __str__(self) -> str:
        return f"{self.year} 年{self.get_group_display()}学时要求"
