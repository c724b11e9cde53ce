"""Writes of the democratic appraisal of a leadership team (民主测评).

Opening, closing and reading the results are the cadre section's (the logged 404 for anyone
else). Casting needs no login: a one-time code of `zuzhi.appraisal` (random, shown once,
stored as a hash) is the right to vote; it is marked used and the ballot stored in one
transaction with a conditional update, so a code is never used twice, and the ballot keeps
its rater group and the grades, nothing that ties it to the code or the voter."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from zuzhi.adjustments.models import Trigger
from zuzhi.adjustments.services import triggers_evaluate
from zuzhi.appraisal.services import ballot_code_digest, ballot_codes_new
from zuzhi.cadres.models import LeadershipTeam
from zuzhi.cadres.models.scoping import require_cadre_section
from zuzhi.cadres.team_selectors import team_roster
from zuzhi.core.audit import audit_record, snapshot
from zuzhi.core.dates import OUT_OF_RANGE, is_plausible, require_plausible_year
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import acting_user

from . import rules, selectors
from .models import (
    BALLOT_GRADES,
    OVERALL,
    AppraisalBallot,
    AppraisalBallotCode,
    AppraisalStatus,
    AppraisalSubject,
    Dimension,
    RaterGroup,
    TeamAppraisal,
    TeamAppraisalResult,
)

SCOPE_REFUSED = "试图办理权限范围以外的民主测评"
MAX_CODES_PER_GROUP = 1000
CODE_REFUSED = "选票码无效或已经使用。"
CLOSED_REFUSED = "本次民主测评已经结束，不再接受投票。"


def _refuse(field: str, message: str):
    raise ValidationError({field: [message]})


@dataclass(frozen=True)
class GroupInput:
    """A rater group asked for when opening: name, weight in percent, codes to print."""

    name: str
    weight: Decimal
    codes: int


def _check_groups(groups: list[GroupInput]) -> None:
    if not groups:
        _refuse("groups", "请至少设置一个测评主体。")
    names = [g.name.strip() for g in groups]
    if any(not n for n in names):
        _refuse("groups", "请填写测评主体名称。")
    if len(set(names)) != len(names):
        _refuse("groups", "测评主体名称不能重复。")
    for g in groups:
        weight = Decimal(g.weight)
        if not weight.is_finite() or weight <= 0 or weight != weight.quantize(Decimal("0.01")):
            _refuse("groups", f"“{g.name}”的权重应大于 0，最多保留两位小数。")
        if not 1 <= g.codes <= MAX_CODES_PER_GROUP:
            _refuse("groups", f"“{g.name}”的选票码数量应在 1 至 {MAX_CODES_PER_GROUP} 之间。")
    message = rules.weights_refusal(Decimal(g.weight) for g in groups)
    if message:
        _refuse("groups", message)


def appraisal_open(
    *,
    actor,
    team: LeadershipTeam,
    year: int,
    groups: list[GroupInput],
    opened_on: datetime.date | None = None,
) -> tuple[TeamAppraisal, dict[str, list[str]]]:
    """Open a team's appraisal: the cadres holding its posts today are appraised; each group
    gets its codes. Returns the round and the plain codes by group name, shown once."""
    require_cadre_section(actor, team.organization.path, target=team, message=SCOPE_REFUSED)
    require_plausible_year(year=year)
    opened_on = opened_on or timezone.localdate()
    if not is_plausible(opened_on):
        _refuse("opened_on", OUT_OF_RANGE)
    if opened_on > timezone.localdate():
        _refuse("opened_on", "测评日期不能晚于今天。")
    _check_groups(groups)
    subjects: dict[int, str] = {}
    for row in team_roster(team=team, today=opened_on):
        if row.cadre_id and row.cadre_id not in subjects:
            subjects[row.cadre_id] = row.post.title
    if not subjects:
        _refuse("team", f"{team.name}目前没有在任成员，不能开展民主测评。")
    codes = {g.name.strip(): ballot_codes_new(g.codes) for g in groups}
    with transaction.atomic():
        # The team's row lock: two clerks cannot open two rounds of one team at once.
        LeadershipTeam.objects.select_for_update().filter(pk=team.pk).first()
        if TeamAppraisal.objects.filter(team=team, status=AppraisalStatus.OPEN).exists():
            _refuse("team", f"{team.name}已有正在进行的民主测评，请先结束。")
        appraisal = TeamAppraisal.objects.create(
            team=team, year=year, opened_on=opened_on, opened_by=acting_user(actor)
        )
        for order, g in enumerate(groups):
            group = RaterGroup.objects.create(
                appraisal=appraisal, name=g.name.strip(), weight=Decimal(g.weight), order=order
            )
            AppraisalBallotCode.objects.bulk_create(
                AppraisalBallotCode(appraisal=appraisal, group=group, digest=ballot_code_digest(c))
                for c in codes[group.name]
            )
        AppraisalSubject.objects.bulk_create(
            AppraisalSubject(appraisal=appraisal, cadre_id=cadre_id, post=post, order=order)
            for order, (cadre_id, post) in enumerate(subjects.items())
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=appraisal,
            org_path=team.organization.path,
            after={
                **snapshot(appraisal, ["team", "year", "opened_on", "status"]),
                "subjects": list(subjects),
                "groups": [
                    {"name": g.name.strip(), "weight": str(g.weight), "codes": g.codes}
                    for g in groups
                ],
            },
        )
    return appraisal, codes


def ballot_code_group(*, appraisal: TeamAppraisal, code: str) -> RaterGroup | None:
    """The rater group of an unused code of the open round; None when the code is not one.
    The ballot page lists the team's cadres only to the holder of such a code."""
    if appraisal.status != AppraisalStatus.OPEN or not code:
        return None
    row = (
        AppraisalBallotCode.objects.filter(
            appraisal=appraisal, digest=ballot_code_digest(code), used=False
        )
        .select_related("group")
        .first()
    )
    return row.group if row else None


