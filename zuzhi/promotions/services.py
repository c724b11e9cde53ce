"""Writes of assessment rounds (年度考核) and promotion rounds (职级晋升).

The cadre section's only (the logged 404 for anyone else); each write audited in its own
transaction. Grades are written by `cadres.services.assessment_set` and ranks by
`cadres.rank_services.rank_grant`: the rules of the registry are not copied here."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zuzhi.adjustments.models import Trigger
from zuzhi.adjustments.services import triggers_evaluate
from zuzhi.cadres import rank_rules
from zuzhi.cadres.models import AnnualAssessment, AssessmentResult, Cadre, Rank
from zuzhi.cadres.models.scoping import require_cadre_section
from zuzhi.cadres.rank_selectors import unit_quotas
from zuzhi.cadres.rank_services import rank_grant
from zuzhi.cadres.services import assessment_set
from zuzhi.core.audit import audit_record, snapshot
from zuzhi.core.dates import OUT_OF_RANGE, is_plausible, require_plausible_year
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import acting_user, path_in
from zuzhi.orgs.models import Organization

from . import rules, selectors
from .models import (
    AssessmentRound,
    AssessmentStatus,
    PromotionDecision,
    PromotionOffer,
    PromotionRound,
    PromotionStatus,
)

SCOPE_REFUSED = "试图办理权限范围以外的考核或职级晋升"


def _refuse(field: str, message: str):
    raise ValidationError({field: [message]})


# --- annual assessment -------------------------------------------------------------------------


def assessment_round_open(*, actor, organization: Organization, year: int) -> AssessmentRound:
    """Open a unit's annual assessment of `year`; one round per unit and year."""
    require_cadre_section(actor, organization.path, target=organization, message=SCOPE_REFUSED)
    require_plausible_year(year=year)
    if AssessmentRound.objects.filter(organization=organization, year=year).exists():
        _refuse("year", f"{organization.name} {year} 年度考核已经开始。")
    with transaction.atomic():
        round_ = AssessmentRound.objects.create(
            organization=organization,
            year=year,
            excellent_share=Decimal(settings.ZUZHI_EXCELLENT_SHARE),
            created_by=acting_user(actor),
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=round_,
            org_path=organization.path,
            after=snapshot(round_),
        )
    return round_


def assessment_grades_set(*, actor, round_: AssessmentRound, grades: dict[int, str]) -> int:
    """Grade cadres of the round (cadre id → result); the rest keep theirs. 优秀 stays within
    the cap counted over the whole round after the change, checked with the round's row
    locked: two clerks cannot both take the last place. Returns how many were written."""
    require_cadre_section(
        actor, round_.organization.path, target=round_.organization, message=SCOPE_REFUSED
    )
    if any(r not in AssessmentResult.values for r in grades.values()):
        _refuse("grades", "考核结果只能是优秀、称职、基本称职、不称职或不定等次。")
    with transaction.atomic():
        round_ = (
            AssessmentRound.objects.select_for_update()
            .select_related("organization")
            .get(pk=round_.pk)
        )
        if round_.status != AssessmentStatus.OPEN:
            _refuse("status", "本年度考核已结束，不能再修改等次。")
        cadres = {
            c.pk: c
            for c in selectors.assessment_round_cadres(round_).select_related("organization")
        }
        strangers = set(grades) - set(cadres)
        if strangers:
            _refuse("grades", "只能评定本单位在职干部的等次。")
        excellent_kept = (
            AnnualAssessment.objects.filter(
                cadre__in=list(cadres), year=round_.year, result=AssessmentResult.EXCELLENT
            )
            .exclude(cadre__in=list(grades))
            .count()
        )
        excellent = excellent_kept + sum(
            1 for r in grades.values() if r == AssessmentResult.EXCELLENT
        )
        message = rules.excellent_refusal(
            cadres=len(cadres), share=round_.excellent_share, excellent=excellent
        )
        if message:
            _refuse("grades", message)
        for cadre_id, result in sorted(grades.items()):
            assessment_set(actor=actor, cadre=cadres[cadre_id], year=round_.year, result=result)
        triggers_evaluate(actor=actor, cadre_ids=list(grades), triggers=[Trigger.BOTTOM])
    return len(grades)


