"""The "three ones" (三个一): the cadre section's and team leaders' everyday knowledge of cadres —
a talk every week (每周谈), a visit every month (每月一访), a study of a team every quarter
(每季度一研) — logged as contacts, with the problems found recorded under three aspects
(观念 / 能力 / 作风) and configurable problem types. Who sees what: scoping.py."""

from django.conf import settings
from django.db import models

from .scoping import ContactQuerySet, ProblemQuerySet


class ContactKind(models.TextChoices):
    WEEKLY_TALK = "weekly_talk", "每周谈"
    MONTHLY_VISIT = "monthly_visit", "每月一访"
    QUARTERLY_STUDY = "quarterly_study", "每季度一研"


class Aspect(models.TextChoices):
    MINDSET = "mindset", "观念"
    ABILITY = "ability", "能力"
    CONDUCT = "conduct", "作风"


class ProblemType(models.Model):
    """A problem type (问题类型) under one aspect: the county's configuration, the same for
    every team. The list shipped (services.DEFAULT_PROBLEM_TYPES) is a default, not a rule.
    A type's aspect is fixed once created, so counts by aspect never move with an edit."""

    aspect = models.CharField("方面", max_length=12, choices=Aspect.choices)
    name = models.CharField("问题类型", max_length=64)
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "问题类型"
        ordering = ["aspect", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["aspect", "name"], name="uniq_problem_type_name")
        ]

    def __str__(self) -> str:
        return f"{self.get_aspect_display()}·{self.name}"


class Contact(models.Model):
    """One logged contact (三个一记录): who, when, with which members of which team, and what
    was found. Every contact is with a leadership team's members: the team is its scope."""

    scope_path_field = "team__organization__path"

    kind = models.CharField("类别", max_length=16, choices=ContactKind.choices)
    date = models.DateField("日期")
    team = models.ForeignKey(
        "cadres.LeadershipTeam",
        on_delete=models.PROTECT,
        related_name="three_ones_contacts",
        verbose_name="班子",
    )
    cadres = models.ManyToManyField(
        "cadres.Cadre", related_name="three_ones_contacts", verbose_name="对象", blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="记录人账号",
    )
    recorder_cadre = models.ForeignKey(
        "cadres.Cadre",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="记录人",
    )
    recorder_name = models.CharField("记录人姓名", max_length=64)
    summary = models.TextField("了解到的情况", max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = "三个一记录"
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["team", "kind", "date"]),
            models.Index(fields=["recorded_by", "kind", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}：{self.team}"


class ProblemStatus(models.TextChoices):
    OPEN = "open", "待整改"
    RECTIFIED = "rectified", "已整改"


class Problem(models.Model):
    """A problem found in a contact (发现的问题), about one of its cadres."""

    scope_path_field = "contact__team__organization__path"

    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="problems", verbose_name="记录"
    )
    cadre = models.ForeignKey(
        "cadres.Cadre",
        on_delete=models.CASCADE,
        related_name="three_ones_problems",
        verbose_name="干部",
    )
    problem_type = models.ForeignKey(
        ProblemType, on_delete=models.PROTECT, related_name="problems", verbose_name="问题类型"
    )
    # The contact's date, copied: the trigger windows count problems by it in one index.
    found_on = models.DateField("发现日期")
    description = models.TextField("具体表现", max_length=2000)
    status = models.CharField(
        "状态", max_length=12, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    rectified_on = models.DateField("整改日期", null=True, blank=True)
    rectification_note = models.TextField("整改情况", max_length=2000, blank=True)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = "三个一发现问题"
        ordering = ["-found_on", "pk"]
        indexes = [models.Index(fields=["cadre", "found_on"])]

    def __str__(self) -> str:
        return f"{self.cadre}：{self.problem_type}"
