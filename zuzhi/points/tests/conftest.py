import datetime
import random

import pytest

from zuzhi.appraisal.models import AppraisalRound, AppraisalSubject, RoundStatus
from zuzhi.orglife.models import Meeting, MeetingAbsence
from zuzhi.points.models import PointEntry, PointRule, RuleSource
from zuzhi.points.tally import points_refresh
from zuzhi.testing.factories import make_member, valid_id_number

from .reference import YEAR


@pytest.fixture
def small_county(county, town_a_user):
    rng = random.Random(11)
    branches = [county.village_a1, county.village_a2, county.village_b1]
    members = [
        make_member(
            branches[i % 3], name=f"党员{i:02d}", id_number=valid_id_number("19800101", 100 + i)
        )
        for i in range(24)
    ]
    PointRule.objects.filter(name="受到表彰").update(yearly_cap=6)
    manual = list(PointRule.objects.filter(source=RuleSource.MANUAL))
    for branch in branches:
        mine = [m for m in members if m.organization_id == branch.pk]
        for year in (YEAR - 1, YEAR):
            for _ in range(14):
                meeting = Meeting.objects.create(
                    organization=branch,
                    kind="committee",
                    date=datetime.date(year, rng.randint(1, 12), rng.randint(1, 28)),
                    topic="例会",
                )
                present = rng.sample(mine, rng.randint(0, len(mine)))
                meeting.attendees.set(present)
                MeetingAbsence.objects.bulk_create(
                    MeetingAbsence(meeting=meeting, member=m, reason="缺席")
                    for m in mine
                    if m not in present and rng.random() < 0.3
                )
        appraisal = AppraisalRound.objects.create(
            organization=branch, year=YEAR, status=RoundStatus.PUBLISHED
        )
        for m in mine:
            AppraisalSubject.objects.create(
                round=appraisal,
                member=m,
                grade=rng.choice(["", "excellent", "qualified", "basic", "unqualified"]),
            )
    for m in members:
        for _ in range(rng.randint(0, 5)):
            rule = rng.choice(manual)
            PointEntry.objects.create(
                member=m,
                rule=rule,
                year=rng.choice([YEAR - 1, YEAR]),
                day=datetime.date(YEAR, 5, 1),
                points=rule.points,
                reason="登记",
            )
    # Written around the services, so the kept yearly points are recomputed here.
    points_refresh(member_ids=[m.pk for m in members], years=[YEAR - 1, YEAR])
    return members
