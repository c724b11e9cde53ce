"""/api/contests: contests, their configuration, entrants and supervision cases."""

from ninja import Router, Status
from ninja.pagination import paginate

from zuzhi.core.paging import Page
from zuzhi.core.params import ObjectId
from zuzhi.orgs.selectors import org_get

from .. import selectors, services
from .base import (
    CaseCloseIn,
    ContestDetail,
    ContestIn,
    ContestOut,
    CopyIn,
    EntrantIn,
    EntrantOut,
    StagesIn,
    StoryIn,
    contest_of,
    detail_of,
)

router = Router(tags=["考评竞赛"])


@router.get("", response=list[ContestOut], summary="考评竞赛列表（templates=true 列出模板）")
@paginate(Page, page_size=50)
def contest_list(request, templates: bool = False, q: str = ""):
    return selectors.contest_list(user=request.user, templates=templates, search=q[:50])


@router.post(
    "", response={201: ContestDetail}, summary="新建考评竞赛（含计分环节，权重合计须为 100）"
)
def contest_create(request, payload: ContestIn):
    data = payload.dict()
    organization = selectors.organizer_get(
        user=request.user, pk=data.pop("organization_id"), track=payload.track
    )
    stages = data.pop("stages")
    data["tiers"] = [{"name": t["name"], "min": str(t["min"])} for t in data["tiers"]]
    contest = services.contest_create(
        actor=request.user, organization=organization, data=data, stages=stages
    )
    return Status(201, detail_of(contest))


@router.get("/{int:contest_id}", response=ContestDetail, summary="考评竞赛详情与计分办法")
def contest_detail(request, contest_id: ObjectId):
    return detail_of(contest_of(request, contest_id))


@router.put("/{int:contest_id}/stages", response=ContestDetail, summary="修改计分办法（开始前）")
def contest_configure(request, contest_id: ObjectId, payload: StagesIn):
    contest = contest_of(request, contest_id)
    services.contest_configure(
        actor=request.user, contest=contest, stages=[s.dict() for s in payload.stages]
    )
    return detail_of(contest)


@router.post("/{int:contest_id}/copy", response={201: ContestDetail}, summary="复制模板或往期考评")
def contest_copy(request, contest_id: ObjectId, payload: CopyIn):
    source = contest_of(request, contest_id)
    organization = selectors.organizer_get(
        user=request.user, pk=payload.organization_id, track=source.track
    )
    contest = services.contest_copy(
        actor=request.user,
        source=source,
        organization=organization,
        name=payload.name,
        period_label=payload.period_label,
    )
    return Status(201, detail_of(contest))


@router.post("/{int:contest_id}/start", response=ContestDetail, summary="开始考评")
def contest_start(request, contest_id: ObjectId):
    contest = services.contest_start(actor=request.user, contest=contest_of(request, contest_id))
    return detail_of(contest)


@router.get(
    "/{int:contest_id}/entrants", response=list[EntrantOut], summary="参评对象（本人权限范围内）"
)
@paginate(Page, page_size=100)
def entrant_list(request, contest_id: ObjectId, q: str = ""):
    return selectors.entrant_list(
        user=request.user, contest=contest_of(request, contest_id), search=q[:50]
    )


@router.post("/{int:contest_id}/entrants", response={201: EntrantOut}, summary="添加参评对象")
def entrant_add(request, contest_id: ObjectId, payload: EntrantIn):
    from zuzhi.members.selectors import member_get
    from zuzhi.talent.selectors import talent_get

    contest = contest_of(request, contest_id)
    organization = (
        org_get(user=request.user, pk=payload.organization_id) if payload.organization_id else None
    )
    member = member_get(user=request.user, pk=payload.member_id) if payload.member_id else None
    talent = talent_get(user=request.user, pk=payload.talent_id) if payload.talent_id else None
    entrant = services.entrant_add(
        actor=request.user,
        contest=contest,
        organization=organization,
        member=member,
        talent=talent,
        name=payload.name,
        story=payload.story,
    )
    return Status(201, entrant)


@router.patch(
    "/{int:contest_id}/entrants/{int:entrant_id}",
    response=EntrantOut,
    summary="修改参评对象的事迹简介（公开展示）",
)
def entrant_story(request, contest_id: ObjectId, entrant_id: ObjectId, payload: StoryIn):
    contest = contest_of(request, contest_id)
    entrant = selectors.entrant_get(user=request.user, contest=contest, pk=entrant_id)
    return services.entrant_update(actor=request.user, entrant=entrant, story=payload.story)


@router.post("/{int:contest_id}/cases/{int:case_id}/close", summary="督办事项办结")
def case_close(request, contest_id: ObjectId, case_id: ObjectId, payload: CaseCloseIn):
    contest = contest_of(request, contest_id)
    case = selectors.case_get(user=request.user, contest=contest, pk=case_id)
    case = services.case_close(actor=request.user, case=case, resolution=payload.resolution)
    return {"id": case.pk, "status": case.status, "resolution": case.resolution}
