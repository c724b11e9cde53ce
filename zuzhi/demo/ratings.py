"""Demo star ratings (演示星级评定), through the real services: 五星支部 for 2025 and 2026, so the
rose/fell page has villages that gained or lost a star, and 三零村 for 2026. The county staff
proposes (townships would, in life) and a second county staffer confirms."""

import random

from zuzhi.accounts.models import User
from zuzhi.ratings import selectors, services
from zuzhi.ratings.models import StarAward, StarScheme

# Levels drawn below the shipped quotas (5★ ≤ 10 %, 4★ ≤ 40 %, 3★ ≤ 30 %).
LEVELS = [(5, 0.06), (4, 0.32), (3, 0.26), (2, 0.2), (1, 0.1), (0, 0.06)]


def _rate(scheme, period, levels, proposer, confirmer):
    stars = list(scheme.stars.order_by("position"))
    proposed = []
    for subject, level in levels.items():
        for star in stars[:level]:
            proposed.append(
                services.award_propose(
                    actor=proposer,
                    star=star,
                    period=period,
                    subject=subject,
                    evidence=f"乡镇党委考察意见：{star.name}，经支部自评、乡镇考察，符合标准。",
                )
            )
    for start in range(0, len(proposed), services.MAX_CONFIRM_BATCH):
        services.award_confirm(
            actor=confirmer, awards=proposed[start : start + services.MAX_CONFIRM_BATCH]
        )
    return len(proposed)


def seed_ratings(*, rng: random.Random) -> int:
    """Create the demo ratings once; a rerun finds them and does nothing."""
    if StarAward.objects.exists():
        return 0
    proposer = User.objects.get(username="county_admin")
    confirmer = User.objects.get(username="county_reviewer")
    five = StarScheme.objects.get(code="five-star-branch")
    villages = list(selectors.eligible_subjects(five).order_by("path"))
    weights = [w for _, w in LEVELS]
    last_year = {v: rng.choices([lvl for lvl, _ in LEVELS], weights)[0] for v in villages}
    # This year most villages keep their level; some rise or fall one star.
    this_year = {}
    for village, level in last_year.items():
        move = rng.choices([0, 1, -1], [0.7, 0.15, 0.15])[0]
        this_year[village] = min(4, max(0, level + move)) if level < 5 else level - (move < 0)
    count = _rate(five, "2025", last_year, proposer, confirmer)
    count += _rate(five, "2026", this_year, proposer, confirmer)
    three = StarScheme.objects.get(code="three-zero")
    zero = {v: rng.choices([3, 2, 1], [0.8, 0.15, 0.05])[0] for v in villages}
    count += _rate(three, "2026", zero, proposer, confirmer)
    return count
