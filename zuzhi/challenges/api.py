"""/api/challenges (揭榜挂帅), the talent office's: challenges, their transitions as actions,
applications (with team, files, the experts' scores), milestones and payments. Thin over
selectors and services; applicants' phones go through core.personal."""

import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from zuzhi.core.paging import Page, PersonalPage
from zuzhi.core.params import ObjectId, Partial, QueryText
from zuzhi.core.personal import personal_view
from zuzhi.core.uploads import attachment_response

from . import selectors, services
from .models import ChallengeState

router = Router(tags=["揭榜挂帅"])


class ChallengeOut(Schema):
    id: int
    county: str = Field(..., alias="county.name")
    title: str
    problem: str
    owner_company: str
    industry: str
    reward_fen: int
    paid_fen: int = Field(..., description="已拨付（分）")
    deadline: datetime.date
    state: ChallengeState
    published_on: datetime.date | None
    winner_id: int | None
    award_reason: str
    awarded_on: datetime.date | None
    closed_reason: str
    completed_on: datetime.date | None


class ChallengeIn(Schema):
    title: str = Field(..., max_length=100)
    problem: str = Field(..., max_length=10_000)
    owner_company: str = Field(..., max_length=128)
    industry: str = Field("", max_length=64)
    reward_fen: int = Field(..., ge=1, le=10**13, description="奖励金额，整数分")
    deadline: datetime.date


class ChallengeFilters(Schema):
    state: ChallengeState | None = None
    q: QueryText = Field("", description="榜单名称、发榜单位或产业")


class ChallengeReasonIn(Schema):
    reason: str = Field(..., max_length=2000)


class ChallengeAwardIn(Schema):
    challenge_application_id: int = Field(..., ge=1, description="揭榜成功的申请")
    reason: str = Field(..., max_length=2000, description="确定揭榜方的理由")


class ChallengeTeamMemberIO(Schema):
    name: str = Field(..., max_length=32)
    employer: str = Field("", max_length=128)
    duty: str = Field("", max_length=64)


class ChallengeFileOut(Schema):
    id: int
    name: str


class ChallengeScoreOut(Schema):
    reviewer_id: int
    reviewer: str = Field(..., alias="reviewer.name")
    score: Decimal
    comment: str


class ChallengeApplicationOut(Schema):
    id: int
    challenge_id: int
    applicant: str
    is_team: bool
    employer: str
    contact_name: str
    contact_phone: str
    proposal: str
    submitted_on: datetime.date
    members: list[ChallengeTeamMemberIO] = Field(..., alias="members.all")
    files: list[ChallengeFileOut] = Field(..., alias="files.all")
    scores: list[ChallengeScoreOut] = Field(..., alias="scores.all")
    average_score: Decimal | None = Field(None, description="专家评分平均分（数据库计算）")
    score_count: int = 0


class ChallengeApplicationIn(Schema):
    applicant: str = Field(..., max_length=128)
    is_team: bool = False
    employer: str = Field("", max_length=128)
    contact_name: str = Field(..., max_length=32)
    contact_phone: str = Field("", max_length=20)
    proposal: str = Field(..., max_length=20_000)
    submitted_on: datetime.date
    members: list[ChallengeTeamMemberIO] = Field([], max_length=50)


class ChallengeReviewerIn(Schema):
    name: str = Field(..., max_length=32)
    affiliation: str = Field("", max_length=128)


class ChallengeReviewerOut(ChallengeReviewerIn):
    id: int


class ChallengeScoreIn(Schema):
    challenge_reviewer_id: int = Field(..., ge=1)
    score: Decimal = Field(..., ge=0, le=100, decimal_places=2)
    comment: str = Field("", max_length=500)


class ChallengeMilestoneIn(Schema):
    title: str = Field(..., max_length=100)
    due_on: datetime.date


class ChallengeMilestoneOut(ChallengeMilestoneIn):
    id: int
    done_on: datetime.date | None
    evidence: str


class ChallengeMilestoneDoneIn(Schema):
    done_on: datetime.date
    evidence: str = Field(..., max_length=5000)


class ChallengePaymentIn(Schema):
    milestone_id: int = Field(..., ge=1)
    amount_fen: int = Field(..., ge=1, le=10**13, description="拨付金额，整数分")
    paid_on: datetime.date
    note: str = Field("", max_length=200)


