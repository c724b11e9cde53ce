"""Writes of open challenges (揭榜挂帅): the challenge and its guarded transitions, the
applications with their team and files, the experts' scores, the winner's milestones and the
payments of the reward. Only the talent office of the challenge's county writes; every write
is audited in its transaction, under the challenge's row lock where two clerks could collide.

    draft ─publish→ published ─review→ reviewing ─award→ awarded ─start→ in_progress ─complete→ completed
                        └──────────close──────┴→ closed (没有揭榜方)
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from zuzhi.core.audit import audit_record, snapshot
from zuzhi.core.models import AuditAction
from zuzhi.core.money import yuan
from zuzhi.core.uploads import upload_error
from zuzhi.talent.scoping import require_talent_office, talent_county

from .models import (
    Challenge,
    ChallengeApplication,
    ChallengeMilestone,
    ChallengePayment,
    ChallengeProposalFile,
    ChallengeReviewer,
    ChallengeScore,
    ChallengeState,
    ChallengeTeamMember,
)

S = ChallengeState
CHALLENGE_FIELDS = ["title", "problem", "owner_company", "industry", "reward_fen", "deadline"]
APPLICATION_FIELDS = [
    "applicant",
    "is_team",
    "employer",
    "contact_name",
    "contact_phone",
    "proposal",
    "submitted_on",
]
MAX_FILES = 10


def _audit(actor, action, obj, *, challenge: Challenge, before=None, after=None, message=""):
    audit_record(
        actor=actor,
        action=action,
        target=obj,
        org_path=challenge.county.path,
        before=before,
        after=after,
        message=message,
    )


def _locked(actor, challenge: Challenge) -> Challenge:
    """The write check, then the challenge's row locked for the rest of the transaction."""
    require_talent_office(actor, challenge.county.path, target=challenge)
    return Challenge.objects.select_related("county").select_for_update().get(pk=challenge.pk)


def _require_state(challenge: Challenge, *states: str, rule: str) -> None:
    if challenge.state not in states:
        raise ValidationError(f"榜单现为“{challenge.get_state_display()}”：{rule}")


def _move(actor, challenge: Challenge, state: str, message: str, **fields) -> Challenge:
    before = {"state": challenge.state}
    challenge.state = state
    for name, value in fields.items():
        setattr(challenge, name, value)
    challenge.save(update_fields=["state", *fields])
    _audit(
        actor,
        AuditAction.UPDATE,
        challenge,
        challenge=challenge,
        before=before,
        after={"state": state, **{k: _plain(v) for k, v in fields.items()}},
        message=message,
    )
    return challenge


def _plain(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, ChallengeApplication):
        return value.pk
    return value


# --- the challenge --------------------------------------------------------------------------
@transaction.atomic
def challenge_create(*, actor, data: dict, county=None) -> Challenge:
    """A new draft challenge (新建榜单) of `county`, by default the actor's."""
    county = county or talent_county(actor)
    require_talent_office(actor, county.path)
    challenge = Challenge(county=county, **{f: data[f] for f in CHALLENGE_FIELDS if f in data})
    challenge.full_clean()
    if challenge.reward_fen <= 0:
        raise ValidationError({"reward_fen": ["奖励金额应大于 0。"]})
    challenge.save()
    _audit(
        actor,
        AuditAction.CREATE,
        challenge,
        challenge=challenge,
        after=snapshot(challenge, CHALLENGE_FIELDS),
    )
    return challenge


@transaction.atomic
def challenge_update(*, actor, challenge: Challenge, data: dict) -> Challenge:
    """Edit a draft (已发榜的榜单内容不再修改：揭榜方按发布的内容申请)."""
    challenge = _locked(actor, challenge)
    _require_state(challenge, S.DRAFT, rule="只有草稿可以修改。")
    before = snapshot(challenge, CHALLENGE_FIELDS)
    for f in CHALLENGE_FIELDS:
        if f in data:
            setattr(challenge, f, data[f])
    challenge.full_clean()
    if challenge.reward_fen <= 0:
        raise ValidationError({"reward_fen": ["奖励金额应大于 0。"]})
    challenge.save()
    _audit(
        actor,
        AuditAction.UPDATE,
        challenge,
        challenge=challenge,
        before=before,
        after=snapshot(challenge, CHALLENGE_FIELDS),
    )
    return challenge


