"""The democratic appraisal of a leadership team's cadres (班子和干部民主测评) on 德能勤绩廉:
secret ballots cast with one-time codes (the codes of `zuzhi.appraisal`), each code of one
weighted rater group (测评主体). Closing a round fixes one result row per cadre."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from zuzhi.appraisal.models import new_ballot_token
from zuzhi.cadres.models import AssessmentResult
from zuzhi.cadres.models.scoping import CadreQuerySet


class AppraisalStatus(models.TextChoices):
    OPEN = "open", "测评中"
    CLOSED = "closed", "已结束"


class Dimension(models.TextChoices):
    """德能勤绩廉, each graded on the ballot; the overall grade (综合评价) is asked apart."""

    MORALITY = "de", "德"
    ABILITY = "neng", "能"
    DILIGENCE = "qin", "勤"
    PERFORMANCE = "ji", "绩"
    INTEGRITY = "lian", "廉"


OVERALL = "overall"  # the key of the overall grade in a ballot's marks
# The four grades of cadres (优秀/称职/基本称职/不称职): the registry's annual-assessment
# results without 不定等次, which no rater gives.
BALLOT_GRADES = [
    AssessmentResult.EXCELLENT,
    AssessmentResult.COMPETENT,
    AssessmentResult.BASICALLY,
    AssessmentResult.INCOMPETENT,
]


class TeamAppraisal(models.Model):
    """A democratic appraisal round of one leadership team (民主测评)."""

    scope_path_field = "team__organization__path"

    team = models.ForeignKey(
        "cadres.LeadershipTeam", on_delete=models.PROTECT, related_name="+", verbose_name="领导班子"
    )
    year = models.PositiveSmallIntegerField("年度")
    opened_on = models.DateField("测评日期")
    status = models.CharField(
        "状态", max_length=8, choices=AppraisalStatus.choices, default=AppraisalStatus.OPEN
    )
    closed_on = models.DateField("结束日期", null=True, blank=True)
    # The thresholds the results were judged by, copied from the settings when it closed.
    approval_min = models.CharField("优秀和称职占比下限", max_length=16, blank=True)
    unfit_max = models.CharField("不称职占比上限", max_length=16, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    # The ballot page's address: unguessable, so that a round cannot be found by counting.
    ballot_token = models.CharField(
        max_length=32, unique=True, default=new_ballot_token, editable=False
    )

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "民主测评"
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team"],
                condition=Q(status="open"),
                name="one_open_team_appraisal",
            )
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.year} 年民主测评"


class RaterGroup(models.Model):
    """A weighted group of raters (测评主体): 班子成员, 中层干部, 服务对象… weights sum to 100."""

    scope_path_field = "appraisal__team__organization__path"

    appraisal = models.ForeignKey(TeamAppraisal, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField("测评主体", max_length=40)
    weight = models.DecimalField("权重（%）", max_digits=5, decimal_places=2)
    order = models.PositiveSmallIntegerField(default=0)

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "测评主体"
        ordering = ["appraisal", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "name"], name="uniq_rater_group_name")
        ]

    def __str__(self) -> str:
        return self.name


class AppraisalSubject(models.Model):
    """A cadre appraised: a holder of one of the team's posts when the round opened."""

    scope_path_field = "appraisal__team__organization__path"

    appraisal = models.ForeignKey(TeamAppraisal, on_delete=models.CASCADE, related_name="subjects")
    cadre = models.ForeignKey("cadres.Cadre", on_delete=models.PROTECT, related_name="+")
    post = models.CharField("职务", max_length=128)
    order = models.PositiveSmallIntegerField(default=0)

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "测评对象"
        ordering = ["appraisal", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "cadre"], name="uniq_appraisal_subject")
        ]

    def __str__(self) -> str:
        return f"{self.cadre}"


class AppraisalBallotCode(models.Model):
    """A one-time ballot code of a rater group: only its hash and whether it was used."""

    scope_path_field = "appraisal__team__organization__path"

    appraisal = models.ForeignKey(TeamAppraisal, on_delete=models.CASCADE, related_name="codes")
    group = models.ForeignKey(RaterGroup, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "民主测评选票码"

    def __str__(self) -> str:
        return f"{self.appraisal} 选票码"


class AppraisalBallot(models.Model):
    """A secret ballot (无记名选票): its rater group and the grades, nothing about the voter."""

    scope_path_field = "appraisal__team__organization__path"

    appraisal = models.ForeignKey(TeamAppraisal, on_delete=models.CASCADE, related_name="ballots")
    group = models.ForeignKey(RaterGroup, on_delete=models.PROTECT, related_name="ballots")
    marks = models.JSONField()  # {subject id: {"de": grade, …, "overall": grade}}

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "民主测评选票"

    def __str__(self) -> str:
        return f"{self.appraisal} 选票"


class TeamAppraisalResult(models.Model):
    """A cadre's result of a closed round, fixed when it closed (测评结果): the weighted shares
    of the overall grade, the threshold flags decided on exact fractions, and the counts."""

    scope_path_field = "appraisal__team__organization__path"

    appraisal = models.ForeignKey(TeamAppraisal, on_delete=models.CASCADE, related_name="results")
    cadre = models.ForeignKey("cadres.Cadre", on_delete=models.PROTECT, related_name="+")
    closed_on = models.DateField(
        "结束日期"
    )  # the round's, here so that the triggers read one table
    approval = models.DecimalField("优秀和称职加权占比", max_digits=5, decimal_places=4)
    unfit = models.DecimalField("不称职加权占比", max_digits=5, decimal_places=4)
    below_approval = models.BooleanField("优秀和称职低于下限", default=False)
    above_unfit = models.BooleanField("不称职高于上限", default=False)
    # {group id: {"name", "weight", "ballots", "overall": {grade: n}, "dimensions": {dim: {grade: n}}}}
    counts = models.JSONField()

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "民主测评结果"
        ordering = ["appraisal", "pk"]
        indexes = [models.Index(fields=["cadre", "closed_on"])]
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "cadre"], name="uniq_appraisal_result")
        ]

    def __str__(self) -> str:
        return f"{self.appraisal} {self.cadre}"
