"""The contest API's schemas and the lookups its operations share."""

import datetime
from decimal import Decimal

from django.http import Http404
from ninja import Field, Schema

from zuzhi.core.params import ObjectId

from .. import selectors, services
from ..models import (
    AdjustmentKind,
    Aggregation,
    ContestStatus,
    DecisionStatus,
    Direction,
    EdgeTies,
    Method,
    StageKind,
    Track,
    TrimOn,
    VoteMethod,
)


class IndicatorSpec(Schema):
    name: str = Field(..., max_length=60)
    weight: Decimal = Field(..., ge=0, le=100, decimal_places=2)
    direction: Direction = Direction.HIGHER
    method: Method = Method.MINMAX
    target: Decimal | None = Field(None, gt=0, lt=10**10)
    cap: Decimal | None = Field(None, ge=0, le=10000)
    unit: str = Field("", max_length=16)
    children: list["IndicatorSpec"] = []


class NamedScore(Schema):
    name: str = Field(..., max_length=60)
    max_score: Decimal = Field(..., gt=0, le=1000, decimal_places=2)


class RaterGroupSpec(Schema):
    name: str = Field(..., max_length=40)
    weight: Decimal = Field(..., ge=0, le=100, decimal_places=2)


class StageSpec(Schema):
    kind: StageKind
    name: str = Field(..., max_length=60)
    weight: Decimal = Field(..., ge=0, le=100, decimal_places=2)
    aggregation: Aggregation = Aggregation.TRIMMED
    trim_on: TrimOn = TrimOn.TOTAL
    vote_method: VoteMethod = VoteMethod.RANK
    rank_points: int = Field(30, ge=1, le=10000)
    votes_per_day: int = Field(1, ge=1, le=1000)
    votes_per_entrant: int = Field(0, ge=0, le=1000)
    votes_total: int = Field(0, ge=0, le=10000)
    vote_opens_at: datetime.datetime | None = None
    vote_closes_at: datetime.datetime | None = None
    criteria: list[NamedScore] = []
    rater_groups: list[RaterGroupSpec] = []
    indicators: list[IndicatorSpec] = []


class StagesIn(Schema):
    stages: list[StageSpec]


class Tier(Schema):
    name: str = Field(..., max_length=20)
    min: Decimal = Field(..., ge=-1000, le=1000)


class ContestIn(Schema):
    organization_id: ObjectId
    name: str = Field(..., max_length=100)
    track: Track
    period_label: str = Field(..., max_length=32)
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    description: str = ""
    top_n: int | None = Field(None, ge=1, le=10000)
    red_list_size: int = Field(0, ge=0, le=10000)
    black_list_size: int = Field(0, ge=0, le=10000)
    edge_ties: EdgeTies = EdgeTies.ALL_IN
    tiers: list[Tier] = []
    bonus_limit: Decimal = Field(Decimal(5), ge=0, le=100)
    penalty_limit: Decimal = Field(Decimal(5), ge=0, le=100)
    stages: list[StageSpec]


class CopyIn(Schema):
    organization_id: ObjectId
    name: str = Field(..., max_length=100)
    period_label: str = Field(..., max_length=32)


class ContestOut(Schema):
    id: int
    organization_id: int | None
    organization_name: str
    name: str
    track: Track
    period_label: str
    status: ContestStatus
    is_template: bool
    top_n: int | None
    red_list_size: int
    black_list_size: int
    edge_ties: EdgeTies

    @staticmethod
    def resolve_organization_name(obj) -> str:
        if isinstance(obj, dict):
            return obj["organization_name"]
        return obj.organization.name if obj.organization else ""


class ContestDetail(ContestOut):
    stages: list[dict]
    problems: list[str]


class EntrantIn(Schema):
    organization_id: ObjectId | None = None
    member_id: ObjectId | None = None
    talent_id: ObjectId | None = None
    name: str = Field("", max_length=100)
    story: str = Field("", max_length=5000)


class EntrantOut(Schema):
    id: int
    number: int
    name: str
    organization_id: int
    organization_name: str = Field(..., alias="organization.name")
    story: str


class ValueIn(Schema):
    entrant_id: ObjectId
    indicator_id: ObjectId
    value: Decimal = Field(..., gt=-(10**9), lt=10**9)
    note: str | None = Field(None, max_length=200)


class ValueOut(Schema):
    entrant_id: int
    indicator_id: int
    value: Decimal
    note: str
    # Whether evidence (佐证材料) is attached; the file itself comes from the scoped
    # GET …/indicator-values/evidence, never from a /media/ address.
    has_evidence: bool

    @staticmethod
    def resolve_has_evidence(obj) -> bool:
        return bool(obj.evidence)


class DirectScoreIn(Schema):
    entrant_id: ObjectId
    stage_id: ObjectId
    rater_group_id: ObjectId | None = None
    score: Decimal = Field(..., ge=0, le=100)


class AdjustmentOut(Schema):
    id: int
    entrant_id: int
    kind: AdjustmentKind
    amount: Decimal
    reason: str
    status: DecisionStatus
    decision_note: str
    # As for indicator values: a flag, and the file only through the scoped
    # GET …/adjustments/{id}/evidence, never a /media/ address or a stored name.
    has_evidence: bool

    @staticmethod
    def resolve_has_evidence(obj) -> bool:
        return bool(obj.evidence)


class DecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=200)


class JudgeIn(Schema):
    username: str = Field(..., max_length=150)


class EntrantRef(Schema):
    entrant_id: ObjectId


class SheetIn(Schema):
    entrant_id: ObjectId
    marks: dict[str, Decimal]


class SheetOut(Schema):
    id: int
    entrant_id: int
    marks: dict[str, str]
    total: Decimal


class CorrectionIn(Schema):
    marks: dict[str, Decimal]
    reason: str = Field(..., max_length=200)


class CorrectionOut(Schema):
    id: int
    sheet_id: int
    marks: dict[str, str]
    reason: str
    status: DecisionStatus


class ReasonIn(Schema):
    reason: str = Field(..., max_length=200)


class ResultRowOut(Schema):
    entrant_id: int
    entrant_name: str = Field(..., alias="entrant.name")
    stage_scores: dict[str, str | None]
    adjustment: Decimal
    final: Decimal
    rank: int
    tier: str
    selected: bool
    list_mark: str
    note: str


class VersionOut(Schema):
    id: int
    number: int
    status: str
    reason: str
    published_at: datetime.datetime | None
    rows: list[ResultRowOut]


class StoryIn(Schema):
    story: str = Field(..., max_length=5000)


class CaseCloseIn(Schema):
    resolution: str = Field(..., max_length=2000)


def contest_of(request, contest_id: int):
    return selectors.contest_get(user=request.user, pk=contest_id)


def stage_of(contest, stage_id: int, kind: StageKind | None = None):
    stage = contest.stages.filter(pk=stage_id).first()
    if stage is None or (kind and stage.kind != kind):
        raise Http404
    return stage


def detail_of(contest):
    stages = list(contest.stages.all())
    return {
        **ContestOut.from_orm(contest).dict(),
        "stages": [
            {"id": stage.pk, **spec}
            for stage, spec in zip(stages, services.stage_specs(contest), strict=True)
        ],
        "problems": services.contest_problems(contest)
        if contest.status == ContestStatus.DRAFT and not contest.is_template
        else [],
    }