def assessment_round_close(*, actor, round_: AssessmentRound) -> AssessmentRound:
    """End the round once every cadre of the unit has a grade of the year."""
    require_cadre_section(
        actor, round_.organization.path, target=round_.organization, message=SCOPE_REFUSED
    )
    with transaction.atomic():
        round_ = (
            AssessmentRound.objects.select_for_update()
            .select_related("organization")
            .get(pk=round_.pk)
        )
        if round_.status != AssessmentStatus.OPEN:
            _refuse("status", "本年度考核已经结束。")
        missing = selectors.assessment_sheet(round_).ungraded
        if missing:
            _refuse("status", f"还有 {missing} 名干部未确定等次，不能结束考核。")
        round_.status = AssessmentStatus.CLOSED
        round_.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=round_,
            org_path=round_.organization.path,
            before={"status": AssessmentStatus.OPEN},
            after={"status": AssessmentStatus.CLOSED},
        )
    return round_


# --- promotion rounds --------------------------------------------------------------------------


def _check_day(field: str, day: datetime.date | None) -> None:
    if day is None:
        _refuse(field, "请填写日期。")
    if not is_plausible(day):
        _refuse(field, OUT_OF_RANGE)


def promotion_round_create(
    *,
    actor,
    organization: Organization,
    name: str,
    cutoff: datetime.date,
    offers: list[tuple[Organization, str, int]] = (),
) -> PromotionRound:
    """Open a promotion round over a subtree; years in rank are counted to `cutoff`. The
    offers given (unit, rank, places) are set with it: one refused, no round is left."""
    require_cadre_section(actor, organization.path, target=organization, message=SCOPE_REFUSED)
    name = (name or "").strip()
    if not name:
        _refuse("name", "请填写名称。")
    _check_day("cutoff", cutoff)
    with transaction.atomic():
        round_ = PromotionRound(
            organization=organization, name=name, cutoff=cutoff, created_by=acting_user(actor)
        )
        round_.full_clean(exclude=["created_by"])
        round_.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=round_,
            org_path=organization.path,
            after=snapshot(round_),
        )
        for unit, rank, places in offers:
            promotion_offer_set(
                actor=actor, round_=round_, organization=unit, rank=rank, places=places
            )
    return round_


def _lock_open(round_: PromotionRound) -> PromotionRound:
    round_ = (
        PromotionRound.objects.select_for_update().select_related("organization").get(pk=round_.pk)
    )
    if round_.status != PromotionStatus.OPEN:
        _refuse("status", f"本轮职级晋升{round_.get_status_display()}，不能再修改。")
    return round_


def promotion_offer_set(
    *, actor, round_: PromotionRound, organization: Organization, rank: str, places: int
) -> PromotionOffer | None:
    """Offer `places` of `rank` in a unit (0 removes the offer). Places that add a holder
    to a quota group stay within the unit's free places of it, counting the round's other
    offers on the same group (职数: 编制数 × 比例 − 已有)."""
    require_cadre_section(actor, organization.path, target=organization, message=SCOPE_REFUSED)
    if not path_in(organization.path, round_.organization.path):
        _refuse(
            "organization", f"{organization.name}不在本轮范围（{round_.organization.name}）内。"
        )
    if rank not in Rank.values or rank_rules.rank_below(rank) is None:
        _refuse("rank", "请选择可晋升的职级。")
    if places is None or places < 0 or places > 10_000:
        _refuse("places", "名额应为 0 到 10000 之间的整数。")
    with transaction.atomic():
        round_ = _lock_open(round_)
        offer = PromotionOffer.objects.filter(
            round=round_, organization=organization, rank=rank
        ).first()
        before = snapshot(offer) if offer else None
        group = selectors.consumes_quota(rank)
        if group and places:
            uses = unit_quotas(user=actor, organization=organization)
            use = next(u for unit in uses for u in unit.uses if u.group == group) if uses else None
            if use is None or use.free is None:
                _refuse(
                    "places",
                    f"{organization.name}尚未设置公务员编制数，无法核定{group.label}职数。",
                )
            others = sum(
                o.places
                for o in round_.offers.filter(organization=organization).exclude(rank=rank)
                if selectors.consumes_quota(o.rank) == group
            )
            if others + places > use.free:
                _refuse(
                    "places",
                    f"{organization.name}{group.label}空余职数 {use.free} 名，本轮已安排"
                    f" {others} 名，不能再安排 {places} 名。",
                )
        if places == 0:
            if offer is not None:
                offer.delete()
        else:
            offer = offer or PromotionOffer(round=round_, organization=organization, rank=rank)
            offer.places = places
            offer.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=round_,
            org_path=organization.path,
            before={"offer": before},
            after={"offer": {"organization": organization.pk, "rank": rank, "places": places}},
            message=f"{organization.name} {Rank(rank).label} 名额 {places}",
        )
    return offer if places else None