class ChallengePaymentOut(Schema):
    id: int
    milestone_id: int
    milestone: str = Field(..., alias="milestone.title")
    amount_fen: int
    paid_on: datetime.date
    note: str


class ChallengeDetailOut(ChallengeOut):
    reviewers: list[ChallengeReviewerOut] = Field(..., alias="reviewers.all")
    milestones: list[ChallengeMilestoneOut] = Field(..., alias="milestones.all")
    payments: list[ChallengePaymentOut] = Field(..., alias="payments.all")


def _detail(request, challenge_id: int):
    return selectors.challenge_get(user=request.user, pk=challenge_id)


def _act(request, challenge_id: int, act):
    challenge = _detail(request, challenge_id)
    act(challenge)
    return _detail(request, challenge_id)


@router.get("", response=list[ChallengeOut], summary="榜单列表")
@paginate(Page, page_size=50)
def challenge_list(request, filters: Query[ChallengeFilters]):
    return selectors.challenge_list(user=request.user, state=filters.state or "", query=filters.q)


@router.post("", response={201: ChallengeDetailOut}, summary="新建榜单（草稿）")
def challenge_create(request, payload: ChallengeIn):
    challenge = services.challenge_create(actor=request.user, data=payload.dict())
    return Status(201, _detail(request, challenge.pk))


@router.get("/{int:challenge_id}", response=ChallengeDetailOut, summary="榜单详情")
def challenge_get(request, challenge_id: ObjectId):
    return _detail(request, challenge_id)


@router.patch("/{int:challenge_id}", response=ChallengeDetailOut, summary="修改榜单（草稿）")
def challenge_patch(request, challenge_id: ObjectId, payload: Partial[ChallengeIn]):
    return _act(
        request,
        challenge_id,
        lambda c: services.challenge_update(actor=request.user, challenge=c, data=dict(payload)),
    )


@router.post("/{int:challenge_id}/publish", response=ChallengeDetailOut, summary="发榜")
def challenge_publish(request, challenge_id: ObjectId):
    return _act(
        request, challenge_id, lambda c: services.challenge_publish(actor=request.user, challenge=c)
    )


@router.post(
    "/{int:challenge_id}/review", response=ChallengeDetailOut, summary="截止申请，开始评审"
)
def challenge_review(request, challenge_id: ObjectId):
    return _act(
        request, challenge_id, lambda c: services.challenge_review(actor=request.user, challenge=c)
    )


@router.post("/{int:challenge_id}/award", response=ChallengeDetailOut, summary="确定揭榜方")
def challenge_award(request, challenge_id: ObjectId, payload: ChallengeAwardIn):
    challenge = _detail(request, challenge_id)
    application = selectors.application_get(user=request.user, pk=payload.challenge_application_id)
    services.challenge_award(
        actor=request.user, challenge=challenge, application=application, reason=payload.reason
    )
    return _detail(request, challenge_id)


@router.post("/{int:challenge_id}/start", response=ChallengeDetailOut, summary="开始攻关")
def challenge_start(request, challenge_id: ObjectId):
    return _act(
        request, challenge_id, lambda c: services.challenge_start(actor=request.user, challenge=c)
    )


@router.post("/{int:challenge_id}/complete", response=ChallengeDetailOut, summary="攻关完成")
def challenge_complete(request, challenge_id: ObjectId):
    return _act(
        request,
        challenge_id,
        lambda c: services.challenge_complete(actor=request.user, challenge=c),
    )


@router.post(
    "/{int:challenge_id}/close", response=ChallengeDetailOut, summary="关闭榜单（无揭榜方）"
)
def challenge_close(request, challenge_id: ObjectId, payload: ChallengeReasonIn):
    return _act(
        request,
        challenge_id,
        lambda c: services.challenge_close(actor=request.user, challenge=c, reason=payload.reason),
    )


# --- applications and review ------------------------------------------------------------------
@router.get(
    "/{int:challenge_id}/applications",
    response=list[ChallengeApplicationOut],
    summary="揭榜申请（按平均分排序）",
)
@paginate(Page, page_size=50)
def application_list(request, challenge_id: ObjectId):
    challenge = _detail(request, challenge_id)
    return PersonalPage(
        selectors.application_list(challenge=challenge), user=request.user, where=request.path
    )