def _missing(subjects: list[AppraisalSubject], marks: dict[int, dict[str, str]]) -> list[str]:
    """What a ballot leaves ungraded, by cadre: "张三的德、廉"."""
    labels = {**dict(Dimension.choices), OVERALL: "综合评价"}
    missing = []
    for s in subjects:
        given = marks.get(s.pk) or {}
        gaps = [labels[k] for k in labels if given.get(k) not in BALLOT_GRADES]
        if gaps:
            missing.append(f"{s.cadre.name}的{'、'.join(gaps)}")
    return missing


def ballot_cast(*, appraisal_id: int, code: str, marks: dict[int, dict[str, str]]) -> None:
    """Cast a secret ballot with a one-time code: for each cadre a grade on each of 德能勤绩廉
    and an overall grade, all of them; a half-filled ballot is refused, naming what is
    missing, and its code stays unused."""
    appraisal = (
        TeamAppraisal.objects.select_related("team__organization").filter(pk=appraisal_id).first()
    )
    if appraisal is None:
        raise Http404("未找到该测评。")
    if appraisal.status != AppraisalStatus.OPEN:
        _refuse("code", CLOSED_REFUSED)
    subjects = list(appraisal.subjects.select_related("cadre").order_by("order", "pk"))
    missing = _missing(subjects, marks)
    if missing:
        _refuse("marks", f"选票没有填完，请补评：{'；'.join(missing)}。")
    clean = {str(s.pk): {k: marks[s.pk][k] for k in [*Dimension.values, OVERALL]} for s in subjects}
    with transaction.atomic():
        # The round's row lock orders ballots with closing: none lands after the results.
        still_open = TeamAppraisal.objects.select_for_update().filter(
            pk=appraisal.pk, status=AppraisalStatus.OPEN
        )
        if not list(still_open.values_list("pk", flat=True)):
            _refuse("code", CLOSED_REFUSED)
        row = (
            AppraisalBallotCode.objects.filter(appraisal=appraisal, digest=ballot_code_digest(code))
            .values("pk", "group_id")
            .first()
        )
        # The conditional update is the one-time rule: of two ballots cast with one code at
        # the same moment, only one changes the row.
        if row is None or not AppraisalBallotCode.objects.filter(pk=row["pk"], used=False).update(
            used=True
        ):
            _refuse("code", CODE_REFUSED)
        AppraisalBallot.objects.create(appraisal=appraisal, group_id=row["group_id"], marks=clean)
        # The log says that a ballot arrived, never from whom, which group nor which grades.
        audit_record(
            actor=None,
            actor_username="匿名投票",
            action=AuditAction.CREATE,
            target=appraisal,
            org_path=appraisal.team.organization.path,
            message="收到一张无记名测评票",
            anonymous=True,
        )


