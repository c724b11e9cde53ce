"""/api/three-ones (三个一): contacts with the problems found, problems, summaries and
compliance. Thin over selectors and services."""

import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zuzhi.core.paging import Page
from zuzhi.core.params import ObjectId, ObjectIds

from . import selectors, services
from .models import Aspect, ContactKind, ProblemStatus
from .scoping import require_reader

router = Router(tags=["三个一"])


class ContactCadreOut(Schema):
    id: int
    name: str


class ProblemOut(Schema):
    id: int
    contact_id: int
    cadre: ContactCadreOut
    aspect: Aspect = Field(..., alias="problem_type.aspect")
    problem_type_id: int
    problem_type: str = Field(..., alias="problem_type.name")
    found_on: datetime.date
    description: str
    status: ProblemStatus
    rectified_on: datetime.date | None
    rectification_note: str


class ContactOut(Schema):
    id: int
    kind: ContactKind
    date: datetime.date
    team_id: int
    team_name: str = Field(..., alias="team.name")
    recorder_name: str
    cadres: list[ContactCadreOut]
    summary: str

    @staticmethod
    def resolve_cadres(obj):
        # Sorted here: the list prefetches the cadres, which an order_by would query again.
        cadres = sorted(obj.cadres.all(), key=lambda c: (c.name, c.pk))
        return [{"id": c.pk, "name": c.name} for c in cadres]


class ContactDetailOut(ContactOut):
    problems: list[ProblemOut] = Field(..., alias="visible_problems")


class ProblemIn(Schema):
    cadre_id: ObjectId
    problem_type_id: ObjectId
    description: str = Field(..., max_length=2000)


class ContactIn(Schema):
    team_id: ObjectId
    kind: ContactKind
    date: datetime.date
    cadre_ids: ObjectIds = Field([], description="谈话、走访对象；每季度一研不选时为班子全体成员")
    summary: str = Field(..., max_length=4000)
    problems: Annotated[list[ProblemIn], Field(max_length=100)] = []


class ContactFilters(Schema):
    kind: ContactKind | None = None
    since: datetime.date | None = Field(None, description="起始日期（含）")
    until: datetime.date | None = Field(None, description="截止日期（含）")
    team: ObjectId | None = None
    cadre: ObjectId | None = None
    recorded_by: ObjectId | None = Field(None, description="记录人账号 id")


class ProblemFilters(Schema):
    status: ProblemStatus | None = None
    aspect: Aspect | None = None
    team: ObjectId | None = None
    cadre: ObjectId | None = None


class ProblemRectifyIn(Schema):
    rectified_on: datetime.date
    note: str = Field(..., max_length=2000)


class ProblemSummaryFilters(Schema):
    team: ObjectId | None = None
    since: datetime.date | None = None
    until: datetime.date | None = None


class ProblemTypeCountOut(Schema):
    aspect: str
    problem_type: str
    count: int


class ProblemAspectCountOut(Schema):
    aspect: str
    count: int


class ProblemSummaryOut(Schema):
    total: int
    by_aspect: list[ProblemAspectCountOut]
    by_type: list[ProblemTypeCountOut]


class ContactComplianceOut(Schema):
    team_id: int
    team_name: str
    leader: str
    weekly_talk: bool
    monthly_visit: bool
    quarterly_study: bool


def _team(user, pk):
    return selectors.team_for(user=user, pk=pk) if pk else None


@router.get("/contacts", response=list[ContactOut], summary="三个一记录")
@paginate(Page, page_size=50)
def contact_list(request, filters: Query[ContactFilters]):
    return selectors.contact_list(
        user=request.user,
        kind=filters.kind,
        since=filters.since,
        until=filters.until,
        team=_team(request.user, filters.team),
        cadre_id=filters.cadre,
        recorded_by_id=filters.recorded_by,
    ).prefetch_related("cadres")


def _detail(user, contact):
    """The contact with the problems the user may see (never those about themselves)."""
    contact.visible_problems = list(selectors.contact_problems(user=user, contact=contact))
    return contact


