"""Demo assessment and promotion rounds: the 2025 annual assessment of every unit recorded as
rounds over the grades the cadre demo wrote (closed where every cadre has a grade), this
year's round open in one unit, and one promotion round in progress with places offered
within each unit's free quota."""

import datetime
import random

from django.core.exceptions import ValidationError

from zuzhi.cadres import rank_rules
from zuzhi.cadres.models import Cadre
from zuzhi.core.scope import SYSTEM
from zuzhi.orgs.models import Organization
from zuzhi.promotions import selectors, services
from zuzhi.promotions.models import AssessmentRound, PromotionRound

from .seeding import TODAY, DemoCounty


def seed_promotions(*, demo: DemoCounty, rng: random.Random) -> int:
    """Returns the number of rounds written (0 when already seeded)."""
    if PromotionRound.objects.exists() or AssessmentRound.objects.exists():
        return 0
    units = list(Organization.objects.filter(cadres__is_active=True).distinct().order_by("path"))
    written = 0
    for unit in units:
        round_ = services.assessment_round_open(
            actor=SYSTEM, organization=unit, year=TODAY.year - 1
        )
        written += 1
        if not selectors.assessment_sheet(round_).ungraded:
            services.assessment_round_close(actor=SYSTEM, round_=round_)
    if units:
        services.assessment_round_open(actor=SYSTEM, organization=units[0], year=TODAY.year)
        written += 1
    cutoff = datetime.date(TODAY.year, 6, 30)
    round_ = services.promotion_round_create(
        actor=SYSTEM, organization=demo.county, name=f"{TODAY.year} 年职级晋升", cutoff=cutoff
    )
    written += 1
    # One offer per unit and rank where someone has served the years: about half of them,
    # at most the free places (an offer past the quota is refused and left out).
    served = (
        Cadre.objects.filter(is_active=True)
        .exclude(rank="")
        .filter(rank_since__isnull=False)
        .values_list("organization_id", "rank", "rank_since")
    )
    counts: dict[tuple[int, str], int] = {}
    for org_id, rank, since in served:
        target = rank_rules.rank_above(rank)
        if target and rank_rules.earliest_promotion(since, target) <= cutoff:
            counts[(org_id, target)] = counts.get((org_id, target), 0) + 1
    by_pk = {u.pk: u for u in units}
    for (org_id, target), n in sorted(counts.items()):
        try:
            services.promotion_offer_set(
                actor=SYSTEM,
                round_=round_,
                organization=by_pk[org_id],
                rank=target,
                places=max(1, n // 2 + rng.randint(0, 1)),
            )
        except ValidationError:
            continue
    return written
