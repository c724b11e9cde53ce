"""Demo training of reserves (育): the county's plan for the year, mentors for the pool of the
first six townships, a mentoring day each month (most pairs already have this month's, some not
yet), and course completions. Mentoring days run to the real date, like the resident village
work's months, so that the month view's "this month" has both kinds."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from zuzhi.core.scope import SYSTEM
from zuzhi.reserve_training import selectors, services
from zuzhi.reserve_training.models import ReserveTrainingPlan
from zuzhi.reserves.models import ReserveCandidate, ReserveStatus
from zuzhi.training.models import Course

from .seeding import TODAY

ACTIVITIES = [
    ("policy", "学习乡村振兴政策文件"),
    ("project", "跟班参与村集体产业项目"),
    ("dispute", "一起调处邻里宅基地纠纷"),
    ("visit", "入户走访困难群众"),
]


def _month_starts(first: datetime.date, last: datetime.date):
    day = first.replace(day=1)
    while day <= last:
        yield day
        day = (day + datetime.timedelta(days=32)).replace(day=1)


def seed_reserve_training(*, demo, rng: random.Random) -> int:
    """Returns the number of mentor pairs."""
    if ReserveTrainingPlan.objects.exists():  # a second run adds nothing
        return 0
    courses = list(Course.objects.filter(year=TODAY.year).order_by("pk")[:4])
    services.plan_create(
        actor=SYSTEM,
        organization=demo.county,
        year=TODAY.year,
        hours_required=Decimal(12),
        courses=courses,
        title=f"{TODAY.year}年村级后备力量培养计划",
    )
    today = timezone.localdate()
    started = TODAY - datetime.timedelta(days=120)
    towns = demo.townships[:6]
    pool = ReserveCandidate.objects.filter(
        status=ReserveStatus.IN_POOL, village__parent__in=towns
    ).select_related("village", "member")
    pairs = 0
    for reserve in pool.order_by("pk"):
        choices = selectors.mentor_choices(reserve=reserve)
        if not choices:
            continue
        pair = services.mentorship_create(
            actor=SYSTEM, reserve=reserve, mentor=choices[0].key, started_on=started
        )
        pairs += 1
        for month in _month_starts(started + datetime.timedelta(days=1), today):
            if month.month == today.month and rng.random() < 0.25:
                continue  # not yet this month: the month view lists them
            last = today.day if month.month == today.month else 28
            activity, content = rng.choice(ACTIVITIES)
            services.mentoring_day_record(
                actor=SYSTEM,
                mentorship=pair,
                date=max(month.replace(day=rng.randint(1, last)), started),
                activity=activity,
                content=content,
            )
        for course in rng.sample(courses, k=min(len(courses), rng.randint(0, 3))):
            services.record_create(
                actor=SYSTEM,
                reserve=reserve,
                course=course,
                completed_on=TODAY - datetime.timedelta(days=rng.randint(5, 100)),
                test_passed=course.has_test,
            )
    return pairs
