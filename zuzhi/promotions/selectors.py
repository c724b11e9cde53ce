"""Reads of assessment and promotion rounds; the cadre section's only (logged 404 for anyone
else), every list one or two queries whatever its size."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from zuzhi.cadres import rank_rules
from zuzhi.cadres.models import AnnualAssessment, AssessmentResult, Cadre
from zuzhi.cadres.rank_selectors import require_cadre_staff, unit_quotas
from zuzhi.orgs.models import Organization

from . import rules
from .models import AssessmentRound, PromotionOffer, PromotionRound

# --- annual assessment -------------------------------------------------------------------------


def assessment_round_list(
    *, user, organization: Organization | None = None, year: int | None = None
) -> QuerySet[AssessmentRound]:
    require_cadre_staff(user)
    qs = AssessmentRound.objects.visible_to(user).select_related("organization")
    if organization is not None:
        qs = qs.filter(organization=organization)
    if year is not None:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "organization__path")


def assessment_round_get(*, user, pk: int) -> AssessmentRound:
    return AssessmentRound.objects.select_related("organization").get_visible_or_404(user, pk=pk)


def assessment_round_cadres(round_: AssessmentRound) -> QuerySet[Cadre]:
    """Who the round grades: the unit's active cadres."""
    return Cadre.objects.filter(organization_id=round_.organization_id, is_active=True)


@dataclass
class AssessmentSheet:
    """The grading page of a round: each cadre with the year's grade, and the 优秀 cap."""

    round: AssessmentRound
    rows: list[tuple[Cadre, str]]
    limit: int
    excellent: int

    @property
    def ungraded(self) -> int:
        return sum(1 for _, result in self.rows if not result)


def assessment_sheet(round_: AssessmentRound) -> AssessmentSheet:
    cadres = list(
        assessment_round_cadres(round_)
        .only("pk", "name", "current_post", "rank", "user_id")
        .order_by("name_initials", "name", "pk")
    )
    grades = dict(
        AnnualAssessment.objects.filter(
            cadre__in=[c.pk for c in cadres], year=round_.year
        ).values_list("cadre_id", "result")
    )
    rows = [(c, grades.get(c.pk, "")) for c in cadres]
    return AssessmentSheet(
        round=round_,
        rows=rows,
        limit=rules.excellent_limit(cadres=len(cadres), share=round_.excellent_share),
        excellent=sum(1 for _, r in rows if r == AssessmentResult.EXCELLENT),
    )


# --- promotion rounds --------------------------------------------------------------------------


def promotion_round_list(*, user) -> QuerySet[PromotionRound]:
    require_cadre_staff(user)
    return (
        PromotionRound.objects.visible_to(user)
        .select_related("organization")
        .annotate(
            n_offers=Count("offers", distinct=True), n_decided=Count("decisions", distinct=True)
        )
        .order_by("-cutoff", "-pk")
    )


def promotion_round_get(*, user, pk: int) -> PromotionRound:
    return PromotionRound.objects.select_related("organization").get_visible_or_404(user, pk=pk)


def consumes_quota(rank: str) -> rank_rules.QuotaGroup | None:
    """The quota group a promotion to `rank` takes a place of: none when the rank below is in
    the same group (四级→三级调研员 keeps the holder count of 三级、四级调研员)."""
    group = rank_rules.quota_group(rank)
    below = rank_rules.rank_below(rank)
    if group is None or (below is not None and rank_rules.quota_group(below) == group):
        return None
    return group


@dataclass
class OfferRow:
    offer: PromotionOffer
    group: rank_rules.QuotaGroup | None
    free: int | None  # the unit's free places of the group now; None: no posts set
    eligible: int = 0


def promotion_offers(*, user, round_: PromotionRound) -> list[OfferRow]:
    """The round's offers with the quota each draws on and the eligible count per offer."""
    offers = list(
        round_.offers.select_related("organization").order_by("organization__path", "rank")
    )
    free = {
        (u.organization_id, use.group): use.free for u in unit_quotas(user=user) for use in u.uses
    }
    counts: dict[int, int] = {}
    for c in promotion_candidates(round_=round_):
        counts[c.offer.pk] = counts.get(c.offer.pk, 0) + 1
    rows = []
    for offer in offers:
        group = consumes_quota(offer.rank)
        rows.append(
            OfferRow(
                offer=offer,
                group=group,
                free=free.get((offer.organization_id, group)) if group else None,
                eligible=counts.get(offer.pk, 0),
            )
        )
    return rows


