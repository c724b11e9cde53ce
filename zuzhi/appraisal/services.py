"""Democratic appraisal of members (民主评议党员) with secret ballots.

Ballot codes are random, shown once, and stored only as hashes with a used flag; a ballot
stores grades and the round, nothing else. Casting marks a code used and stores the ballot in
one transaction, with a conditional update so a code can never be used twice.
"""

import hashlib
import math
import secrets
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from zuzhi.core.audit import audit_record
from zuzhi.core.dates import require_plausible_year
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import acting_user, require_in_scope
from zuzhi.members.models import Member, MemberStatus
from zuzhi.members.services import MEMBER_ORG_TYPES
from zuzhi.orgs.models import Organization
from zuzhi.points.tally import points_refresh

from .models import AppraisalRound, AppraisalSubject, Ballot, BallotCode, Grade, RoundStatus

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: codes are typed from paper


CODE_LENGTH = 8


def ballot_code_digest(code: str) -> str:
    """What is stored of a ballot code: its hash, case and blanks around it ignored."""
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def ballot_codes_new(count: int) -> list[str]:
    """`count` random one-time ballot codes, to be shown once and stored only as digests."""
    return [
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)) for _ in range(count)
    ]


SCOPE_REFUSED = "试图办理权限范围以外的民主评议"


def excellent_limit(round_: AppraisalRound, subjects: int) -> int:
    """How many may be rated 优秀. The stored share 0.333 means one third: read as the nearest
    simple fraction, so 3 members allow 1, not floor(0.999) = 0."""
    share = Fraction(str(round_.excellent_cap)).limit_denominator(100)
    return math.floor(subjects * share)


def appraisal_open(
    *, actor, organization: Organization, year: int
) -> tuple[AppraisalRound, list[str]]:
    """Open the year's appraisal: every member is appraised; every full member (with a
    vote) gets one ballot code. The plain codes are returned once, for printing."""
    require_in_scope(actor, organization.path, target=organization, message=SCOPE_REFUSED)
    if organization.org_type not in MEMBER_ORG_TYPES:
        raise ValidationError({"organization": ["民主评议以党支部为单位开展。"]})
    require_plausible_year(year=year)
    if AppraisalRound.objects.filter(organization=organization, year=year).exists():
        raise ValidationError({"year": [f"{year} 年的民主评议已经开展。"]})
    members = list(Member.objects.filter(organization=organization))
    if not members:
        raise ValidationError({"organization": ["本支部还没有党员。"]})
    voters = sum(1 for m in members if m.status == MemberStatus.FULL)
    codes = ballot_codes_new(voters)
    with transaction.atomic():
        round_ = AppraisalRound.objects.create(
            organization=organization,
            year=year,
            excellent_cap=Decimal(settings.ZUZHI_APPRAISAL_EXCELLENT_CAP),
            created_by=acting_user(actor),
        )
        AppraisalSubject.objects.bulk_create(
            AppraisalSubject(round=round_, member=m) for m in members
        )
        BallotCode.objects.bulk_create(
            BallotCode(round=round_, digest=ballot_code_digest(c)) for c in codes
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=round_,
            org_path=organization.path,
            after={"year": year, "subjects": len(members), "ballot_codes": voters},
        )
    return round_, codes