@transaction.atomic
def challenge_publish(
    *, actor, challenge: Challenge, today: datetime.date | None = None
) -> Challenge:
    """Publish (发榜): on the public page from now on; the deadline must still be ahead.
    `today` is the date of the act (the demo replays past ones); by default today."""
    challenge = _locked(actor, challenge)
    _require_state(challenge, S.DRAFT, rule="只有草稿可以发榜。")
    today = today or timezone.localdate()
    if challenge.deadline < today:
        raise ValidationError("揭榜截止日期已过，请先修改截止日期再发榜。")
    return _move(actor, challenge, S.PUBLISHED, "发榜", published_on=today)


@transaction.atomic
def challenge_review(
    *, actor, challenge: Challenge, today: datetime.date | None = None
) -> Challenge:
    """Close applications and start the review (开始评审): only after the deadline, so that
    nobody who could still apply is shut out; and only with applications to review."""
    challenge = _locked(actor, challenge)
    _require_state(challenge, S.PUBLISHED, rule="只有揭榜中的榜单可以开始评审。")
    if (today or timezone.localdate()) <= challenge.deadline:
        raise ValidationError(
            f"揭榜截止日期（{challenge.deadline:%Y-%m-%d}）之后才能开始评审，截止前仍可申请揭榜。"
        )
    if not challenge.applications.exists():
        raise ValidationError("没有揭榜申请，不能评审；可以关闭榜单。")
    return _move(actor, challenge, S.REVIEWING, "截止申请，开始评审")


@transaction.atomic
def challenge_award(
    *,
    actor,
    challenge: Challenge,
    application: ChallengeApplication,
    reason: str,
    today: datetime.date | None = None,
) -> Challenge:
    """Pick the winner (揭榜成功), with the reason kept on the challenge."""
    challenge = _locked(actor, challenge)
    _require_state(challenge, S.REVIEWING, rule="评审中才能确定揭榜方。")
    if application.challenge_id != challenge.pk:
        raise ValidationError({"application": ["该申请不是本榜单的揭榜申请。"]})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请填写确定揭榜方的理由。"]})
    return _move(
        actor,
        challenge,
        S.AWARDED,
        f"确定揭榜方：{application.applicant}",
        winner=application,
        award_reason=reason,
        awarded_on=today or timezone.localdate(),
    )


@transaction.atomic
def challenge_start(*, actor, challenge: Challenge) -> Challenge:
    """The winner starts work (开始攻关): its milestones must be set first."""
    challenge = _locked(actor, challenge)
    _require_state(challenge, S.AWARDED, rule="确定揭榜方后才能开始攻关。")
    if not challenge.milestones.exists():
        raise ValidationError("请先列出攻关节点，再开始攻关。")
    return _move(actor, challenge, S.IN_PROGRESS, "开始攻关")


@transaction.atomic
def challenge_complete(*, actor, challenge: Challenge) -> Challenge:
    """Completed (攻关完成): every milestone done."""
    challenge = _locked(actor, challenge)
    _require_state(challenge, S.IN_PROGRESS, rule="攻关中的榜单才能办结。")
    open_ = challenge.milestones.filter(done_on__isnull=True).count()
    if open_:
        raise ValidationError(f"还有 {open_} 个攻关节点未完成，不能办结。")
    return _move(actor, challenge, S.COMPLETED, "攻关完成", completed_on=timezone.localdate())


@transaction.atomic
def challenge_close(*, actor, challenge: Challenge, reason: str) -> Challenge:
    """Close without a winner (未揭榜关闭): while applying or in review, with the reason."""
    challenge = _locked(actor, challenge)
    _require_state(challenge, S.PUBLISHED, S.REVIEWING, rule="只有揭榜中或评审中的榜单可以关闭。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请填写关闭原因。"]})
    return _move(actor, challenge, S.CLOSED, "关闭榜单（无揭榜方）", closed_reason=reason)


# --- applications ---------------------------------------------------------------------------
def _checked_files(files) -> list:
    files = list(files or ())
    if len(files) > MAX_FILES:
        raise ValidationError({"files": [f"每次最多上传 {MAX_FILES} 个文件。"]})
    errors = [e for e in (upload_error(f) for f in files) if e]
    if errors:
        raise ValidationError({"files": errors})
    return files


AWARDED_EVENT = "确定揭榜方的日期"


def _require_day(
    field: str, label: str, day: datetime.date, *, since: datetime.date | None, event: str, today
) -> None:
    """A day already past (not after `today`) and not before the challenge's own `since`
    (its publishing, the winner's choice): otherwise a typing slip, refused in Chinese."""
    if day > (today or timezone.localdate()):
        raise ValidationError({field: [f"{label}不能晚于今天。"]})
    if since is not None and day < since:
        raise ValidationError({field: [f"{label}不能早于{event}（{since:%Y-%m-%d}）。"]})


