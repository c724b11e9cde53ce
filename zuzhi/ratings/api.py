"""Star ratings API (星级评定): the same selectors and services as the pages. Members appear
by name and branch only; no identity numbers or phones."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zuzhi.core.paging import MappedQuerySet, Page, PageMappedQuerySet
from zuzhi.core.params import ObjectId
from zuzhi.orgs.selectors import org_get

from . import selectors, services
from .models import AwardStatus, Star, StarAward
from .periods import period_previous, period_valid

router = Router(tags=["星级评定"])


class StarOut(Schema):
    id: int
    name: str
    position: int


class QuotaOut(Schema):
    level: int
    max_share: Decimal


class SchemeOut(Schema):
    code: str
    organization_id: int | None = Field(
        description="所属党组织：全域默认方案为根节点（或空），县采用的本县方案为该县"
    )
    adopted_from: str | None = Field(description="本县方案采用自哪个默认方案（代码）")
    name: str
    full_title: str
    subject_kind: str
    period_kind: str
    current_period: str
    stars: list[StarOut]
    quotas: list[QuotaOut]


class AwardOut(Schema):
    id: int
    scheme: str
    star_id: int
    star_name: str
    period: str
    status: AwardStatus
    organization_id: int | None
    member_id: int | None
    subject_name: str
    organization_name: str
    evidence: str
    evidence_name: str
    proposed_by: str
    proposed_at: datetime.datetime
    confirmed_by: str
    confirmed_at: datetime.datetime | None
    withdrawn_by: str
    withdrawn_at: datetime.datetime | None
    withdrawal_reason: str


class AwardFilters(Schema):
    scheme: str | None = Field(None, description="方案代码，如 five-star-branch")
    period: str | None = Field(None, description="评定期间，如 2026 或 2026Q3")
    org: ObjectId | None = Field(None, description="只列出该党组织及其下级的评定")
    status: AwardStatus | None = None


class ProposeIn(Schema):
    star_id: ObjectId
    period: str
    organization_id: ObjectId | None = None
    member_id: ObjectId | None = None
    evidence: str = Field("", max_length=2000)


class ConfirmIn(Schema):
    award_ids: list[ObjectId] = Field(..., min_length=1, max_length=services.MAX_CONFIRM_BATCH)


class AdoptIn(Schema):
    organization_id: ObjectId = Field(..., description="采用本县方案的县")


class WithdrawIn(Schema):
    reason: str = Field(..., max_length=500)


class StarCell(Schema):
    star_id: int
    name: str
    award_id: int | None
    status: str | None


class LevelOut(Schema):
    subject_id: int
    subject_name: str
    organization_name: str
    level: int
    proposed: int
    stars: list[StarCell]


class DistributionOut(Schema):
    period: str
    total: int
    levels: dict[int, int]


class ChangeOut(Schema):
    subject_id: int
    subject_name: str
    organization_name: str
    previous_period: str
    previous_level: int
    level: int
    gained: list[str]
    lost: list[str]


def _user_name(user) -> str:
    return (user.full_name or user.get_username()) if user else ""


def _award_out(award: StarAward) -> dict:
    subject = award.subject
    return {
        "id": award.pk,
        "scheme": award.scheme.code,
        "star_id": award.star_id,
        "star_name": award.star.name,
        "period": award.period,
        "status": award.status,
        "organization_id": award.organization_id,
        "member_id": award.member_id,
        "subject_name": subject.name,
        "organization_name": award.subject_organization.name,
        "evidence": award.evidence,
        "evidence_name": award.evidence_name,
        "proposed_by": _user_name(award.proposed_by),
        "proposed_at": award.proposed_at,
        "confirmed_by": _user_name(award.confirmed_by),
        "confirmed_at": award.confirmed_at,
        "withdrawn_by": _user_name(award.withdrawn_by),
        "withdrawn_at": award.withdrawn_at,
        "withdrawal_reason": award.withdrawal_reason,
    }


def _subject_names(scheme, subject) -> tuple[str, str]:
    if selectors.is_member_scheme(scheme):
        return subject.name, subject.organization.name
    return subject.name, subject.parent.name if subject.parent_id else ""


def _period(scheme, period: str | None) -> str:
    period = period or selectors.current_period(scheme)
    if not period_valid(scheme.period_kind, period):
        raise ValidationError({"period": ["评定期间格式不正确，如 2026 或 2026Q3。"]})
    return period


def _scheme_out(s) -> dict:
    return {
        "code": s.code,
        "organization_id": s.organization_id,
        "adopted_from": s.adopted_from.code if s.adopted_from_id else None,
        "name": s.name,
        "full_title": s.full_title,
        "subject_kind": s.subject_kind,
        "period_kind": s.period_kind,
        "current_period": selectors.current_period(s),
        "stars": list(s.stars.all()),
        "quotas": list(s.quotas.all()),
    }


@router.get("/schemes", response=list[SchemeOut], summary="评星方案（本人范围内适用的）")
def scheme_list(request):
    return [_scheme_out(s) for s in selectors.scheme_list(user=request.user)]


@router.post(
    "/schemes/{code}/adopt",
    response={201: SchemeOut},
    summary="县采用本县评星方案（默认方案的副本，星数不变；该县已有评定一并转入）",
)
def scheme_adopt(request, code: str, payload: AdoptIn):
    scheme = selectors.scheme_get(user=request.user, code=code)
    organization = org_get(user=request.user, pk=payload.organization_id)
    copy = services.scheme_adopt(actor=request.user, scheme=scheme, organization=organization)
    return Status(201, _scheme_out(selectors.scheme_get(user=request.user, code=copy.code)))


@router.get(
    "/schemes/{code}/levels",
    response=list[LevelOut],
    summary="各对象本期的星和星级（按组织排列，不按星级排名）",
)
@paginate(Page, page_size=50)
def levels(
    request,
    code: str,
    period: str | None = None,
    q: str | None = None,
    org: ObjectId | None = None,
):
    scheme = selectors.scheme_get(user=request.user, code=code)
    period = _period(scheme, period)
    within = org_get(user=request.user, pk=org) if org else None
    qs = selectors.subject_levels(
        user=request.user, scheme=scheme, period=period, q=q, within=within
    )

    def page(subjects):
        rows = selectors.subject_rows(scheme=scheme, period=period, subjects=subjects)
        return [
            {
                "subject_id": r.subject.pk,
                "subject_name": _subject_names(scheme, r.subject)[0],
                "organization_name": _subject_names(scheme, r.subject)[1],
                "level": r.level,
                "proposed": r.proposed,
                "stars": [
                    {
                        "star_id": star.pk,
                        "name": star.name,
                        "award_id": award.pk if award else None,
                        "status": award.status if award else None,
                    }
                    for star, award in r.cells
                ],
            }
            for r in rows
        ]

    return PageMappedQuerySet(qs, page)


@router.get("/schemes/{code}/distribution", response=DistributionOut, summary="星级分布")
def distribution(request, code: str, period: str | None = None):
    scheme = selectors.scheme_get(user=request.user, code=code)
    period = _period(scheme, period)
    levels = selectors.level_distribution(user=request.user, scheme=scheme, period=period)
    return {"period": period, "total": sum(levels.values()), "levels": levels}


@router.get(
    "/schemes/{code}/changes",
    response=list[ChangeOut],
    summary="升星/降星：与上一期相比星级变化的对象（direction=up 或 down）",
)
@paginate(Page, page_size=50)
def changes(request, code: str, period: str | None = None, direction: str | None = None):
    scheme = selectors.scheme_get(user=request.user, code=code)
    period = _period(scheme, period)
    if direction not in (None, "", "up", "down"):
        raise ValidationError({"direction": ["应为 up 或 down。"]})
    qs = selectors.level_changes(
        user=request.user, scheme=scheme, period=period, direction=direction or None
    )

    def page(subjects):
        return [
            {
                "subject_id": r.subject.pk,
                "subject_name": _subject_names(scheme, r.subject)[0],
                "organization_name": _subject_names(scheme, r.subject)[1],
                "previous_period": period_previous(period),
                "previous_level": r.previous_level,
                "level": r.level,
                "gained": r.gained,
                "lost": r.lost,
            }
            for r in selectors.change_rows(scheme=scheme, period=period, subjects=subjects)
        ]

    return PageMappedQuerySet(qs, page)


@router.get("/awards", response=list[AwardOut], summary="星级评定记录（含已撤销的历史）")
@paginate(Page, page_size=50)
def award_list(request, filters: Query[AwardFilters]):
    scheme = (
        selectors.scheme_get(user=request.user, code=filters.scheme) if filters.scheme else None
    )
    within = org_get(user=request.user, pk=filters.org) if filters.org else None
    qs = selectors.award_list(
        user=request.user,
        scheme=scheme,
        period=filters.period,
        within=within,
        status=filters.status,
    )
    return MappedQuerySet(qs, _award_out)


@router.get("/awards/{int:award_id}", response=AwardOut, summary="星级评定详情")
def award_detail(request, award_id: ObjectId):
    return _award_out(selectors.award_get(user=request.user, pk=award_id))


@router.post("/awards", response={201: AwardOut}, summary="申报一颗星（乡镇或县委组织部）")
def award_propose(request, payload: ProposeIn):
    star = Star.objects.select_related("scheme").filter(pk=payload.star_id).first()
    if star is None:
        raise ValidationError({"star_id": ["没有这颗星。"]})
    if (payload.organization_id is None) == (payload.member_id is None):
        raise ValidationError({"organization_id": ["请指定党组织或党员（二选一）。"]})
    if selectors.is_member_scheme(star.scheme) != (payload.member_id is not None):
        raise ValidationError(
            {
                "member_id": [
                    f"“{star.scheme.name}”的评定对象是{star.scheme.get_subject_kind_display()}。"
                ]
            }
        )
    subject = selectors.subject_get(
        user=request.user,
        scheme=star.scheme,
        pk=payload.member_id or payload.organization_id,
    )
    award = services.award_propose(
        actor=request.user,
        star=star,
        period=payload.period,
        subject=subject,
        evidence=payload.evidence,
    )
    return Status(201, _award_out(selectors.award_get(user=request.user, pk=award.pk)))


@router.post(
    "/awards/confirm", response=list[AwardOut], summary="确认申报的星（县委组织部，可批量）"
)
def award_confirm(request, payload: ConfirmIn):
    awards = selectors.award_get_many(user=request.user, pks=payload.award_ids)
    return [_award_out(a) for a in services.award_confirm(actor=request.user, awards=awards)]


@router.post(
    "/awards/{int:award_id}/withdraw", response=AwardOut, summary="撤销一颗星（须写明原因）"
)
def award_withdraw(request, award_id: ObjectId, payload: WithdrawIn):
    award = selectors.award_get(user=request.user, pk=award_id)
    return _award_out(
        services.award_withdraw(actor=request.user, award=award, reason=payload.reason)
    )
