"""/api/contests/{id}/results…: computing, publishing and correcting results."""

from ninja import Router

from zuzhi.core.params import ObjectId

from .. import selectors, services
from .base import ContestOut, ReasonIn, VersionOut, contest_of

router = Router()


@router.get(
    "/{int:contest_id}/results", response=list[VersionOut], summary="结果各版本（新版本在前）"
)
def result_list(request, contest_id: ObjectId):
    contest = contest_of(request, contest_id)
    out = []
    for version in selectors.result_versions(user=request.user, contest=contest):
        out.append(
            {
                "id": version.pk,
                "number": version.number,
                "status": version.status,
                "reason": version.reason,
                "published_at": version.published_at,
                "rows": list(selectors.result_rows(user=request.user, version=version)),
            }
        )
    return out


@router.post("/{int:contest_id}/results/compute", response=VersionOut, summary="计算结果（草稿）")
def result_compute(request, contest_id: ObjectId):
    contest = contest_of(request, contest_id)
    version = services.result_compute(actor=request.user, contest=contest)
    return {
        **VersionOut.from_orm(version).dict(exclude={"rows"}),
        "rows": list(selectors.result_rows(user=request.user, version=version)),
    }


@router.post(
    "/{int:contest_id}/results/{int:version_id}/publish",
    response=VersionOut,
    summary="发布结果（发布后锁定）",
)
def result_publish(request, contest_id: ObjectId, version_id: ObjectId):
    contest = contest_of(request, contest_id)
    version = selectors.version_get(user=request.user, contest=contest, pk=version_id)
    version = services.result_publish(actor=request.user, version=version)
    return {
        **VersionOut.from_orm(version).dict(exclude={"rows"}),
        "rows": list(selectors.result_rows(user=request.user, version=version)),
    }


@router.post(
    "/{int:contest_id}/results/revise", response=ContestOut, summary="发起更正（生成新版本）"
)
def result_revise(request, contest_id: ObjectId, payload: ReasonIn):
    return services.result_revise(
        actor=request.user, contest=contest_of(request, contest_id), reason=payload.reason
    )