@transaction.atomic
def application_create(
    *,
    actor,
    challenge: Challenge,
    data: dict,
    members: list[dict] = (),
    files=(),
    today: datetime.date | None = None,
) -> ChallengeApplication:
    """Enter an application (登记揭榜申请) received while the challenge is open (between its
    publishing and its deadline, and not in the future), with its team members (name,
    employer) and proposal files."""
    challenge = _locked(actor, challenge)
    _require_state(challenge, S.PUBLISHED, rule="只有揭榜中的榜单可以登记揭榜申请。")
    application = ChallengeApplication(
        challenge=challenge, **{f: data[f] for f in APPLICATION_FIELDS if f in data}
    )
    application.full_clean(exclude=["challenge"])
    if application.submitted_on > challenge.deadline:
        raise ValidationError(
            {"submitted_on": [f"申请日期晚于揭榜截止日期（{challenge.deadline:%Y-%m-%d}）。"]}
        )
    _require_day(
        "submitted_on",
        "申请日期",
        application.submitted_on,
        since=challenge.published_on,
        event="发榜日期",
        today=today,
    )
    team = [ChallengeTeamMember(**m) for m in members]
    for member in team:
        member.full_clean(exclude=["application"])
    files = _checked_files(files)
    application.save()
    for member in team:
        member.application = application
    ChallengeTeamMember.objects.bulk_create(team)
    for upload in files:
        ChallengeProposalFile.objects.create(application=application, file=upload, name=upload.name)
    _audit(
        actor,
        AuditAction.CREATE,
        application,
        challenge=challenge,
        after={
            **snapshot(application, APPLICATION_FIELDS),
            "members": [m.name for m in team],
            "files": [f.name for f in files],
        },
    )
    return application


@transaction.atomic
def proposal_files_add(*, actor, application: ChallengeApplication, files) -> list:
    """More files of a proposal (补充方案材料), until the winner is chosen."""
    challenge = _locked(actor, application.challenge)
    _require_state(challenge, S.PUBLISHED, S.REVIEWING, rule="确定揭榜方后不能再补充方案材料。")
    files = _checked_files(files)
    if not files:
        raise ValidationError({"files": ["请选择要上传的文件。"]})
    added = [
        ChallengeProposalFile.objects.create(application=application, file=f, name=f.name)
        for f in files
    ]
    _audit(
        actor,
        AuditAction.UPDATE,
        application,
        challenge=challenge,
        after={"files": [f.name for f in added]},
        message="补充方案材料",
    )
    return added


# --- review ---------------------------------------------------------------------------------
@transaction.atomic
def reviewer_add(
    *, actor, challenge: Challenge, name: str, affiliation: str = ""
) -> ChallengeReviewer:
    """Name an expert of the review panel (评审专家)."""
    challenge = _locked(actor, challenge)
    _require_state(challenge, S.PUBLISHED, S.REVIEWING, rule="确定揭榜方后不能再增加评审专家。")
    reviewer = ChallengeReviewer(
        challenge=challenge, name=(name or "").strip(), affiliation=affiliation
    )
    reviewer.full_clean(exclude=["challenge"], validate_constraints=False)
    if challenge.reviewers.filter(name=reviewer.name).exists():
        raise ValidationError({"name": [f"评审专家“{reviewer.name}”已在名单中。"]})
    reviewer.save()
    _audit(
        actor,
        AuditAction.CREATE,
        reviewer,
        challenge=challenge,
        after=snapshot(reviewer, ["name", "affiliation"]),
    )
    return reviewer


def _score(value) -> Decimal:
    try:
        score = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"score": ["评分应为 0 至 100 的数，最多两位小数。"]}) from exc
    if not score.is_finite() or not 0 <= score <= 100 or score != score.quantize(Decimal("0.01")):
        raise ValidationError({"score": ["评分应为 0 至 100 的数，最多两位小数。"]})
    return score.quantize(Decimal("0.01"))


@transaction.atomic
def score_set(
    *,
    actor,
    application: ChallengeApplication,
    reviewer: ChallengeReviewer,
    score,
    comment: str = "",
) -> ChallengeScore:
    """Record (or correct) one expert's score of one application, during the review."""
    challenge = _locked(actor, application.challenge)
    _require_state(challenge, S.REVIEWING, rule="评审中才能打分。")
    if reviewer.challenge_id != challenge.pk:
        raise ValidationError({"reviewer": ["该专家不是本榜单的评审专家。"]})
    value = _score(score)
    row, created = ChallengeScore.objects.select_for_update().get_or_create(
        application=application, reviewer=reviewer, defaults={"score": value, "comment": comment}
    )
    before = None if created else {"score": str(row.score), "comment": row.comment}
    if not created:
        row.score, row.comment = value, comment
        row.save(update_fields=["score", "comment"])
    _audit(
        actor,
        AuditAction.CREATE if created else AuditAction.UPDATE,
        row,
        challenge=challenge,
        before=before,
        after={"score": str(value), "comment": comment},
    )
    return row


