"""The half-year appraisal of village reserves (村级后备力量半年考评): per township and half
year, an inspection note (考察情况) on each reserve in the pool when it opened, a secret-ballot
democratic appraisal on 德能勤绩廉 with one-time codes (the codes of `zuzhi.appraisal`, the
dimensions and grades of `zuzhi.team_appraisal`), and an outcome per reserve (重点培养, 保留 or
退出) carried into the reserve's history by `zuzhi.reserves.lifecycle`."""

from django.conf import settings
from django.db import models

from zuzhi.appraisal.models import new_ballot_token
from zuzhi.reserves.scoping import ReserveQuerySet


class HalfYear(models.IntegerChoices):
    FIRST = 1, "上半年"
    SECOND = 2, "下半年"


class ReserveAppraisalStatus(models.TextChoices):
    """Voting → closed with the tally fixed → finished once every reserve has an outcome."""

    OPEN = "open", "测评中"
    CLOSED = "closed", "待确定去留"
    FINISHED = "finished", "已完成"


class Outcome(models.TextChoices):
    PRIORITY = "priority", "重点培养"
    KEEP = "keep", "保留"
    EXIT = "exit", "退出"
    # The reserve left the pool another way before the decision (elected, exited): nothing
    # to decide, the history already says why.
    LEFT = "left", "已不在库"


class ReserveAppraisal(models.Model):
    """One township's appraisal of its reserves for one half year (半年考评)."""

    scope_path_field = "township__path"

    township = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="乡镇（街道）"
    )
    year = models.PositiveSmallIntegerField("年度")
    half = models.PositiveSmallIntegerField("半年", choices=HalfYear.choices)
    opened_on = models.DateField("考评日期")
    status = models.CharField(
        "状态",
        max_length=8,
        choices=ReserveAppraisalStatus.choices,
        default=ReserveAppraisalStatus.OPEN,
    )
    closed_on = models.DateField("测评结束日期", null=True, blank=True)
    finished_on = models.DateField("完成日期", null=True, blank=True)
    # The threshold the tally was judged by, copied from the settings when voting closed.
    pass_share = models.CharField("称职以上占比下限", max_length=16, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The ballot page's address: unguessable, so that an appraisal cannot be found by counting.
    ballot_token = models.CharField(
        max_length=32, unique=True, default=new_ballot_token, editable=False
    )

    objects = ReserveQuerySet.as_manager()

    class Meta:
        verbose_name = "后备力量半年考评"
        ordering = ["-year", "-half", "township__path", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "year", "half"],
                name="uniq_reserve_appraisal_period",
                violation_error_message="该乡镇本半年度的后备力量考评已经开展。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.township.name}{self.period}后备力量考评"

    @property
    def period(self) -> str:
        return f"{self.year}年{HalfYear(self.half).label}"


class ReserveAppraisalSubject(models.Model):
    """A reserve appraised: in the pool when the appraisal opened. After closing it holds the
    tally (fixed then), and after the decision the outcome."""

    scope_path_field = "appraisal__township__path"

    appraisal = models.ForeignKey(
        ReserveAppraisal, on_delete=models.CASCADE, related_name="subjects", verbose_name="考评"
    )
    candidate = models.ForeignKey(
        "reserves.ReserveCandidate",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="后备力量",
    )
    village = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="村（社区）"
    )
    order = models.PositiveSmallIntegerField(default=0)
    inspection = models.TextField("考察情况", max_length=2000, blank=True)
    # The tally, fixed on closing: {dimension: {grade: ballots}}; approving is the number of
    # 优秀 and 称职 marks out of marks (ballots × five dimensions).
    counts = models.JSONField("各项等次票数", null=True, blank=True)
    ballots = models.PositiveIntegerField("票数", default=0)
    approving = models.PositiveIntegerField("称职以上项次", default=0)
    marks = models.PositiveIntegerField("评价项次", default=0)
    score = models.DecimalField(
        "称职以上占比", max_digits=5, decimal_places=4, null=True, blank=True
    )
    rank = models.PositiveSmallIntegerField("名次", null=True, blank=True)
    flagged = models.BooleanField("低于下限", default=False)
    outcome = models.CharField("考评结果运用", max_length=8, choices=Outcome.choices, blank=True)
    outcome_reason = models.CharField("说明（退出原因）", max_length=180, blank=True)
    decided_on = models.DateField("确定日期", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ReserveQuerySet.as_manager()

    class Meta:
        verbose_name = "后备力量考评对象"
        ordering = ["appraisal", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["appraisal", "candidate"], name="uniq_reserve_appraisal_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.appraisal} · {self.candidate}"


class ReserveBallotCode(models.Model):
    """A one-time ballot code: only its hash and whether it was used."""

    scope_path_field = "appraisal__township__path"

    appraisal = models.ForeignKey(ReserveAppraisal, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)

    objects = ReserveQuerySet.as_manager()

    class Meta:
        verbose_name = "后备力量考评选票码"

    def __str__(self) -> str:
        return f"{self.appraisal} 选票码"


class ReserveBallot(models.Model):
    """A secret ballot (无记名选票): the grades, nothing about the voter or the code."""

    scope_path_field = "appraisal__township__path"

    appraisal = models.ForeignKey(
        ReserveAppraisal, on_delete=models.CASCADE, related_name="ballots"
    )
    marks = models.JSONField()  # {subject id: {"de": grade, …, "lian": grade}}

    objects = ReserveQuerySet.as_manager()

    class Meta:
        verbose_name = "后备力量考评选票"

    def __str__(self) -> str:
        return f"{self.appraisal} 选票"
