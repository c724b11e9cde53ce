"""A democratic appraisal (民主测评) in the demo county: one township Party committee's team
appraised by three weighted rater groups, closed, with one cadre — the last post holder —
graded 优秀+称职 by fewer than two thirds of every group, so the person-post mismatch trigger
(人岗不适) has a case to open. Through the services, as the cadre section (SYSTEM)."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from zuzhi.cadres.models import LeadershipTeam, PostHolding, TeamKind
from zuzhi.core.scope import SYSTEM
from zuzhi.team_appraisal import services
from zuzhi.team_appraisal.models import OVERALL, Dimension, TeamAppraisal

from .seeding import TODAY

STRONG = ["excellent", "competent"]


def _team(demo) -> LeadershipTeam | None:
    """The first township committee with at least three members today."""
    for team in LeadershipTeam.objects.filter(
        kind=TeamKind.TOWNSHIP_COMMITTEE, organization__in=demo.townships
    ).order_by("organization__path"):
        holders = PostHolding.objects.filter(team_post__team=team, end__isnull=True)
        if holders.values("cadre").distinct().count() >= 3:
            return team
    return None


def _grades(rng: random.Random, *, weak: bool, i: int) -> dict[str, str]:
    """One ballot's grades of a cadre. The weak one: 称职 on every third ballot, otherwise
    基本称职 (a third of each group approves, well below 2/3); the others: 优秀 or 称职, with
    基本称职 on every seventh ballot at most."""
    if weak:
        overall = "competent" if i % 3 == 0 else "basically"
        dims = {d: rng.choice(["competent", "basically"]) for d in Dimension.values}
    else:
        overall = "basically" if i % 7 == 6 else rng.choice(STRONG)
        dims = {d: rng.choice(STRONG) for d in Dimension.values}
    return {**dims, OVERALL: overall}


def seed_team_appraisal(*, demo, rng: random.Random) -> int:
    """Returns the number of appraisals written (0 when already seeded or no team fits)."""
    if TeamAppraisal.objects.exists():
        return 0
    team = _team(demo)
    if team is None:
        return 0
    closed_on = min(TODAY - datetime.timedelta(days=23), timezone.localdate())
    appraisal, codes = services.appraisal_open(
        actor=SYSTEM,
        team=team,
        year=closed_on.year,
        opened_on=closed_on - datetime.timedelta(days=2),
        groups=[
            services.GroupInput("班子成员", Decimal(30), 6),
            services.GroupInput("中层干部", Decimal(40), 12),
            services.GroupInput("服务对象和群众代表", Decimal(30), 12),
        ],
    )
    subjects = list(appraisal.subjects.order_by("order", "pk"))
    weak = subjects[-1]
    for group_codes in codes.values():
        for i, code in enumerate(group_codes):
            marks = {s.pk: _grades(rng, weak=s is weak, i=i) for s in subjects}
            services.ballot_cast(appraisal_id=appraisal.pk, code=code, marks=marks)
    services.appraisal_close(actor=SYSTEM, appraisal=appraisal, closed_on=closed_on)
    return 1