@dataclass
class Candidate:
    """A cadre who has served the minimum years in the rank below an offer, with the grades
    of the counted years, the record score and, when not eligible, why."""

    cadre: Cadre
    offer: PromotionOffer
    grades: dict[int, str] = field(default_factory=dict)
    years: range = range(0)
    score: int = 0
    refusal: str = ""

    @property
    def eligible(self) -> bool:
        return not self.refusal

    @property
    def grade_cells(self) -> list[tuple[int, str]]:
        return [
            (y, AssessmentResult(self.grades[y]).label if y in self.grades else "未录入")
            for y in self.years
        ]


def excluded_cadres(cadre_ids: set[int], on: datetime.date) -> dict[int, str]:
    """Cadres to leave out for an open negative case (another app's data), through the hook
    `ZUZHI_PROMOTION_EXCLUDED`: a dotted path to `f(cadre_ids, on) -> {cadre_id: reason}`.
    Unset: nobody is left out for a case."""
    path = getattr(settings, "ZUZHI_PROMOTION_EXCLUDED", "")
    if not path or not cadre_ids:
        return {}
    return import_string(path)(cadre_ids, on)


CANDIDATE_SORTS = ("record", "name", "unit")


def promotion_candidates(
    *,
    round_: PromotionRound,
    rank: str = "",
    organization: Organization | None = None,
    include_refused: bool = False,
    sort: str = "record",
) -> list[Candidate]:
    """Who may be promoted in the round, per offer: active cadres of the offer's unit in the
    rank below who served its minimum years by the cutoff (one query), with no barring grade
    in the counted years (one query for the grades) and no open negative case (the hook).

    Sorted by record (score from the grades, then longer in rank, then name), never by
    seniority alone; by name or unit on request."""
    offers = list(round_.offers.select_related("organization"))
    if rank:
        offers = [o for o in offers if o.rank == rank]
    if organization is not None:
        offers = [o for o in offers if o.organization_id == organization.pk]
    if not offers:
        return []
    by_key = {}
    served = Q()
    for offer in offers:
        below = rank_rules.rank_below(offer.rank)
        if below is None:
            continue
        by_key[(offer.organization_id, below.value)] = offer
        since = rank_rules.served_since_cutoff(round_.cutoff, rank_rules.minimum_years(offer.rank))
        served |= Q(organization_id=offer.organization_id, rank=below, rank_since__lte=since)
    if not by_key:
        return []
    cadres = list(
        Cadre.objects.filter(served, is_active=True)
        .select_related("organization")
        .only(
            "pk",
            "name",
            "name_initials",
            "rank",
            "rank_since",
            "current_post",
            "organization__name",
            "organization__path",
        )
    )
    first_year = round_.cutoff.year - max(rank_rules.MINIMUM_YEARS.values())
    grades: dict[int, dict[int, str]] = {}
    for cadre_id, year, result in AnnualAssessment.objects.filter(
        cadre__in=[c.pk for c in cadres], year__gte=first_year, year__lt=round_.cutoff.year
    ).values_list("cadre_id", "year", "result"):
        grades.setdefault(cadre_id, {})[year] = result
    # A case open today counts, whatever the cutoff: the list is read to decide now.
    excluded = excluded_cadres({c.pk for c in cadres}, timezone.localdate())
    out = []
    for cadre in cadres:
        offer = by_key[(cadre.organization_id, cadre.rank)]
        years = rules.window_years(
            cutoff_year=round_.cutoff.year, minimum_years=rank_rules.minimum_years(offer.rank)
        )
        counted = {y: r for y, r in grades.get(cadre.pk, {}).items() if y in years}
        refusal = rules.grade_refusal(counted) or excluded.get(cadre.pk, "")
        if refusal and not include_refused:
            continue
        out.append(
            Candidate(
                cadre=cadre,
                offer=offer,
                grades=counted,
                years=years,
                score=rules.record_score(counted),
                refusal=refusal,
            )
        )
    keys = {
        "record": lambda c: (
            not c.eligible,
            -c.score,
            c.cadre.rank_since,
            c.cadre.name_initials,
            c.cadre.pk,
        ),
        "name": lambda c: (c.cadre.name_initials, c.cadre.name, c.cadre.pk),
        "unit": lambda c: (c.cadre.organization.path, -c.score, c.cadre.rank_since, c.cadre.pk),
    }
    out.sort(key=keys.get(sort, keys["record"]))
    return out