@router.post("/contacts", response={201: ContactDetailOut}, summary="登记三个一（含发现的问题）")
def contact_create(request, payload: ContactIn):
    team = selectors.team_for(user=request.user, pk=payload.team_id)
    members = selectors.members_by_ids(
        team=team,
        day=payload.date,
        ids=[*payload.cadre_ids, *(p.cadre_id for p in payload.problems)],
    )
    types = {
        t.pk: t
        for t in selectors.problem_types().filter(
            pk__in=[p.problem_type_id for p in payload.problems]
        )
    }
    if len(types) != len({p.problem_type_id for p in payload.problems}):
        raise ValidationError({"problems": ["问题类型不存在。"]})
    contact = services.contact_log(
        actor=request.user,
        team=team,
        kind=payload.kind,
        date=payload.date,
        cadres=[members[i] for i in payload.cadre_ids],
        summary=payload.summary,
        problems=[
            services.ProblemInput(
                cadre=members[p.cadre_id],
                problem_type=types[p.problem_type_id],
                description=p.description,
            )
            for p in payload.problems
        ],
    )
    return Status(201, _detail(request.user, contact))


@router.get("/contacts/{int:contact_id}", response=ContactDetailOut, summary="一条三个一记录")
def contact_get(request, contact_id: ObjectId):
    return _detail(request.user, selectors.contact_get(user=request.user, pk=contact_id))


@router.get("/problems", response=list[ProblemOut], summary="发现的问题")
@paginate(Page, page_size=50)
def problem_list(request, filters: Query[ProblemFilters]):
    return selectors.problem_list(
        user=request.user,
        status=filters.status,
        aspect=filters.aspect,
        team=_team(request.user, filters.team),
        cadre_id=filters.cadre,
    )


@router.post("/problems/{int:problem_id}/rectify", response=ProblemOut, summary="问题整改销号")
def problem_rectify(request, problem_id: ObjectId, payload: ProblemRectifyIn):
    problem = selectors.problem_get(user=request.user, pk=problem_id)
    return services.problem_rectify(
        actor=request.user, problem=problem, rectified_on=payload.rectified_on, note=payload.note
    )


@router.get("/summary", response=ProblemSummaryOut, summary="问题按方面、类型汇总")
def summary(request, filters: Query[ProblemSummaryFilters]):
    result = selectors.problem_summary(
        user=request.user,
        team=_team(request.user, filters.team),
        since=filters.since,
        until=filters.until,
    )
    return {
        "total": result.total,
        "by_aspect": [{"aspect": a, "count": n} for a, n in result.by_aspect],
        "by_type": [{"aspect": a, "problem_type": t, "count": n} for a, t, n in result.by_type],
    }


@router.get(
    "/compliance",
    response=list[ContactComplianceOut],
    summary="本周、本月、本季度未记录的班子负责人",
)
def compliance(request, missing: bool = False):
    return [
        {
            "team_id": row.team.pk,
            "team_name": row.team.name,
            "leader": row.leader,
            **row.done,
        }
        for row in selectors.compliance(user=request.user, missing_only=missing)
    ]


class ProblemTypeOut(Schema):
    id: int
    aspect: Aspect
    name: str
    sort_order: int
    is_active: bool


class ProblemTypeIn(Schema):
    aspect: Aspect
    name: str = Field(..., max_length=64)
    sort_order: int = Field(0, ge=0, le=10_000)


@router.get(
    "/problem-types",
    response=list[ProblemTypeOut],
    summary="问题类型（默认列表可由干部科修改）",
)
def problem_type_list(request, active: bool = False):
    require_reader(request.user)
    return list(selectors.problem_types(active_only=active))


@router.post("/problem-types", response={201: ProblemTypeOut}, summary="新增问题类型（干部科）")
def problem_type_create(request, payload: ProblemTypeIn):
    return Status(201, services.problem_type_create(actor=request.user, **payload.dict()))
