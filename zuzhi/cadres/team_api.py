"""/api/teams: leadership teams (班子配备) with their structure, vacancies and the targets they
miss; appointments (任职) and their end (免职) for the cadre section. Thin adapters over
team_selectors and team_services.

- `GET /api/teams` — the teams you see (filters: org, kind, missing, vacant), paged.
- `GET /api/teams/structure` — the structure of all of them together (kind filter).
- `GET /api/teams/targets` — the active structure targets.
- `GET /api/teams/{team_id}` — one team: roster, structure, targets met or missed, vacancies.
- `POST /api/teams/{team_id}/appointments` — appoint a cadre to a post of the team.
- `POST /api/teams/appointments/{holding_id}/end` — end an appointment.
"""

import datetime

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zuzhi.core.paging import Page
from zuzhi.core.params import ObjectId

from . import team_selectors as selectors
from . import team_services as services
from .models import Cadre, TargetKind, TeamKind

router = Router(tags=["领导班子"])


class LabelCount(Schema):
    label: str
    count: int


class StructureOut(Schema):
    total: int = Field(..., description="在任人数（一人任两职计一次）")
    gender: list[LabelCount]
    age: list[LabelCount] = Field(..., description="年龄段（按今天计算的周岁）")
    education: list[LabelCount] = Field(..., description="最高学历：研究生、本科、专科及以下")
    college_label: str = Field(..., description="“本科及以上”")
    college: int = Field(..., description="本科及以上人数")
    college_share: float = Field(..., description="本科及以上占比（%，一位小数，向下取整）")
    minority: int = Field(..., description="少数民族人数")
    non_party: int = Field(..., description="党外干部人数")


class VacancyOut(Schema):
    post_id: int
    title: str
    seats: int
    vacant_since: datetime.date = Field(..., description="空缺起始日期")


class TeamOut(Schema):
    id: int
    name: str
    kind: TeamKind
    kind_label: str
    organization_id: int
    organization_name: str
    seats: int = Field(..., description="职数合计")
    structure: StructureOut
    vacancies: list[VacancyOut]
    missing: list[str] = Field(..., description="未达到的结构目标，如“缺少女性干部”")


class RosterOut(Schema):
    post_id: int
    post: str
    holding_id: int | None = Field(..., description="任职记录；空缺席位为 null")
    name: str
    title: str
    start: datetime.date | None
    rank: str
    age: int | None
    education: str
    gender: str


class TargetCheckOut(Schema):
    id: int
    kind: TargetKind
    label: str
    met: bool
    shortfall: str | None


class TeamDetailOut(TeamOut):
    roster: list[RosterOut]
    specialties: list[LabelCount]
    targets: list[TargetCheckOut]


class CountyStructureOut(Schema):
    teams: int
    seats: int
    vacancies: int = Field(..., description="空缺职位数")
    teams_missing: int = Field(..., description="未达到结构目标的班子数")
    structure: StructureOut
    specialties: list[LabelCount]
    shortfalls: list[LabelCount] = Field(..., description="各项目标未达到的班子数")


class TargetOut(Schema):
    id: int
    kind: TargetKind
    team_kind: str = Field(..., description="适用班子类别；空为全部班子")
    value: int
    parameter: str
    label: str


class TeamFilters(Schema):
    org: ObjectId | None = Field(None, description="只列出该乡镇（单位）党组织的班子")
    kind: TeamKind | None = None
    missing: bool = Field(False, description="只列出未达到结构目标的班子")
    vacant: bool = Field(False, description="只列出有空缺职位的班子")


class AppointIn(Schema):
    post_id: ObjectId
    cadre_id: ObjectId
    start: datetime.date = Field(..., description="任职时间")
    document: str = Field("", max_length=64, description="任免文号")


class EndIn(Schema):
    end: datetime.date = Field(..., description="免职时间：不早于任职时间，不晚于今天")


class HoldingOut(Schema):
    id: int
    cadre_id: int
    cadre_name: str = Field(..., alias="cadre.name")
    team_post_id: int | None
    title: str
    start: datetime.date
    end: datetime.date | None
    document: str


def _pairs(pairs) -> list[dict]:
    return [{"label": label, "count": n} for label, n in pairs]


