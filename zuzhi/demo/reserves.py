"""Demo village reserves (村级后备力量): about 750 candidates over the 300 villages (some with
none or one), the 雁归 contact list, and their way through the services: the township's first
review, a first county joint review round closed (all twelve departments answered; a few
rejections), a second round in progress with reviewer accounts `review_jiwei` and
`review_police` among the twelve, and names still waiting for the township."""

import datetime
import random

from django.utils import timezone

from zuzhi.accounts.models import User
from zuzhi.accounts.services import user_upsert
from zuzhi.core.idnumber import check_char
from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.joint_reviews import services as review_services
from zuzhi.joint_reviews.models import Department
from zuzhi.members.models import Member
from zuzhi.orgs.models import CommitteeSeat
from zuzhi.recruitment import services as recruitment_services
from zuzhi.reserve_appraisals import services as appraisal_services
from zuzhi.reserve_use import services as use_services
from zuzhi.reserve_use.models import ElectedBody
from zuzhi.reserves import lifecycle
from zuzhi.reserves.models import ReserveCandidate, ReserveStatus
from zuzhi.reserves.services import candidate_create, talent_create

from .seeding import COUNTY_DIVISION, TODAY, mobile, person_name

REVIEWERS = {
    "纪委监委": "review_jiwei",
    "公安": "review_police",
    "法院": "review_court",
    "检察院": "review_procuratorate",
    "信访": "review_petition",
    "司法": "review_justice",
    "民政": "review_civil",
    "卫健": "review_health",
    "市场监管": "review_market",
    "税务": "review_tax",
    "自然资源": "review_land",
    "人社": "review_hrss",
}
PER_VILLAGE = [(0, 4), (1, 8), (2, 20), (3, 36), (4, 32)]
SOURCES = [
    ("excellent_member", 30),
    ("business_leader", 20),
    ("veteran", 10),
    ("migrant_worker", 20),
    ("graduate", 15),
    ("other", 5),
]
DISCOVERY = [("organization", 60), ("public", 30), ("self", 10)]
# ZB64: 21 大学, 31 大专 (college); 35 中专, 37 高中, 38 初中.
EDUCATION = [("21", 26), ("31", 36), ("35", 8), ("37", 20), ("38", 10)]
CITIES = ["郑州", "深圳", "上海", "杭州", "苏州", "北京", "广州", "南阳"]
TRADES = ["电子厂技术员", "建筑项目经理", "餐饮个体户", "物流车队长", "电商运营", "汽修店老板"]
REJECTIONS = {"公安": "近三年有治安处罚记录", "纪委监委": "有正在核查的问题线索"}


def _weighted(rng, pairs):
    return rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]


def _id_number(rng, used: set[str], *, age: int) -> str:
    while True:
        born = datetime.date(TODAY.year - age, rng.randint(1, 12), rng.randint(1, 28))
        first17 = f"{COUNTY_DIVISION}{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
        number = first17 + check_char(first17)
        if number not in used:
            used.add(number)
            return number


def _reviewers(county, password: str) -> dict[int, User]:
    review_services.departments_load_defaults(actor=SYSTEM)
    reviewers = {}
    for department in Department.objects.filter(active=True):
        username = REVIEWERS.get(department.name)
        if username is None:
            continue
        user = user_upsert(
            username=username,
            password=password,
            full_name=f"{department.name}联审审核人",
            roles=[(Role.JOINT_REVIEWER, county)],
        )
        if not user.review_departments.filter(department=department).exists():
            review_services.reviewer_department_assign(
                actor=SYSTEM, user=user, department=department
            )
        reviewers[department.pk] = user
    return reviewers


