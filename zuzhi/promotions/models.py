"""Annual assessment rounds (年度考核) and rank promotion rounds (职级晋升) of the cadre
section. The grades themselves stay in `cadres.AnnualAssessment` and the ranks in
`cadres.RankGrant`: a round organizes the work and keeps what was decided."""

from django.conf import settings
from django.db import models

from zuzhi.cadres.models import Rank
from zuzhi.cadres.models.scoping import CadreQuerySet


class AssessmentStatus(models.TextChoices):
    OPEN = "open", "评定中"
    CLOSED = "closed", "已结束"


class AssessmentRound(models.Model):
    """A unit's annual assessment of a year (年度考核): its active cadres graded on one page,
    优秀 capped at the share stored when the round opened."""

    scope_path_field = "organization__path"

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="单位"
    )
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField(
        "状态", max_length=8, choices=AssessmentStatus.choices, default=AssessmentStatus.OPEN
    )
    # Copied from ZUZHI_EXCELLENT_SHARE when opened: a later change of the setting does not
    # move the cap of a round under way.
    excellent_share = models.DecimalField("优秀比例", max_digits=4, decimal_places=3)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "年度考核"
        ordering = ["-year", "organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="uniq_assessment_round")
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year} 年度考核"


class PromotionStatus(models.TextChoices):
    OPEN = "open", "酝酿中"
    DECIDED = "decided", "已决定"
    CLOSED = "closed", "已结束"


class PromotionRound(models.Model):
    """A rank promotion round (职级晋升): ranks and places offered per unit, years counted to
    the cutoff date, decided in one sitting."""

    scope_path_field = "organization__path"

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="组织范围",
    )
    name = models.CharField("名称", max_length=100)
    cutoff = models.DateField("任职年限计算截止日期")
    status = models.CharField(
        "状态", max_length=8, choices=PromotionStatus.choices, default=PromotionStatus.OPEN
    )
    effective_on = models.DateField("晋升生效日期", null=True, blank=True)
    document = models.CharField("批准文号", max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "职级晋升"
        ordering = ["-cutoff", "-pk"]

    def __str__(self) -> str:
        return self.name


class PromotionOffer(models.Model):
    """Places of one rank in one unit offered by a round (职数安排)."""

    scope_path_field = "organization__path"

    round = models.ForeignKey(PromotionRound, on_delete=models.CASCADE, related_name="offers")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="单位"
    )
    rank = models.CharField("晋升职级", max_length=24, choices=Rank.choices)
    places = models.PositiveIntegerField("名额")

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "晋升名额"
        ordering = ["round", "organization__path", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organization", "rank"], name="uniq_promotion_offer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.get_rank_display()} {self.places} 名"


class PromotionDecision(models.Model):
    """A cadre promoted by a round: the rank grant it made."""

    scope_path_field = "cadre__organization__path"
    own_field = "cadre__user"

    round = models.ForeignKey(PromotionRound, on_delete=models.CASCADE, related_name="decisions")
    offer = models.ForeignKey(PromotionOffer, on_delete=models.PROTECT, related_name="decisions")
    cadre = models.ForeignKey("cadres.Cadre", on_delete=models.CASCADE, related_name="+")
    # A grant deleted later as wrongly recorded leaves the decision on the round's record.
    grant = models.OneToOneField(
        "cadres.RankGrant", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.PositiveSmallIntegerField("考核积分")

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "晋升决定"
        ordering = ["round", "offer", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["round", "cadre"], name="uniq_promotion_decision")
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.cadre}"