def _structure(s: dict) -> dict:
    return s | {k: _pairs(s[k]) for k in ("gender", "age", "education")}


def _team(team, *, seats, structure, vacancies, missing) -> dict:
    return {
        "id": team.pk,
        "name": team.name,
        "kind": team.kind,
        "kind_label": team.get_kind_display(),
        "organization_id": team.organization_id,
        "organization_name": team.organization.name,
        "seats": seats,
        "structure": _structure(structure),
        "vacancies": [
            {"post_id": p.pk, "title": p.title, "seats": p.seats, "vacant_since": p.vacant_since}
            for p in vacancies
        ],
        "missing": missing,
    }


def _row(row: selectors.TeamRow) -> dict:
    return _team(
        row.team,
        seats=row.seats,
        structure=row.structure,
        vacancies=row.vacancies,
        missing=row.missing,
    )


@router.get("", response=list[TeamOut], summary="领导班子列表（结构、空缺、未达到的目标）")
@paginate(Page, page_size=50)
def team_list(request, filters: Query[TeamFilters]):
    return [
        _row(r)
        for r in selectors.team_list(
            user=request.user,
            organization_id=filters.org,
            kind=filters.kind,
            missing=filters.missing,
            vacant=filters.vacant,
        )
    ]


@router.get("/structure", response=CountyStructureOut, summary="班子结构分析（全部可见班子）")
def team_structure_all(request, kind: TeamKind | None = None):
    result = selectors.county_structure(user=request.user, kind=kind)
    return result | {
        "structure": _structure(result["structure"]),
        "specialties": _pairs(result["specialties"]),
        "shortfalls": _pairs(result["shortfalls"]),
    }


@router.get("/targets", response=list[TargetOut], summary="启用的班子结构目标")
def team_targets(request):
    return selectors.active_targets()


@router.get("/{int:team_id}", response=TeamDetailOut, summary="领导班子详情（成员、结构、目标）")
def team_detail(request, team_id: ObjectId):
    """The roster shows name, post, rank, age, education and gender: what township staff may
    see of a cadre; never the ID number, family or assessments."""
    team = selectors.team_get(user=request.user, pk=team_id)
    result = selectors.team_structure(team=team)
    posts = list(team.posts.order_by("sort_order", "pk"))
    data = _team(
        team,
        seats=sum(p.seats for p in posts),
        structure=result.structure,
        vacancies=[p for p in posts if p.vacant_since],
        missing=result.missing,
    )
    data["roster"] = [
        {
            "post_id": r.post.pk,
            "post": r.post.title,
            "holding_id": r.holding_id,
            "name": r.name,
            "title": r.title,
            "start": r.start,
            "rank": r.rank,
            "age": r.age,
            "education": r.education,
            "gender": r.gender,
        }
        for r in selectors.team_roster(team=team)
    ]
    data["specialties"] = _pairs(result.specialties)
    data["targets"] = [
        {"id": t.pk, "kind": t.kind, "label": t.label, "met": s is None, "shortfall": s}
        for t, s in result.targets
    ]
    return data


@router.post("/{int:team_id}/appointments", response={201: HoldingOut}, summary="任职（干部科）")
def team_appoint(request, team_id: ObjectId, payload: AppointIn):
    """Refused (400) when every seat of the post is held or the cadre already holds it."""
    team = selectors.team_get(user=request.user, pk=team_id)
    services.team_write_check(actor=request.user, team=team)
    post = team.posts.filter(pk=payload.post_id).first()
    if post is None:
        raise ValidationError({"post_id": ["该职位不属于本班子。"]})
    cadre = Cadre.objects.select_related("organization").get_visible_or_404(
        request.user, pk=payload.cadre_id
    )
    holding = services.post_appoint(
        actor=request.user, post=post, cadre=cadre, start=payload.start, document=payload.document
    )
    return Status(201, holding)


@router.post("/appointments/{int:holding_id}/end", response=HoldingOut, summary="免职（干部科）")
def holding_end(request, holding_id: ObjectId, payload: EndIn):
    holding = services.holding_get_for_write(actor=request.user, pk=holding_id)
    return services.holding_end(actor=request.user, holding=holding, end=payload.end)