def _talents(demo, rng, used: set[str]) -> int:
    count = 0
    for town in demo.townships:
        for village in rng.sample(demo.villages[town.pk], k=min(4, len(demo.villages[town.pk]))):
            talent_create(
                actor=SYSTEM,
                data={
                    "home_village": village,
                    "name": person_name(rng),
                    "id_number": _id_number(rng, used, age=rng.randint(26, 45)),
                    "whereabouts": rng.choice(CITIES),
                    "occupation": rng.choice(TRADES),
                    "phone": mobile(rng),
                    "last_contact_on": TODAY - datetime.timedelta(days=rng.randint(5, 200)),
                    "contact_person": f"{town.name[:3]}组织委员",
                },
            )
            count += 1
    return count


def _young_members(villages) -> dict[int, list[str]]:
    """ID numbers of full members aged 25–45 by village, to nominate from the registry."""
    born_after = datetime.date(TODAY.year - 45, 1, 1)
    born_before = datetime.date(TODAY.year - 25, 12, 31)
    found: dict[int, list[str]] = {}
    for org_id, number in Member.objects.filter(
        organization__in=villages,
        status="full",
        birth_date__range=(born_after, born_before),
    ).values_list("organization_id", "id_number"):
        found.setdefault(org_id, []).append(number)
    return found


def _nominate(demo, rng, used: set[str]) -> list[ReserveCandidate]:
    villages = [v for town in demo.townships for v in demo.villages[town.pk]]
    members = _young_members(villages)
    # A township that chose older, less schooled names misses the targets on the dashboard.
    older = {t.pk for t in demo.townships[3:5]}
    people = []
    for town in demo.townships:
        # Reserves belong to a village, not to the sub-branches of its 党总支.
        for village in (v for v in demo.villages[town.pk] if v.parent_id == town.pk):
            for _ in range(_weighted(rng, PER_VILLAGE)):
                source = _weighted(rng, SOURCES)
                pool = members.get(village.pk, [])
                if source == "excellent_member" and pool:
                    number = pool.pop(rng.randrange(len(pool)))
                else:
                    if source == "excellent_member":
                        source = "business_leader"
                    low, high = (34, 50) if town.pk in older else (24, 46)
                    number = _id_number(rng, used, age=rng.randint(low, high))
                education = _weighted(rng, EDUCATION)
                if town.pk in older and education in ("21", "31") and rng.random() < 0.5:
                    education = "37"
                people.append(
                    candidate_create(
                        actor=SYSTEM,
                        data={
                            "village": village,
                            "name": person_name(rng),
                            "id_number": number,
                            "phone": mobile(rng),
                            "education": education,
                            "source": source,
                            "discovery": _weighted(rng, DISCOVERY),
                            "willing": True,
                        },
                        nominated_on=TODAY - datetime.timedelta(days=rng.randint(150, 200)),
                    )
                )
    return people


def _first_round(people, reviewers, county_admin, rng) -> None:
    """Sent in summer, answered by all twelve, closed: the pool."""
    review_round = lifecycle.candidates_send_to_review(
        actor=county_admin,
        candidates=people,
        title="2026年第一批村级后备力量县级联审",
        deadline=TODAY - datetime.timedelta(days=100),
        on=TODAY - datetime.timedelta(days=120),
    )
    items = list(review_round.items.all())
    departments = {d.name: d for d in Department.objects.filter(pk__in=reviewers)}
    for item in rng.sample(items, k=6):
        name = rng.choice(list(REJECTIONS))
        review_services.decision_record(
            actor=reviewers[departments[name].pk],
            item=item,
            department=departments[name],
            verdict="rejected",
            reason=REJECTIONS[name],
        )
    for department in departments.values():
        review_services.decisions_clear_pending(
            actor=reviewers[department.pk], department=department, items=items
        )
    review_services.round_close(actor=county_admin, review_round=review_round)


