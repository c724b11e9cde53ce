"""The public vote's API: the public router (/api/public/contests, no login) and the
organizer's review of the ledger (/api/contests/{id}/votes/…). Thin adapters over
`voting.services` and `voting.selectors`."""

import datetime

from django.http import Http404, HttpResponse
from ninja import Field, Router, Schema, Status

from zuzhi.core.context import client_ip
from zuzhi.core.params import ObjectId, ObjectIds

from .. import rules
from ..selectors import contest_get
from . import selectors, services
from .services import VOTE_THANKS, VOTER_COOKIE, VOTER_DEVICE_COOKIE

router = Router()
public_router = Router(tags=["公开投票（无需登录）"], auth=None)


class VoidIn(Schema):
    vote_ids: ObjectIds
    reason: str = Field(..., max_length=200)


def _vote_stage(contest):
    stage = rules.public_vote_stage(contest)
    if stage is None:
        raise Http404
    return stage


@router.get(
    "/{int:contest_id}/votes/suspicious",
    summary="可疑投票（同一 IP 段集中投票、同一设备多个手机号）",
)
def votes_suspicious(request, contest_id: ObjectId):
    contest = contest_get(user=request.user, pk=contest_id)
    rules.require_manager(request.user, contest)
    return selectors.suspicious_votes(stage=_vote_stage(contest))


@router.post("/{int:contest_id}/votes/void", summary="作废可疑选票（须写明理由）")
def votes_void(request, contest_id: ObjectId, payload: VoidIn):
    contest = contest_get(user=request.user, pk=contest_id)
    count = services.votes_void(
        actor=request.user,
        stage=_vote_stage(contest),
        vote_ids=payload.vote_ids,
        reason=payload.reason,
    )
    return {"voided": count}


# --- public (no login) ---------------------------------------------------------------------


class PhoneIn(Schema):
    phone: str = Field(..., max_length=20)


class VerifyIn(Schema):
    phone: str = Field(..., max_length=20)
    code: str = Field(..., max_length=10)


class VoteIn(Schema):
    entrant_id: ObjectId


class PublicEntrant(Schema):
    id: int
    number: int
    name: str
    organization: str
    story: str
    photo: str
    votes: int


class PublicContest(Schema):
    id: int
    name: str
    period_label: str
    voting_open: bool
    voting_message: str
    votes_per_day: int
    entrants: list[PublicEntrant]


class PublicContestSummary(Schema):
    id: int
    name: str
    period_label: str
    organizer: str
    voting_open: bool
    voting_message: str
    closes_at: datetime.datetime | None
    url: str


@public_router.get(
    "", response=list[PublicContestSummary], summary="正在公开投票的评选（无需登录）"
)
def public_contests(request):
    return selectors.public_contests_open()


@public_router.get(
    "/{int:contest_id}", response=PublicContest, summary="公开评选：参评对象与票数（不含个人信息）"
)
def public_contest(request, contest_id: ObjectId):
    return selectors.public_contest(pk=contest_id)


@public_router.post("/{int:contest_id}/codes", summary="获取投票验证码（短信）")
def public_code(request, contest_id: ObjectId, payload: PhoneIn):
    contest = selectors.public_contest_get(pk=contest_id)
    services.vote_code_send(contest=contest, phone=payload.phone, ip=client_ip(request))
    return {"message": "验证码已发送。"}


@public_router.post("/{int:contest_id}/voters", summary="校验验证码，取得投票凭证（有效期一天）")
def public_verify(request, contest_id: ObjectId, payload: VerifyIn, response: HttpResponse):
    selectors.public_contest_get(pk=contest_id)
    voter = services.vote_code_verify(phone=payload.phone, code=payload.code, ip=client_ip(request))
    token = services.voter_token(voter)
    response.set_cookie(
        VOTER_COOKIE, token, max_age=services.VOTER_MAX_AGE, httponly=True, samesite="Lax"
    )
    return {"token": token}


@public_router.post(
    "/{int:contest_id}/votes",
    response={201: dict},
    summary="投票（凭证放在 X-Voter-Token 请求头或 Cookie 中）",
)
def public_vote(request, contest_id: ObjectId, payload: VoteIn):
    # The short path (`voting.fastvote`) answers most of these before Django sees them, with
    # the same service and the same answers.
    services.public_vote_cast(
        contest_id=contest_id,
        entrant_id=payload.entrant_id,
        token=request.headers.get("X-Voter-Token") or request.COOKIES.get(VOTER_COOKIE),
        device=request.COOKIES.get(VOTER_DEVICE_COOKIE, ""),
        ip=client_ip(request),
    )
    return Status(201, {"message": VOTE_THANKS})
