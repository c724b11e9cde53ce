"""Demo five triggers (五个即调): the rules run over the demo county once every other seeder
has written its data (the index was published before the teams existed), after one deputy
left a post six weeks ago; then two cases are decided, so the county view shows both states."""

import datetime
import random

from zuzhi.adjustments.models import AdjustmentCase, CaseStatus, Trigger
from zuzhi.adjustments.services import case_decide, triggers_evaluate
from zuzhi.cadres.models import PostHolding
from zuzhi.cadres.team_services import holding_end
from zuzhi.core.scope import SYSTEM

from .seeding import TODAY

DECISIONS = [
    (Trigger.DISCIPLINE, "admonish", "经研判，由县委组织部进行诫勉谈话，限期整改。"),
    (
        Trigger.BOTTOM,
        "keep",
        "年度考核基本称职系分管项目受客观因素影响，本人已提交整改措施，保留现职观察半年。",
    ),
]


def seed_adjustments(*, demo, rng: random.Random) -> int:
    """Cases opened; nothing when the demo already has cases."""
    if AdjustmentCase.objects.exists():
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
    if deputy is not None:
        holding_end(actor=SYSTEM, holding=deputy, end=TODAY - datetime.timedelta(days=45))
    triggers_evaluate(actor=SYSTEM, today=TODAY)
    for trigger, decision, reason in DECISIONS:
        case = (
            AdjustmentCase.objects.filter(trigger=trigger, status=CaseStatus.OPEN)
            .order_by("pk")
            .first()
        )
        if case is not None:
            case_decide(
                actor=SYSTEM,
                case=case,
                decision=decision,
                reason=reason,
                decided_on=TODAY - datetime.timedelta(days=rng.randint(2, 20)),
            )
    return AdjustmentCase.objects.count()
