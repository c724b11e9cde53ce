"""The cadre section's work in the demo county (#13), on the cadres of `demo.cadres`: the
township and county unit teams with their holders (two posts left vacant, some teams short of
a target by their people), establishments and ranks, a year of training credits (members'
轮训 too), and three self-nominations in different states. All through the services."""

import datetime
import random
from decimal import Decimal

from django.core.exceptions import ValidationError

from zuzhi.accounts.services import user_upsert
from zuzhi.cadres import nomination_services, rank_services, services, team_services
from zuzhi.cadres.models import Cadre, LeadershipTeam, Rank, TeamKind
from zuzhi.core.scope import SYSTEM
from zuzhi.members.models import Member
from zuzhi.orgs.models import Organization
from zuzhi.training import services as training
from zuzhi.training.models import Course, TrainingRecord
from zuzhi.training.rules import record_hours

from .seeding import COUNTY_CODE, TODAY

ESTABLISHED = datetime.date(2021, 10, 1)
APPOINTED = datetime.date(2021, 10, 8)
# Committee posts in the team's order, by the index of the demo seat that holds each
# (demo/cadres.py TOWNSHIP_POSTS: its 政法委员 comes before its 武装部长).
COMMITTEE_SEATS = [0, 1, 2, 3, 4, 5, 7, 6, 8]
GOVERNMENT_SEATS = [1, 9, 10, 11]
COURSES = [
    ("习近平新时代中国特色社会主义思想专题", 60, True),
    ("党的二十届三中全会精神解读", 45, True),
    ("基层治理现代化案例", 30, False),
    ("乡村振兴政策与实践", 40, True),
    ("信访工作条例解读", 25, False),
    ("安全生产责任制", 20, False),
    ("廉政警示教育", 12, False),
    ("数字政府建设", 35, True),
    ("民法典与基层工作", 50, True),
    ("应急管理实务", 28, False),
    ("中华优秀传统文化", 14, False),
    ("防范化解重大风险", 32, True),
]


def _town_cadres(org: Organization) -> list[Cadre]:
    return list(Cadre.objects.filter(organization=org).order_by("pk"))


def _appoint(team: LeadershipTeam, seats: list[int], people: list[Cadre]) -> None:
    slots = [post for post in team.posts.order_by("sort_order") for _ in range(post.seats)]
    for post, seat in zip(slots, seats, strict=False):
        if seat < len(people):
            team_services.post_appoint(
                actor=SYSTEM,
                post=post,
                cadre=people[seat],
                start=APPOINTED,
                document="示组〔2021〕12号",
            )


def seed_teams(*, demo) -> int:
    """Every township's committee and government team and the county units' teams."""
    if LeadershipTeam.objects.filter(organization__code__startswith=COUNTY_CODE).exists():
        return 0
    team_services.team_targets_load_defaults(actor=SYSTEM)
    count = 0
    for town in demo.townships:
        people = _town_cadres(town)
        if not people:
            continue
        committee = team_services.team_create(
            actor=SYSTEM,
            organization=town,
            kind=TeamKind.TOWNSHIP_COMMITTEE,
            established_on=ESTABLISHED,
        )
        government = team_services.team_create(
            actor=SYSTEM,
            organization=town,
            kind=TeamKind.TOWNSHIP_GOVERNMENT,
            established_on=ESTABLISHED,
        )
        _appoint(committee, COMMITTEE_SEATS, people)
        _appoint(government, GOVERNMENT_SEATS, people)
        count += 2
    units = Organization.objects.filter(cadres__isnull=False).exclude(
        pk__in=[t.pk for t in demo.townships]
    )
    for unit in units.distinct().order_by("code"):
        team = team_services.team_create(
            actor=SYSTEM, organization=unit, kind=TeamKind.COUNTY_UNIT, established_on=ESTABLISHED
        )
        _appoint(team, [0, 1, 2, 3], _town_cadres(unit))
        count += 1
    # Two posts fell vacant this autumn: a township's 宣传委员 moved, a unit's deputy retired.
    for team, title in (
        (
            LeadershipTeam.objects.filter(kind=TeamKind.TOWNSHIP_COMMITTEE).order_by("pk")[3],
            "宣传委员",
        ),
        (
            LeadershipTeam.objects.filter(kind=TeamKind.COUNTY_UNIT).order_by("pk")[5],
            "副局长（副主任）",
        ),
    ):
        holding = (
            team.posts.get(title=title).holdings.filter(end__isnull=True).order_by("pk").last()
        )
        if holding:
            team_services.holding_end(actor=SYSTEM, holding=holding, end=datetime.date(2026, 9, 30))
    return count


RANK_PATHS = {
    "chief": [Rank.PRINCIPAL_2, Rank.PRINCIPAL_1, Rank.RESEARCHER_4],
    "deputy": [Rank.PRINCIPAL_4, Rank.PRINCIPAL_3, Rank.PRINCIPAL_2],
}


def seed_ranks(*, rng: random.Random) -> int:
    """Each unit's establishment, then each cadre's ranks in date order, two or three steps
    at least two years apart, ending within the last few years."""
    if Cadre.objects.exclude(rank="").exists():
        return 0
    granted = 0
    for unit in Organization.objects.filter(cadres__isnull=False).distinct():
        rank_services.establishment_set(actor=SYSTEM, organization=unit, posts=rng.randint(45, 120))
    for cadre in Cadre.objects.select_related("organization").order_by("pk"):
        path = RANK_PATHS["chief" if cadre.leadership_level.endswith("chief") else "deputy"]
        steps = path[: rng.randint(2, 3)]
        day = TODAY - datetime.timedelta(days=rng.randint(60, 700))
        dates = [
            day - datetime.timedelta(days=(len(steps) - 1 - i) * 760) for i in range(len(steps))
        ]
        for rank, reached in zip(steps, dates, strict=True):
            try:
                rank_services.rank_grant(
                    actor=SYSTEM,
                    cadre=cadre,
                    rank=rank,
                    reached_on=reached,
                    document="示组〔职级〕号",
                )
            except ValidationError:  # the unit's quota is full: this cadre stops there
                break
            granted += 1
    return granted


