"""Demo five triggers (五个即调): the county publishes its quarterly township index (the two
townships at the bottom open cases for their leaders as it is published), one deputy left a
post six weeks ago, the rules run over what every other seeder wrote, and two cases are
decided, so the county view shows both states."""

import datetime
import random
from decimal import Decimal

from zuzhi.accounts.models import User
from zuzhi.adjustments.models import AdjustmentCase, CaseStatus, Trigger
from zuzhi.adjustments.services import case_decide, triggers_evaluate
from zuzhi.cadres.models import PostHolding
from zuzhi.cadres.team_services import holding_end
from zuzhi.contests import selectors as contest_selectors
from zuzhi.contests import services as contest_services
from zuzhi.contests.models import StageKind
from zuzhi.core.scope import SYSTEM

from .seeding import TODAY

DECISIONS = [
    (Trigger.DISCIPLINE, "诫勉", "admonish", "经研判，由县委组织部进行诫勉谈话，限期整改。"),
    (
        Trigger.BOTTOM,
        "年度考核",
        "keep",
        "年度考核基本称职系分管项目受客观因素影响，本人已提交整改措施，保留现职观察半年。",
    ),
]


INDICATORS = [("经济发展", 40), ("基层党建", 35), ("社会治理", 25)]


def _township_index(demo, rng: random.Random) -> None:
    actor = User.objects.get(username="county_admin")  # the county's contest organizer
    contest = contest_services.contest_create(
        actor=actor,
        organization=demo.county,
        data={
            "name": "2026年第三季度 乡镇综合指数",
            "track": "township",
            "period_label": "2026年第三季度",
        },
        stages=[
            {
                "kind": "indicators",
                "name": "指标",
                "weight": Decimal(100),
                "indicators": [
                    {"name": name, "weight": Decimal(weight), "method": "raw"}
                    for name, weight in INDICATORS
                ],
            }
        ],
    )
    contest_services.entrants_add_eligible(actor=actor, contest=contest)
    contest_services.contest_start(actor=actor, contest=contest)
    stage = contest.stages.get(kind=StageKind.INDICATORS)
    leaves = contest_selectors.leaf_indicators(stage)
    for entrant in contest.entrants.order_by("number"):
        strength = rng.uniform(60, 95)
        for leaf in leaves:
            value = Decimal(str(round(strength + rng.uniform(-5, 5), 1)))
            contest_services.indicator_value_set(
                actor=actor, entrant=entrant, indicator=leaf, value=value
            )
    version = contest_services.result_compute(actor=actor, contest=contest)
    contest_services.result_publish(actor=actor, version=version)


def seed_adjustments(*, demo, rng: random.Random) -> int:
    """Cases in the demo; nothing new once its decisions are there (the seeders before this
    one already opened cases through the services that run the triggers)."""
    if AdjustmentCase.objects.filter(status=CaseStatus.DECIDED).exists():
        return 0
    deputy = (
        PostHolding.objects.filter(
            end__isnull=True,
            team_post__isnull=False,
            leadership_level__endswith="_deputy",
            team_post__team__organization__in=demo.townships,
            start__lt=TODAY - datetime.timedelta(days=45),
        )
        .order_by("team_post__team__organization__path", "pk")
        .first()
    )
    _township_index(demo, rng)
    if deputy is not None:
        holding_end(actor=SYSTEM, holding=deputy, end=TODAY - datetime.timedelta(days=45))
    triggers_evaluate(actor=SYSTEM, today=TODAY)
    for trigger, words, decision, reason in DECISIONS:
        case = (
            AdjustmentCase.objects.filter(
                trigger=trigger, status=CaseStatus.OPEN, title__contains=words
            )
            .order_by("pk")
            .first()
        )
        if case is not None:
            case_decide(actor=SYSTEM, case=case, decision=decision, reason=reason)
    return AdjustmentCase.objects.count()
