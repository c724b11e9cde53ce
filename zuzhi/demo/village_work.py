"""Resident village work in the demo county (驻村工作), through the services as the cadre
section and the cadres would do it: a work team (第一书记 and two 工作队员) resident in the
first village of the first township with a year of monthly reports, each reviewed at the
monthly joint meeting; a first secretary in one village of each other rural township, some
of whom have not filed October's report (overdue on TODAY, 23 November); a rural
revitalization instructor whose term ends within 60 days."""

import datetime
import random

from zuzhi.accounts.services import user_upsert
from zuzhi.cadres.models import Cadre
from zuzhi.cadres.services import cadre_account_link
from zuzhi.core.scope import SYSTEM
from zuzhi.orgs.models import UnitCategory
from zuzhi.village_work import rules, services
from zuzhi.village_work.models import Assignment, ReviewGrade

from .seeding import COUNTY_CODE, TODAY

TEAM_START = datetime.date(2025, 11, 1)
TEAM_END = datetime.date(2027, 10, 31)
WORK = [
    "走访脱贫户和监测户{n}户，逐户核实收入和“两不愁三保障”情况。",
    "协调县交通局硬化村组道路{n}公里，组织群众投工投劳。",
    "召开支部委员会和党员大会，落实“三会一课”，发展入党积极分子1名。",
    "对接电商企业，帮助合作社销售香菇{n}吨。",
    "排查矛盾纠纷{n}起，调解化解{n}起。",
    "组织村“两委”干部学习乡村振兴政策，开展人居环境整治。",
]
PROBLEMS = [
    "灌溉渠渗漏，需争取项目资金维修。",
    "村集体经济收入来源单一。",
    "年轻劳动力外出多，产业用工紧张。",
    "",
]
PLANS = [
    "申报高标准农田项目，推进灌溉渠改造。",
    "筹建村级光伏电站，增加集体收入。",
    "举办技能培训班，引导返乡青年创业。",
    "开展“星级文明户”评选。",
]


def _months(first: datetime.date, last: datetime.date):
    month = rules.month_start(first)
    while month <= last:
        yield month
        month = rules.month_end(month) + datetime.timedelta(days=1)


def _report(assignment, month, rng, *, actor=SYSTEM):
    n = rng.randint(2, 30)
    return services.report_submit(
        actor=actor,
        assignment=assignment,
        month=month,
        work_done="\n".join(w.format(n=n) for w in rng.sample(WORK, 3)),
        problems=rng.choice(PROBLEMS),
        next_plan=rng.choice(PLANS),
    )


def seed_village_work(*, demo, rng: random.Random) -> int:
    """Returns how many monthly reports were added (none when the assignments exist)."""
    if Assignment.objects.exists():
        return 0
    unit_cadres = iter(
        Cadre.objects.filter(organization__code__startswith=f"{COUNTY_CODE}-U", is_active=True)
        .exclude(current_post__startswith="党组书记")
        .order_by("pk")
    )
    rural = [
        (town, [v for v in demo.villages[town.pk] if v.unit_category == UnitCategory.VILLAGE])
        for town in demo.townships
    ]
    rural = [(town, villages) for town, villages in rural if villages]
    grades = list(ReviewGrade.objects.filter(is_active=True))
    weights = [5, 3, 1, 0.3][: len(grades)]
    reports = 0

    def assign(cadre, village, role, start, end):
        return services.assignment_create(
            actor=SYSTEM,
            cadre=cadre,
            village=village,
            role=role,
            sending_unit=cadre.unit_name or cadre.organization.name,
            start=start,
            end=end,
        )

    # The work team: a year of reports up to October, each reviewed early the next month.
    town, villages = rural[0]
    team = [
        assign(next(unit_cadres), villages[0], role, TEAM_START, TEAM_END)
        for role in ("first_secretary", "team_member", "team_member")
    ]
    for assignment in team:
        for month in _months(TEAM_START, rules.previous_month(TODAY)):
            report = _report(assignment, month, rng)
            reports += 1
            services.review_record(
                actor=SYSTEM,
                report=report,
                date=rules.month_end(month) + datetime.timedelta(days=rng.randint(3, 6)),
                grade=rng.choices(grades, weights=weights)[0],
                comments=rng.choice(["思路清晰，措施具体。", "进度滞后，需加强督促。", ""]),
            )
    # A first secretary in one village of each other rural township: a few months of
    # reports; every third one has not filed October's yet.
    for i, (_, villages) in enumerate(rural[1:], start=1):
        start = datetime.date(2026, rng.randint(1, 6), 1)
        assignment = assign(
            next(unit_cadres), villages[i % len(villages)], "first_secretary", start, TEAM_END
        )
        last = rules.previous_month(TODAY)
        if i % 3 == 0:
            last = rules.previous_month(last)
        for month in _months(start, last):
            _report(assignment, month, rng)
            reports += 1
    # An instructor whose term ends within 60 days of TODAY.
    town, villages = rural[-1]
    instructor = assign(
        next(unit_cadres),
        villages[0],
        "instructor",
        datetime.date(2025, 1, 1),
        datetime.date(2026, 12, 31),
    )
    for month in _months(datetime.date(2026, 8, 1), rules.previous_month(TODAY)):
        _report(instructor, month, rng)
        reports += 1
    return reports


def seed_village_account(*, password: str) -> list[tuple[str, str, str]]:
    """`zhucun1`: the demo work team's first secretary, who files the report from a phone."""
    assignment = (
        Assignment.objects.filter(role="first_secretary", status="active")
        .select_related("cadre", "village")
        .order_by("pk")
        .first()
    )
    if assignment is None:
        return []
    own = user_upsert(
        username="zhucun1", password=password, full_name=assignment.cadre.name, roles=[]
    )
    if assignment.cadre.user_id is None:
        cadre_account_link(actor=SYSTEM, cadre=assignment.cadre, user=own)
    return [(own.username, own.full_name, f"驻村第一书记 · {assignment.village.name}")]
