import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models

from zuzhi.core.scope import ScopedQuerySet


class Grade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    QUALIFIED = "qualified", "合格"
    BASIC = "basic", "基本合格"
    UNQUALIFIED = "unqualified", "不合格"


class RoundStatus(models.TextChoices):
    OPEN = "open", "自评和投票中"
    CLOSED = "closed", "投票结束"
    PUBLISHED = "published", "已公布"


def new_ballot_token() -> str:
    return secrets.token_urlsafe(16)


class AppraisalRound(models.Model):
    """A yearly democratic appraisal of a branch's members (民主评议党员)."""

    scope_path_field = "organization__path"

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="appraisals"
    )
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField(max_length=16, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    excellent_cap = models.DecimalField(
        "优秀比例上限", max_digits=4, decimal_places=3, default=Decimal("0.333")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # The ballot page's address: unguessable, so that a round cannot be found by counting.
    ballot_token = models.CharField(
        max_length=32, unique=True, default=new_ballot_token, editable=False
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="one_appraisal_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year} 年民主评议"


class AppraisalSubject(models.Model):
    """A member appraised in the round: self assessment and the branch's decision."""

    scope_path_field = "round__organization__path"

    round = models.ForeignKey(AppraisalRound, on_delete=models.CASCADE, related_name="subjects")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    self_assessment = models.TextField("个人自评", blank=True)
    grade = models.CharField("评议结果", max_length=16, choices=Grade.choices, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "member"], name="one_subject_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member}"


class BallotCode(models.Model):
    """A one-time ballot code (选票码). Only its hash and whether it was used are kept:
    no voter, no time, nothing that could tie it to the ballot cast with it."""

    scope_path_field = "round__organization__path"

    round = models.ForeignKey(AppraisalRound, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)

    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.round} 选票码"


class Ballot(models.Model):
    """A secret ballot (无记名选票): grades per subject, with no link to who cast it."""

    scope_path_field = "round__organization__path"

    round = models.ForeignKey(AppraisalRound, on_delete=models.CASCADE, related_name="ballots")
    marks = models.JSONField()  # {subject id: grade}

    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.round} 选票"