def self_assessment_save(*, actor, subject: AppraisalSubject, text: str) -> AppraisalSubject:
    require_in_scope(
        actor,
        subject.round.organization.path,
        target=subject.round.organization,
        message=SCOPE_REFUSED,
    )
    if subject.round.status != RoundStatus.OPEN:
        raise ValidationError({"self_assessment": ["评议已结束，不能修改自评。"]})
    with transaction.atomic():
        before = subject.self_assessment
        subject.self_assessment = text.strip()
        subject.save(update_fields=["self_assessment"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=subject,
            org_path=subject.round.organization.path,
            before={"self_assessment": before},
            after={"self_assessment": subject.self_assessment},
        )
    return subject


def ballot_code_valid(*, round_: AppraisalRound, code: str) -> bool:
    """Whether `code` is an unused ballot code of the open round. The ballot page shows the
    branch's members only to the holder of such a code; the code is not used up here."""
    return (
        round_.status == RoundStatus.OPEN
        and BallotCode.objects.filter(
            round=round_, digest=ballot_code_digest(code), used=False
        ).exists()
    )


def ballot_cast(*, round_id: int, code: str, marks: dict[int, str]) -> None:
    """Cast a secret ballot with a one-time code (无记名投票). No login: the code is the
    right to vote, and nothing about the voter is recorded."""
    round_ = AppraisalRound.objects.filter(pk=round_id).first()
    if round_ is None:
        raise Http404("未找到该评议。")
    if round_.status != RoundStatus.OPEN:
        raise ValidationError({"code": ["投票已结束。"]})
    subjects = set(round_.subjects.values_list("pk", flat=True))
    errors: dict[str, list[str]] = {}
    if set(marks) != subjects:
        errors["marks"] = ["请对每一名党员作出评价。"]
    if any(grade not in Grade.values for grade in marks.values()):
        errors["marks"] = ["评价只能是优秀、合格、基本合格或不合格。"]
    limit = excellent_limit(round_, len(subjects))
    if sum(1 for g in marks.values() if g == Grade.EXCELLENT) > limit:
        errors["marks"] = [f"评为“优秀”的不能超过 {limit} 名（{round_.excellent_cap:.1%}）。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        used = BallotCode.objects.filter(
            round=round_, digest=ballot_code_digest(code), used=False
        ).update(used=True)
        if used != 1:
            raise ValidationError({"code": ["选票码无效或已经使用。"]})
        Ballot.objects.create(round=round_, marks={str(k): v for k, v in marks.items()})
        # The log says that a ballot arrived, never from whom nor which.
        audit_record(
            actor=None,
            actor_username="匿名投票",
            action=AuditAction.CREATE,
            target=round_,
            org_path=round_.organization.path,
            message="收到一张无记名选票",
            anonymous=True,
        )


def tally(round_: AppraisalRound) -> dict[int, dict[str, int]]:
    """Votes per subject per grade."""
    result = {
        pk: dict.fromkeys(Grade.values, 0) for pk in round_.subjects.values_list("pk", flat=True)
    }
    for marks in round_.ballots.values_list("marks", flat=True):
        for subject, grade in marks.items():
            if int(subject) in result:
                result[int(subject)][grade] += 1
    return result


def appraisal_close(*, actor, round_: AppraisalRound) -> AppraisalRound:
    require_in_scope(
        actor, round_.organization.path, target=round_.organization, message=SCOPE_REFUSED
    )
    if round_.status != RoundStatus.OPEN:
        raise ValidationError({"status": ["投票已经结束。"]})
    with transaction.atomic():
        round_.status = RoundStatus.CLOSED
        round_.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=round_,
            org_path=round_.organization.path,
            before={"status": RoundStatus.OPEN},
            after={"status": RoundStatus.CLOSED, "ballots": round_.ballots.count()},
        )
    return round_


def appraisal_decide(*, actor, round_: AppraisalRound, grades: dict[int, str]) -> AppraisalRound:
    """The branch's decision in the four categories, 优秀 capped by the configured share."""
    require_in_scope(
        actor, round_.organization.path, target=round_.organization, message=SCOPE_REFUSED
    )
    if round_.status == RoundStatus.PUBLISHED:
        raise ValidationError({"status": ["评议结果已公布，不能修改。"]})
    if round_.status != RoundStatus.CLOSED:
        raise ValidationError({"status": ["请先结束投票，再确定评议结果。"]})
    subjects = {s.pk: s for s in round_.subjects.all()}
    if set(grades) != set(subjects) or any(g not in Grade.values for g in grades.values()):
        raise ValidationError({"grades": ["请为每一名党员确定评议结果。"]})
    limit = excellent_limit(round_, len(subjects))
    excellent = sum(1 for g in grades.values() if g == Grade.EXCELLENT)
    if excellent > limit:
        raise ValidationError(
            {
                "grades": [
                    f"评为“优秀”的 {excellent} 名，超过了上限 {limit} 名（{round_.excellent_cap:.1%}）。"
                ]
            }
        )
    with transaction.atomic():
        before = {str(pk): s.grade for pk, s in subjects.items()}
        for pk, grade in grades.items():
            subjects[pk].grade = grade
        AppraisalSubject.objects.bulk_update(subjects.values(), ["grade"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=round_,
            org_path=round_.organization.path,
            before=before,
            after={str(pk): g for pk, g in grades.items()},
            message="确定评议结果",
        )
    return round_


def appraisal_publish(*, actor, round_: AppraisalRound) -> AppraisalRound:
    """Publish and lock the results (公布)."""
    require_in_scope(
        actor, round_.organization.path, target=round_.organization, message=SCOPE_REFUSED
    )
    if round_.status != RoundStatus.CLOSED or round_.subjects.filter(grade="").exists():
        raise ValidationError({"status": ["请先确定每一名党员的评议结果。"]})
    with transaction.atomic():
        round_.status, round_.published_at = RoundStatus.PUBLISHED, timezone.now()
        round_.save(update_fields=["status", "published_at"])
        points_refresh(
            member_ids=round_.subjects.values_list("member_id", flat=True), years=[round_.year]
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=round_,
            org_path=round_.organization.path,
            before={"status": RoundStatus.CLOSED},
            after={"status": RoundStatus.PUBLISHED},
        )
    return round_