@router.post(
    "/{int:challenge_id}/applications",
    response={201: ChallengeApplicationOut},
    summary="登记揭榜申请",
    description="方案附件另用 POST /api/challenges/applications/{id}/files 上传。",
)
def application_create(request, challenge_id: ObjectId, payload: ChallengeApplicationIn):
    challenge = _detail(request, challenge_id)
    data = payload.dict()
    members = data.pop("members")
    application = services.application_create(
        actor=request.user, challenge=challenge, data=data, members=members
    )
    shown = selectors.application_list(challenge=challenge).get(pk=application.pk)
    return Status(201, personal_view(user=request.user, objects=[shown], where=request.path)[0])


@router.post(
    "/applications/{int:challenge_application_id}/files",
    response={201: list[ChallengeFileOut]},
    summary="上传揭榜方案附件",
    description="multipart：files 为一至十个文件（pdf、jpg、png、doc、docx、xls、xlsx、txt）。",
)
def application_files(request, challenge_application_id: ObjectId, files: File[list[UploadedFile]]):
    application = selectors.application_get(user=request.user, pk=challenge_application_id)
    return Status(
        201, services.proposal_files_add(actor=request.user, application=application, files=files)
    )


@router.get(
    "/applications/{int:challenge_application_id}/files/{int:proposal_file_id}",
    url_name="challenge_proposal_file",
    summary="下载揭榜方案附件",
    response={200: None},
)
def application_file(request, challenge_application_id: ObjectId, proposal_file_id: ObjectId):
    application = selectors.application_get(user=request.user, pk=challenge_application_id)
    stored = get_object_or_404(application.files, pk=proposal_file_id)
    return attachment_response(
        stored.file,
        actor=request.user,
        target=application,
        org_path=application.challenge.county.path,
        filename=stored.name,
    )


@router.post(
    "/{int:challenge_id}/reviewers", response={201: ChallengeReviewerOut}, summary="增加评审专家"
)
def reviewer_add(request, challenge_id: ObjectId, payload: ChallengeReviewerIn):
    challenge = _detail(request, challenge_id)
    return Status(
        201,
        services.reviewer_add(
            actor=request.user,
            challenge=challenge,
            name=payload.name,
            affiliation=payload.affiliation,
        ),
    )


@router.put(
    "/applications/{int:challenge_application_id}/scores",
    response=ChallengeScoreOut,
    summary="专家评分（登记或更正）",
)
def score_set(request, challenge_application_id: ObjectId, payload: ChallengeScoreIn):
    application = selectors.application_get(user=request.user, pk=challenge_application_id)
    reviewer = selectors.reviewer_get(user=request.user, pk=payload.challenge_reviewer_id)
    return services.score_set(
        actor=request.user,
        application=application,
        reviewer=reviewer,
        score=payload.score,
        comment=payload.comment,
    )


# --- milestones and payments ------------------------------------------------------------------
@router.post(
    "/{int:challenge_id}/milestones",
    response={201: ChallengeMilestoneOut},
    summary="设定攻关节点",
)
def milestone_add(request, challenge_id: ObjectId, payload: ChallengeMilestoneIn):
    challenge = _detail(request, challenge_id)
    return Status(
        201,
        services.milestone_add(
            actor=request.user, challenge=challenge, title=payload.title, due_on=payload.due_on
        ),
    )


@router.post(
    "/milestones/{int:milestone_id}/done", response=ChallengeMilestoneOut, summary="节点完成"
)
def milestone_done(request, milestone_id: ObjectId, payload: ChallengeMilestoneDoneIn):
    milestone = selectors.milestone_get(user=request.user, pk=milestone_id)
    return services.milestone_done(
        actor=request.user, milestone=milestone, done_on=payload.done_on, evidence=payload.evidence
    )


@router.post(
    "/{int:challenge_id}/payments",
    response={201: ChallengePaymentOut},
    summary="登记奖励拨付",
    description="累计拨付不能超过奖励金额。",
)
def payment_record(request, challenge_id: ObjectId, payload: ChallengePaymentIn):
    challenge = _detail(request, challenge_id)
    milestone = selectors.milestone_get(user=request.user, pk=payload.milestone_id)
    return Status(
        201,
        services.payment_record(
            actor=request.user,
            challenge=challenge,
            milestone=milestone,
            amount_fen=payload.amount_fen,
            paid_on=payload.paid_on,
            note=payload.note,
        ),
    )
