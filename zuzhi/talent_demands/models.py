"""The demand catalogue (高层次人才需求目录): yearly editions of what talent the county's
employers need, by industry. The talent office keeps the draft; once published (发布) the
edition is on the public page and the public API, without the internal fields (`note`).

Visibility of the drafts is the talent office's (talent.scoping)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from zuzhi.talent.models import Degree
from zuzhi.talent.scoping import TalentQuerySet


class EditionStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class DemandEdition(models.Model):
    """One year's catalogue (年度需求目录) of a county."""

    scope_path_field = "county__path"

    county = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="所属县"
    )
    year = models.PositiveSmallIntegerField(
        "年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField("标题", max_length=100)
    intro = models.TextField("说明", blank=True, help_text="公开页面上显示的说明，如政策和报名方式")
    status = models.CharField(
        "状态", max_length=12, choices=EditionStatus.choices, default=EditionStatus.DRAFT
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = TalentQuerySet.as_manager()

    class Meta:
        verbose_name = "人才需求目录"
        verbose_name_plural = verbose_name
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="one_demand_edition_per_year")
        ]

    def __str__(self) -> str:
        return self.title


class DemandEntry(models.Model):
    """One post an employer needs filled (需求岗位): who, how many, with what, for what."""

    scope_path_field = "edition__county__path"

    edition = models.ForeignKey(
        DemandEdition, on_delete=models.CASCADE, related_name="entries", verbose_name="需求目录"
    )
    industry = models.CharField("所属产业", max_length=64)
    employer = models.CharField("用人单位", max_length=128)
    post = models.CharField("需求岗位", max_length=64)
    number = models.PositiveSmallIntegerField("需求人数")
    degree = models.CharField(
        "学历要求", max_length=12, choices=Degree.choices, blank=True, help_text="最低学历"
    )
    major = models.CharField("专业要求", max_length=128, blank=True)
    experience = models.CharField("经验要求", max_length=128, blank=True)
    requirements = models.TextField("其他要求", blank=True)
    salary = models.CharField("薪酬待遇", max_length=64, blank=True, help_text="如：年薪15-25万元")
    housing = models.CharField("住房保障", max_length=128, blank=True)
    subsidies = models.CharField("补贴政策", max_length=200, blank=True)
    # A work phone or an office (人事部 0377-…): not personal data, and not required.
    contact = models.CharField("联系方式", max_length=64, blank=True)
    note = models.TextField("内部备注", blank=True, help_text="仅人才办可见，不公开")
    order = models.PositiveIntegerField("排序", default=0)

    objects = TalentQuerySet.as_manager()

    class Meta:
        verbose_name = "人才需求岗位"
        verbose_name_plural = verbose_name
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["edition", "industry"])]

    def __str__(self) -> str:
        return f"{self.employer} · {self.post}"