def _second_round(people, reviewers, county_admin) -> None:
    """Sent last week and still open: 纪委监委 has answered every name, 公安 half of them
    (one rejection), six departments all, four none yet."""
    review_round = lifecycle.candidates_send_to_review(
        actor=county_admin,
        candidates=people,
        title="2026年第二批村级后备力量县级联审",
        # Open against the real date, like the reviewers' to-do that reads it.
        deadline=max(TODAY, timezone.localdate()) + datetime.timedelta(days=12),
        on=TODAY - datetime.timedelta(days=5),
    )
    items = list(review_round.items.all())
    departments = list(Department.objects.filter(pk__in=reviewers).order_by("order"))
    police = next(d for d in departments if d.name == "公安")
    review_services.decision_record(
        actor=reviewers[police.pk],
        item=items[0],
        department=police,
        verdict="rejected",
        reason=REJECTIONS["公安"],
    )
    review_services.decisions_clear_pending(
        actor=reviewers[police.pk], department=police, items=items[: len(items) // 2]
    )
    for department in departments:
        if department != police and department.order <= 8:
            review_services.decisions_clear_pending(
                actor=reviewers[department.pk], department=department, items=items
            )


GRADES = ["excellent", "competent", "basically", "incompetent"]
DIMENSIONS = ["de", "neng", "qin", "ji", "lian"]


def _half_year_appraisal(demo, rng) -> None:
    """城关镇's appraisal of the second half year: 14 of 16 codes voted, the tally closed,
    every reserve decided (the weakest out, the best for priority training)."""
    clerk = User.objects.get(username="township1")
    appraisal, codes = appraisal_services.appraisal_open(
        actor=clerk,
        township=demo.townships[0],
        year=TODAY.year,
        half=2,
        codes=16,
        opened_on=TODAY - datetime.timedelta(days=9),
    )
    subjects = list(appraisal.subjects.order_by("order", "pk"))
    weak = {s.pk for s in subjects[-2:]}
    for code in codes[:14]:
        marks = {}
        for s in subjects:
            weights = [1, 2, 5, 4] if s.pk in weak else [5, 6, 1, 0]
            marks[s.pk] = {d: rng.choices(GRADES, weights=weights)[0] for d in DIMENSIONS}
        appraisal_services.ballot_cast(appraisal_id=appraisal.pk, code=code, marks=marks)
    appraisal = appraisal_services.appraisal_close(
        actor=clerk, appraisal=appraisal, closed_on=TODAY - datetime.timedelta(days=4)
    )
    for s in appraisal.subjects.order_by("rank", "pk"):
        if s.flagged:
            outcome, reason = "exit", "半年考评称职以上票数未过三分之二，退出后备力量库"
        elif s.rank is not None and s.rank <= 3:
            outcome, reason = "priority", "半年考评名列前茅"
        else:
            outcome, reason = "keep", ""
        appraisal_services.subject_decide(
            actor=clerk,
            subject=s,
            outcome=outcome,
            reason=reason,
            on=TODAY - datetime.timedelta(days=2),
        )


TASKS = [
    ("rural_revitalization", "村集体经济合作社账务与产业项目跟班"),
    ("five_star", "五星支部创建“产业兴旺星”材料整理"),
    ("dispute", "参与村级矛盾纠纷调处"),
    ("grid", "第三网格入户走访与服务"),
]


def _use(demo, rng) -> None:
    """压担子 for a third of the pool, two village elections that took reserves into the
    committees, and five non-member reserves who applied to join the Party."""
    pool = list(
        ReserveCandidate.objects.filter(status=ReserveStatus.IN_POOL)
        .select_related("village", "member")
        .order_by("pk")
    )
    for person in rng.sample(pool, k=len(pool) // 3):
        kind, title = rng.choice(TASKS)
        started = TODAY - datetime.timedelta(days=rng.randint(20, 90))
        task = use_services.assignment_create(
            actor=SYSTEM,
            candidate=person,
            data={"kind": kind, "title": title, "started_on": started},
        )
        if rng.random() < 0.5:
            use_services.assignment_record_result(
                actor=SYSTEM,
                assignment=task,
                data={
                    "performance": "按期完成，群众反映良好",
                    "rating": rng.choice(["good", "fair", "good"]),
                    "ended_on": started + datetime.timedelta(days=15),
                },
            )
    town2 = demo.townships[1]
    in_town2 = [p for p in pool if p.village.path.startswith(town2.path)]
    non_member = next((p for p in in_town2 if p.member_id is None), None)
    seated = set(
        CommitteeSeat.objects.filter(ended_on__isnull=True).values_list("member_id", flat=True)
    )
    member = next(
        (
            p
            for p in in_town2
            if p.member is not None
            and p.member.organization_id == p.village_id
            and p.member_id not in seated
        ),
        None,
    )
    if non_member is not None:
        use_services.election_record(
            actor=SYSTEM,
            village=non_member.village,
            held_on=TODAY - datetime.timedelta(days=20),
            elected=[
                use_services.ElectedInput(non_member, ElectedBody.VILLAGE_COMMITTEE, "vice_chair")
            ],
            note="村民委员会补选",
        )
    if member is not None:
        use_services.election_record(
            actor=SYSTEM,
            village=member.village,
            held_on=TODAY - datetime.timedelta(days=18),
            elected=[use_services.ElectedInput(member, ElectedBody.BRANCH_COMMITTEE, "member")],
            note="支部委员会增补委员",
        )
    applicants = [p for p in pool if p.member_id is None and p not in (non_member,)][:5]
    for person in applicants:
        recruitment_services.candidate_apply(
            actor=SYSTEM,
            organization=person.village,
            applied_on=TODAY - datetime.timedelta(days=rng.randint(10, 60)),
            data={"name": person.name, "id_number": person.id_number, "ethnicity": "01"},
        )


def seed_reserves(*, demo, rng: random.Random, password: str) -> tuple[int, list]:
    """The reserves and their review; returns (how many, the two reviewer logins to print)."""
    reviewers = _reviewers(demo.county, password)
    accounts = [
        (REVIEWERS[name], f"{name}联审审核人", f"联审部门审核人 · {name}")
        for name in ("纪委监委", "公安")
    ]
    if ReserveCandidate.objects.exists():  # a second run adds nothing
        return 0, accounts
    county_admin = User.objects.get(username="county_admin")
    # No reserve yet (the guard above): no number to read back, and none decrypted.
    used: set[str] = set()
    _talents(demo, rng, used)
    people = _nominate(demo, rng, used)
    town1 = demo.townships[0]
    waiting = [p for p in people if p.village.path.startswith(town1.path)][:12]
    returned, waiting = waiting[:2], waiting[2:]
    reviewed = [p for p in people if p not in waiting and p not in returned]
    lifecycle.township_review(
        actor=SYSTEM,
        candidates=returned,
        approve=False,
        reason="本人意愿说明不全，请补充后再报",
        on=TODAY - datetime.timedelta(days=3),
    )
    lifecycle.township_review(
        actor=SYSTEM,
        candidates=reviewed,
        approve=True,
        on=TODAY - datetime.timedelta(days=130),
    )
    second = rng.sample(reviewed, k=40)
    chosen = set(p.pk for p in second)
    _first_round([p for p in reviewed if p.pk not in chosen], reviewers, county_admin, rng)
    _second_round(second, reviewers, county_admin)
    pool = list(
        ReserveCandidate.objects.filter(status=ReserveStatus.IN_POOL).select_related("village")
    )
    picked = rng.sample(pool, k=len(pool) // 10 + 5)
    for person in picked[5:]:
        lifecycle.reserve_priority_set(
            actor=SYSTEM,
            candidate=person,
            priority=True,
            note="群众基础好，列为重点培养",
            on=TODAY - datetime.timedelta(days=60),
        )
    for person in picked[:5]:
        lifecycle.reserve_exit(
            actor=SYSTEM,
            candidate=person,
            reason="长期外出务工，本人申请退出",
            on=TODAY - datetime.timedelta(days=40),
        )
    _half_year_appraisal(demo, rng)
    _use(demo, rng)
    return len(people), accounts