def promotion_decide(
    *,
    actor,
    round_: PromotionRound,
    cadre_ids: list[int],
    effective_on: datetime.date,
    document: str = "",
) -> list[PromotionDecision]:
    """Promote the selected cadres (晋升决定), each to the rank of their offer on
    `effective_on`, all or none: eligibility and places are checked for the whole selection
    first, then `rank_grant` checks each again (minimum years, quota); any refusal undoes
    every grant of the sitting and names the cadre refused."""
    require_cadre_section(
        actor, round_.organization.path, target=round_.organization, message=SCOPE_REFUSED
    )
    _check_day("effective_on", effective_on)
    if effective_on < round_.cutoff:
        _refuse("effective_on", "生效日期不能早于任职年限计算截止日期。")
    if effective_on > timezone.localdate():
        _refuse("effective_on", "生效日期不能晚于今天。")
    selected = set(cadre_ids)
    if not selected:
        _refuse("cadre_ids", "请选择晋升人选。")
    with transaction.atomic():
        round_ = _lock_open(round_)
        candidates = {c.cadre.pk: c for c in selectors.promotion_candidates(round_=round_)}
        unknown = selected - set(candidates)
        if unknown:
            names = "、".join(
                Cadre.objects.filter(pk__in=unknown)
                .order_by("pk")
                .values_list("name", flat=True)[:5]
            )
            _refuse("cadre_ids", f"不在本轮符合条件的人选中：{names or '（无此干部）'}。")
        chosen = [candidates[pk] for pk in selected]
        per_offer: dict[int, int] = {}
        for c in chosen:
            per_offer[c.offer.pk] = per_offer.get(c.offer.pk, 0) + 1
        for c in chosen:
            if per_offer[c.offer.pk] > c.offer.places:
                _refuse(
                    "cadre_ids",
                    f"{c.offer.organization.name}{c.offer.get_rank_display()}名额 "
                    f"{c.offer.places} 名，选择了 {per_offer[c.offer.pk]} 名。",
                )
        chosen.sort(key=lambda c: (c.offer.organization.path, c.offer.rank, -c.score, c.cadre.pk))
        decisions = []
        for c in chosen:
            try:
                grant = rank_grant(
                    actor=actor,
                    cadre=c.cadre,
                    rank=c.offer.rank,
                    reached_on=effective_on,
                    document=document,
                )
            except ValidationError as exc:
                reason = "；".join(exc.messages)
                raise ValidationError(
                    {"cadre_ids": [f"{c.cadre.name}：{reason} 本次晋升均未办理。"]}
                ) from exc
            decisions.append(
                PromotionDecision(
                    round=round_, offer=c.offer, cadre=c.cadre, grant=grant, score=c.score
                )
            )
        PromotionDecision.objects.bulk_create(decisions)
        before = {"status": round_.status}
        round_.status = PromotionStatus.DECIDED
        round_.effective_on = effective_on
        round_.document = document.strip()[:64]
        round_.decided_at = timezone.now()
        round_.save(update_fields=["status", "effective_on", "document", "decided_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=round_,
            org_path=round_.organization.path,
            before=before,
            after={
                "status": round_.status,
                "effective_on": str(effective_on),
                "document": round_.document,
                "promoted": [d.cadre_id for d in decisions],
            },
            message=f"职级晋升决定：{len(decisions)} 人",
        )
    return decisions


def promotion_round_close(*, actor, round_: PromotionRound) -> PromotionRound:
    """End a round, decided or not (an undecided round ends with nobody promoted)."""
    require_cadre_section(
        actor, round_.organization.path, target=round_.organization, message=SCOPE_REFUSED
    )
    with transaction.atomic():
        round_ = (
            PromotionRound.objects.select_for_update()
            .select_related("organization")
            .get(pk=round_.pk)
        )
        if round_.status == PromotionStatus.CLOSED:
            _refuse("status", "本轮职级晋升已经结束。")
        before = {"status": round_.status}
        round_.status = PromotionStatus.CLOSED
        round_.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=round_,
            org_path=round_.organization.path,
            before=before,
            after={"status": round_.status},
        )
    return round_