# --- the winner's milestones and payments ----------------------------------------------------
@transaction.atomic
def milestone_add(
    *, actor, challenge: Challenge, title: str, due_on: datetime.date
) -> ChallengeMilestone:
    """A milestone of the winner's work (攻关节点), set once the winner is chosen."""
    challenge = _locked(actor, challenge)
    _require_state(challenge, S.AWARDED, S.IN_PROGRESS, rule="确定揭榜方后才能设定攻关节点。")
    milestone = ChallengeMilestone(challenge=challenge, title=(title or "").strip(), due_on=due_on)
    milestone.full_clean(exclude=["challenge"])
    milestone.save()
    _audit(
        actor,
        AuditAction.CREATE,
        milestone,
        challenge=challenge,
        after=snapshot(milestone, ["title", "due_on"]),
    )
    return milestone


@transaction.atomic
def milestone_done(
    *,
    actor,
    milestone: ChallengeMilestone,
    done_on: datetime.date,
    evidence: str,
    evidence_file=None,
    today: datetime.date | None = None,
) -> ChallengeMilestone:
    """A milestone reached (节点完成), with its evidence (佐证: text, and a file if any), on a
    day past and not before the winner was chosen."""
    challenge = _locked(actor, milestone.challenge)
    _require_state(challenge, S.IN_PROGRESS, rule="攻关中才能登记节点完成。")
    milestone = ChallengeMilestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.done_on is not None:
        raise ValidationError("该节点已登记完成。")
    evidence = (evidence or "").strip()
    if not evidence:
        raise ValidationError({"evidence": ["请填写完成情况及佐证。"]})
    _require_day(
        "done_on", "完成日期", done_on, since=challenge.awarded_on, event=AWARDED_EVENT, today=today
    )
    if evidence_file is not None:
        _checked_files([evidence_file])
        milestone.evidence_file = evidence_file
    milestone.done_on, milestone.evidence = done_on, evidence
    milestone.save()
    _audit(
        actor,
        AuditAction.UPDATE,
        milestone,
        challenge=challenge,
        after={"done_on": done_on.isoformat(), "evidence": evidence},
        message="节点完成",
    )
    return milestone


def paid_fen(challenge: Challenge) -> int:
    return challenge.payments.aggregate(total=Sum("amount_fen"))["total"] or 0


@transaction.atomic
def payment_record(
    *,
    actor,
    challenge: Challenge,
    milestone: ChallengeMilestone,
    amount_fen: int,
    paid_on: datetime.date,
    note: str = "",
    today: datetime.date | None = None,
) -> ChallengePayment:
    """A payment of the reward (奖励拨付) against a milestone, on a day past and not before the
    winner was chosen. The challenge's row lock makes two clerks' payments take turns, so the
    total paid can never pass the reward."""
    challenge = _locked(actor, challenge)
    _require_state(
        challenge, S.AWARDED, S.IN_PROGRESS, S.COMPLETED, rule="确定揭榜方后才能拨付奖励。"
    )
    if milestone.challenge_id != challenge.pk:
        raise ValidationError({"milestone": ["该节点不是本榜单的攻关节点。"]})
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        raise ValidationError({"amount_fen": ["拨付金额应为大于 0 的整数（分）。"]})
    _require_day(
        "paid_on", "拨付日期", paid_on, since=challenge.awarded_on, event=AWARDED_EVENT, today=today
    )
    paid = paid_fen(challenge)
    if paid + amount_fen > challenge.reward_fen:
        raise ValidationError(
            {
                "amount_fen": [
                    f"拨付后累计 {yuan(paid + amount_fen)} 元，超过奖励金额 "
                    f"{yuan(challenge.reward_fen)} 元（已拨付 {yuan(paid)} 元，"
                    f"最多还可拨付 {yuan(challenge.reward_fen - paid)} 元）。"
                ]
            }
        )
    payment = ChallengePayment(
        challenge=challenge, milestone=milestone, amount_fen=amount_fen, paid_on=paid_on, note=note
    )
    payment.full_clean()
    payment.save()
    _audit(
        actor,
        AuditAction.CREATE,
        payment,
        challenge=challenge,
        after={
            "milestone": milestone.title,
            "amount_fen": amount_fen,
            "paid_on": paid_on.isoformat(),
            "note": note,
        },
    )
    return payment