def appraisal_close(
    *, actor, appraisal: TeamAppraisal, closed_on: datetime.date | None = None
) -> TeamAppraisal:
    """End the voting and fix each cadre's result (the shares and flags of `rules`)."""
    organization = appraisal.team.organization
    require_cadre_section(actor, organization.path, target=appraisal, message=SCOPE_REFUSED)
    closed_on = closed_on or timezone.localdate()
    with transaction.atomic():
        appraisal = (
            TeamAppraisal.objects.select_for_update()
            .select_related("team__organization")
            .get(pk=appraisal.pk)
        )
        if appraisal.status != AppraisalStatus.OPEN:
            _refuse("status", "本次民主测评已经结束。")
        if not is_plausible(closed_on) or closed_on > timezone.localdate():
            _refuse("closed_on", "结束日期不能晚于今天。")
        if closed_on < appraisal.opened_on:
            _refuse("closed_on", "结束日期不能早于测评日期。")
        if not appraisal.ballots.exists():
            _refuse("status", "还没有收到选票，不能结束测评。")
        groups = {g.pk: g for g in appraisal.groups.all()}
        subjects = {s.pk: s for s in appraisal.subjects.all()}
        results = []
        for subject_id, by_group in selectors.appraisal_tallies(appraisal).items():
            shares = rules.weighted_shares(
                rules.GroupTally(
                    weight=groups[gid].weight,
                    ballots=cell["ballots"],
                    approving=sum(cell["overall"][g] for g in rules.APPROVING),
                    unfit=cell["overall"][rules.UNFIT],
                )
                for gid, cell in by_group.items()
            )
            results.append(
                TeamAppraisalResult(
                    appraisal=appraisal,
                    cadre_id=subjects[subject_id].cadre_id,
                    closed_on=closed_on,
                    approval=rules.rounded(shares.approval),
                    unfit=rules.rounded(shares.unfit),
                    below_approval=rules.below_approval(shares.approval),
                    above_unfit=rules.above_unfit(shares.unfit),
                    counts={
                        str(gid): {
                            "name": groups[gid].name,
                            "weight": str(groups[gid].weight),
                            **cell,
                        }
                        for gid, cell in by_group.items()
                    },
                )
            )
        TeamAppraisalResult.objects.bulk_create(results)
        appraisal.status, appraisal.closed_on = AppraisalStatus.CLOSED, closed_on
        appraisal.approval_min, appraisal.unfit_max = (
            str(rules.approval_min()),
            str(rules.unfit_max()),
        )
        appraisal.save(update_fields=["status", "closed_on", "approval_min", "unfit_max"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=appraisal,
            org_path=organization.path,
            before={"status": AppraisalStatus.OPEN},
            after={
                "status": AppraisalStatus.CLOSED,
                "closed_on": closed_on.isoformat(),
                "approval_min": appraisal.approval_min,
                "unfit_max": appraisal.unfit_max,
                "ballots": appraisal.ballots.count(),
                "below_approval": [r.cadre_id for r in results if r.below_approval],
                "above_unfit": [r.cadre_id for r in results if r.above_unfit],
            },
        )
        triggers_evaluate(
            actor=actor, cadre_ids=[r.cadre_id for r in results], triggers=[Trigger.MISMATCH]
        )
    return appraisal
