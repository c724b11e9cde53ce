from django.conf import settings
from django.db import models

from zuzhi.core.scope import ScopedQuerySet


class SubjectKind(models.TextChoices):
    """Who a scheme rates; which organizations count as such is decided in selectors."""

    VILLAGE = "village", "村（社区）党组织"
    BRANCH = "branch", "党支部"
    MEMBER = "member", "党员"


class PeriodKind(models.TextChoices):
    YEAR = "year", "年度"
    QUARTER = "quarter", "季度"


class AwardStatus(models.TextChoices):
    PROPOSED = "proposed", "待确认"
    CONFIRMED = "confirmed", "已评定"
    WITHDRAWN = "withdrawn", "已撤销"


LIVE_STATUSES = (AwardStatus.PROPOSED, AwardStatus.CONFIRMED)


class StarScheme(models.Model):
    """A star rating scheme (评星方案), e.g. 五星支部 or 三零村: its named stars, its period and
    its quotas are data, so a county renames a star or changes a quota without a release.

    A scheme belongs to an organization node. The deployment's default sits on the root (or on
    no node, when it was seeded before the tree existed) and rates every subject no copy
    claims; a county may adopt its own copy (`adopted_from` the default, the same number of
    stars), which then rates every subject under the county."""

    code = models.SlugField("代码", max_length=32, unique=True)
    organization = models.ForeignKey(
        "orgs.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="star_schemes",
        verbose_name="所属党组织",
    )
    adopted_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="copies",
        verbose_name="采用自",
    )
    name = models.CharField("名称", max_length=64)
    full_title = models.CharField("满星称号", max_length=32)
    subject_kind = models.CharField("评定对象", max_length=16, choices=SubjectKind.choices)
    period_kind = models.CharField("评定周期", max_length=16, choices=PeriodKind.choices)
    description = models.TextField("说明", blank=True)
    sort_order = models.IntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["sort_order", "pk"]
        constraints = [
            # One copy of a default per node.
            models.UniqueConstraint(
                fields=["adopted_from", "organization"], name="one_scheme_copy_per_org"
            )
        ]
        verbose_name = "评星方案"

    def __str__(self) -> str:
        return self.name


class Star(models.Model):
    """One named star of a scheme (星), e.g. 产业兴旺; a subject's level is its count of stars."""

    scheme = models.ForeignKey(StarScheme, on_delete=models.CASCADE, related_name="stars")
    name = models.CharField("名称", max_length=32)
    position = models.PositiveSmallIntegerField("顺序")

    class Meta:
        ordering = ["scheme", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "position"], name="uniq_star_position"),
            models.UniqueConstraint(fields=["scheme", "name"], name="uniq_star_name"),
        ]

    def __str__(self) -> str:
        return self.name


class StarQuota(models.Model):
    """A quota (名额): at most `max_share` of the subjects under one county may stand at
    `level` in one period."""

    scheme = models.ForeignKey(StarScheme, on_delete=models.CASCADE, related_name="quotas")
    level = models.PositiveSmallIntegerField("星级")
    max_share = models.DecimalField("比例上限", max_digits=4, decimal_places=3)

    class Meta:
        ordering = ["scheme", "-level"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "level"], name="uniq_star_quota_level")
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.level} 星 ≤ {self.max_share:.0%}"


class StarAward(models.Model):
    """One star for one subject in one period (评星): proposed by the township with evidence,
    confirmed by the county, or withdrawn with a reason. Rows are never deleted, so every
    period keeps its history."""

    # Seen through its subject: the rated organization, or the member's current branch.
    scope_path_field = ("organization__path", "member__organization__path")

    scheme = models.ForeignKey(StarScheme, on_delete=models.PROTECT, related_name="awards")
    star = models.ForeignKey(Star, on_delete=models.PROTECT, related_name="awards")
    organization = models.ForeignKey(
        "orgs.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="star_awards",
        verbose_name="党组织",
    )
    member = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="star_awards",
        verbose_name="党员",
    )
    period = models.CharField("评定期间", max_length=8)
    status = models.CharField(
        "状态", max_length=16, choices=AwardStatus.choices, default=AwardStatus.PROPOSED
    )
    evidence = models.TextField("评定依据", blank=True)
    evidence_file = models.FileField("证明材料", upload_to="ratings/%Y/%m/", blank=True)
    evidence_name = models.CharField("材料文件名", max_length=200, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField("申报时间", auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField("撤销时间", null=True, blank=True)
    withdrawal_reason = models.TextField("撤销原因", blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["period", "star__position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organization__isnull=False, member__isnull=True)
                | models.Q(organization__isnull=True, member__isnull=False),
                name="star_award_one_subject",
            ),
            # A star is held (or asked for) once per subject and period; withdrawn rows stay.
            models.UniqueConstraint(
                fields=["star", "organization", "period"],
                condition=models.Q(status__in=["proposed", "confirmed"]),
                name="one_live_star_per_org",
            ),
            models.UniqueConstraint(
                fields=["star", "member", "period"],
                condition=models.Q(status__in=["proposed", "confirmed"]),
                name="one_live_star_per_member",
            ),
        ]
        # Levels are counted by (subject, scheme, period, status): the subject indexes cover
        # all four; the scheme index serves the lists of one scheme and period.
        indexes = [
            models.Index(fields=["organization", "scheme", "period", "status"]),
            models.Index(fields=["member", "scheme", "period", "status"]),
            models.Index(fields=["scheme", "period", "status"]),
        ]
        verbose_name = "星级评定"

    def __str__(self) -> str:
        return f"{self.subject} {self.period} {self.star.name}"

    @property
    def subject(self):
        return self.organization if self.organization_id else self.member

    @property
    def subject_organization(self):
        """The organization whose subtree decides who sees the award: the rated organization,
        or the member's current branch."""
        return self.organization if self.organization_id else self.member.organization