def seed_training(*, rng: random.Random, cadre1: Cadre | None) -> int:
    """A year of online courses for the cadres (about a third end the year short of 50 学时;
    `cadre1` stands at 38) and the members' 轮训 for most members."""
    year = TODAY.year
    if Course.objects.filter(year=year).exists():
        return 0
    courses = [
        training.course_create(
            actor=SYSTEM,
            data={
                "title": f"{title}（{part}）",
                "mode": "online",
                "minutes": minutes,
                "year": year,
                "provider": "河南干部网络学院",
                "has_test": has_test,
            },
        )
        for part in ("一", "二", "三", "四", "五", "六")
        for title, minutes, has_test in COURSES
    ]
    items = []
    start = datetime.date(year, 1, 5)
    span = (TODAY - start).days
    for cadre in Cadre.objects.order_by("pk"):
        chosen = rng.sample(courses, len(courses))
        target = (
            Decimal("38")
            if cadre1 and cadre.pk == cadre1.pk
            else Decimal(rng.choice([42, 50, 55, 60, 65]))
        )
        hours = Decimal(0)
        for course in chosen:
            passed = course.has_test and rng.random() < 0.85
            gain = record_hours(minutes=course.minutes, test_passed=passed)
            if hours + gain > target:
                continue
            hours += gain
            day = start + datetime.timedelta(days=rng.randint(0, span))
            items.append(
                training.RecordInput(
                    course=course, cadre=cadre, completed_on=day, test_passed=passed
                )
            )
    rotation = training.course_create(
        actor=SYSTEM,
        data={
            "title": f"{year}年度党员集中轮训",
            "mode": "in_person",
            "minutes": 240,
            "year": year,
            "provider": "县委党校",
            "has_test": False,
        },
    )
    members = Member.objects.filter(status__in=("full", "probationary")).select_related(
        "organization"
    )
    for member in members.order_by("pk").iterator(chunk_size=2000):
        if rng.random() < 0.86:
            items.append(
                training.RecordInput(
                    course=rotation,
                    member=member,
                    completed_on=start + datetime.timedelta(days=rng.randint(60, span)),
                )
            )
    good, errors = training.record_bulk_check(actor=SYSTEM, items=items)
    if errors:
        raise ValueError(errors[:3])
    training.record_bulk_insert(actor=SYSTEM, records=good)
    return TrainingRecord.objects.count()


def seed_nominations(*, demo, password: str) -> list[tuple[str, str, str]]:
    """Three self-nominations of 城关镇's cadres: one waiting for the unit's opinion, one
    declined with a reason the cadre reads, one accepted into the watch list; the township
    secretary (`secretary1`) gives the unit's opinion."""
    town = demo.townships[0]
    people = _town_cadres(town)
    cadre1 = Cadre.objects.filter(user__username="cadre1").first()
    if cadre1 is None or len(people) < 12 or cadre1.self_nominations.exists():
        return []
    secretary, deputy2 = people[0], people[10] if people[10] != cadre1 else people[11]
    rows = []
    for username, cadre in (("secretary1", secretary), ("cadre2", deputy2)):
        account = user_upsert(username=username, password=password, full_name=cadre.name, roles=[])
        services.cadre_account_link(actor=SYSTEM, cadre=cadre, user=account)
        rows.append((username, cadre.name, f"本人干部账号 · {cadre.current_post}"))
    secretary_user, deputy_user = secretary.user, deputy2.user
    cadre1_user = cadre1.user
    nomination_services.self_nomination_submit(
        actor=cadre1_user,
        cadre=cadre1,
        target_kind="post",
        target=f"{town.name.removeprefix('中共示范县')}副书记",
        statement="在副镇长岗位工作四年，分管农业农村和乡村振兴，熟悉全镇情况，愿意承担更重的担子。",
        evidence="2024、2025 年度考核均为优秀；牵头完成高标准农田建设 1.2 万亩。",
    )
    declined = nomination_services.self_nomination_submit(
        actor=cadre1_user,
        cadre=cadre1,
        target_kind="rank",
        target="二级主任科员",
        statement="任现职级以来工作实绩突出。",
    )
    nomination_services.self_nomination_unit_opinion(
        actor=secretary_user, nomination=declined, opinion="同意推荐。"
    )
    nomination_services.self_nomination_decide(
        actor=SYSTEM,
        nomination=declined,
        accept=False,
        reason="任现职级不满两年，暂不具备晋升条件。",
    )
    accepted = nomination_services.self_nomination_submit(
        actor=deputy_user,
        cadre=deputy2,
        target_kind="reserve_pool",
        target="乡科级正职后备干部",
        statement="长期在基层一线工作，熟悉经济和项目建设。",
    )
    nomination_services.self_nomination_unit_opinion(
        actor=secretary_user, nomination=accepted, opinion="该同志表现突出，同意推荐。"
    )
    nomination_services.self_nomination_decide(
        actor=SYSTEM, nomination=accepted, accept=True, reason="纳入乡科级正职考察视野。"
    )
    return rows
