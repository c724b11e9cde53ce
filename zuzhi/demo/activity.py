"""The demo county's year of Party life: meetings, recruitment and member cases (组织生活、
发展党员、党员情况). Every row goes through the apps' services, as in `seeding`.
"""

import datetime
import random

from zuzhi.core.scope import SYSTEM
from zuzhi.members.services import add_years
from zuzhi.orgs.figures import org_figures_refresh
from zuzhi.orgs.models import Organization, OrgType

from .seeding import COUNTY_CODE, COUNTY_DIVISION, TODAY, mobile, person_name


def seed_meetings(*, rng: random.Random) -> int:
    """A year of organizational life for every branch, with some branches that miss months
    and a few that went quiet. History is inserted in bulk (a year of 17,000 meetings would
    take minutes one by one); each meeting still gets its audit row."""
    from zuzhi.core.audit import audit_bulk_record
    from zuzhi.core.models import AuditAction
    from zuzhi.members.models import Member
    from zuzhi.orglife.models import Meeting, MeetingAbsence

    branches = list(
        Organization.objects.filter(
            code__startswith=COUNTY_CODE, org_type__in=[OrgType.BRANCH, OrgType.JOINT_BRANCH]
        )
    )
    if Meeting.objects.filter(organization__in=branches).exists():
        return 0
    members: dict[int, list[int]] = {}
    for pk, org_id in Member.objects.filter(organization__in=branches).values_list(
        "pk", "organization_id"
    ):
        members.setdefault(org_id, []).append(pk)
    committees = seed_committees(rng=rng, branches=branches, members=members)
    topics = {
        "committee": [
            "研究发展党员工作",
            "部署本月重点工作",
            "研究村集体经济发展",
            "讨论困难群众帮扶",
        ],
        "theme_day": ["重温入党誓词", "志愿服务进村组", "学习先进典型事迹", "清洁家园行动"],
        "member_assembly": ["通报支部工作", "讨论接收预备党员", "民主议事"],
        "lecture": ["书记讲党课：传承红色基因", "学习党章党规", "学习乡村振兴政策"],
        "life_meeting": ["年度组织生活会和民主评议党员"],
    }
    schedule = [
        ("committee", 1),
        ("theme_day", 1),
        ("member_assembly", 3),
        ("lecture", 3),
        ("life_meeting", 12),
    ]
    meetings, plans = [], []
    for org in branches:
        roster = members.get(org.pk, [])
        if not roster:
            continue
        lax = rng.random() < 0.10
        quiet = rng.random() < 0.03
        for months_ago in range(12, 0, -1):
            month = datetime.date(TODAY.year, TODAY.month, 1)
            index = month.year * 12 + month.month - 1 - months_ago + 1
            month = datetime.date(index // 12, index % 12 + 1, 1)
            if quiet and months_ago <= 3:
                continue
            for kind, every in schedule:
                if (month.month - 1) % every or (lax and rng.random() < 0.35):
                    continue
                day = month.replace(day=rng.randint(3, 25))
                if day > TODAY:
                    continue
                committee = committees.get(org.pk, roster[:1])
                # A committee meeting is the committee's, where the branch has one.
                invited = committee if kind == "committee" and len(committee) > 1 else roster
                present = [pk for pk in invited if rng.random() < 0.85] or invited[:1]
                absent = [pk for pk in invited if pk not in present]
                meetings.append(
                    Meeting(
                        organization=org,
                        kind=kind,
                        date=day,
                        topic=rng.choice(topics[kind]),
                        location="党群服务中心",
                        host_id=committee[0],
                        recorder_id=committee[1] if len(committee) > 1 else rng.choice(roster),
                    )
                )
                plans.append((present, absent))
    created = Meeting.objects.bulk_create(meetings, batch_size=2000)
    # Written in bulk as a fixture, so the organizations' figures are recomputed here.
    org_figures_refresh(organization_ids={m.organization_id for m in meetings})
    Attendance = Meeting.attendees.through
    Attendance.objects.bulk_create(
        [
            Attendance(meeting_id=m.pk, member_id=pk)
            for m, (present, _) in zip(created, plans, strict=True)
            for pk in present
        ],
        batch_size=5000,
    )
    reasons = ["外出务工", "生病", "年老体弱", "家中有事"]
    MeetingAbsence.objects.bulk_create(
        [
            MeetingAbsence(meeting_id=m.pk, member_id=pk, reason=rng.choice(reasons))
            for m, (_, absent) in zip(created, plans, strict=True)
            for pk in absent
        ],
        batch_size=5000,
    )
    audit_bulk_record(
        actor=SYSTEM,
        action=AuditAction.CREATE,
        items=[
            (m, m.organization.path, {"kind": m.kind, "date": m.date.isoformat(), "topic": m.topic})
            for m in created
        ],
    )
    return len(created)


def seed_committees(
    *, rng: random.Random, branches: list[Organization], members: dict[int, list[int]]
) -> dict[int, list[int]]:
    """Each branch's committee in office (支部委员会): a secretary, and in branches of seven or
    more members an organization, a propaganda and a discipline member. Returns the seated
    member ids per branch, the secretary first."""
    from zuzhi.core.audit import audit_bulk_record
    from zuzhi.core.models import AuditAction
    from zuzhi.orgs.models import CommitteeSeat

    positions = ["secretary", "organization", "propaganda", "discipline"]
    seats, seated = [], {}
    for org in branches:
        roster = members.get(org.pk, [])
        if not roster:
            continue
        chosen = rng.sample(roster, 4 if len(roster) >= 7 else 1)
        started = TODAY - datetime.timedelta(days=rng.randint(200, 1500))
        seated[org.pk] = chosen
        seats += [
            CommitteeSeat(organization=org, position=position, member_id=pk, started_on=started)
            for position, pk in zip(positions, chosen, strict=False)
        ]
    created = CommitteeSeat.objects.bulk_create(seats, batch_size=2000)
    audit_bulk_record(
        actor=SYSTEM,
        action=AuditAction.CREATE,
        items=[
            (s, s.organization.path, {"position": s.position, "member_id": s.member_id})
            for s in created
        ],
    )
    # The name on each branch's page is its roster's secretary (as the service keeps it).
    from zuzhi.members.models import Member

    names = dict(
        Member.objects.filter(pk__in=[ids[0] for ids in seated.values()]).values_list("pk", "name")
    )
    for org in branches:
        if org.pk in seated:
            org.secretary_name = names[seated[org.pk][0]]
    Organization.objects.bulk_update(
        [org for org in branches if org.pk in seated], ["secretary_name"], batch_size=2000
    )
    return seated


def seed_recruitment(*, rng: random.Random, count: int = 120) -> int:
    """A recruitment pipeline in progress: applicants, activists, development targets and
    probationary members at realistic dates, each step through the real service."""
    from zuzhi.core.idnumber import check_char
    from zuzhi.members.models import Member
    from zuzhi.recruitment.models import Candidate
    from zuzhi.recruitment.services import candidate_advance, candidate_apply

    branches = list(
        Organization.objects.filter(code__startswith=COUNTY_CODE, org_type=OrgType.BRANCH).order_by(
            "code"
        )
    )
    if Candidate.objects.filter(organization__in=branches).exists():
        return 0
    created = 0
    for _ in range(count):
        org = rng.choice(branches)
        born = datetime.date(rng.randint(1975, 2004), rng.randint(1, 12), rng.randint(1, 28))
        first17 = f"{COUNTY_DIVISION}{born:%Y%m%d}{rng.randrange(500, 1000):03d}"
        number = first17 + check_char(first17)
        stage_steps = rng.choice([0, 0, 1, 1, 1, 2, 2, 3])
        applied = max(
            add_years(born, 18), TODAY - datetime.timedelta(days=rng.randint(30, 365 * 3))
        )
        name = person_name(rng)
        if (
            Candidate.objects.filter(id_number=number).exists()
            or Member.objects.filter(id_number=number).exists()
        ):
            continue
        candidate = candidate_apply(
            actor=SYSTEM,
            organization=org,
            applied_on=applied,
            data={
                "name": name,
                "id_number": number,
                "ethnicity": "01",
                "education": "21",
                "phone": mobile(rng),
            },
        )
        day = applied
        for step in range(stage_steps):
            wait = [rng.randint(30, 180), 366 + rng.randint(0, 200), rng.randint(60, 200)][step]
            day = day + datetime.timedelta(days=wait)
            if day > TODAY:
                break
            candidate = candidate_advance(actor=SYSTEM, candidate=candidate, on=day)
        created += 1
    return created


def seed_member_cases(*, rng: random.Random) -> int:
    """Mobile members, lost-contact and inactive members, and this year's dues bases for the
    first township (so its ledger and arrears pages have something to show)."""
    from zuzhi.dues.rules import DuesBasisKind
    from zuzhi.dues.services import dues_basis_set
    from zuzhi.members.models import Member, MemberCase, MobileRecord
    from zuzhi.members.services import member_case_open, mobile_register

    members = Member.objects.filter(organization__code__startswith=COUNTY_CODE).select_related(
        "organization"
    )
    if (
        MobileRecord.objects.filter(member__in=members).exists()
        or MemberCase.objects.filter(member__in=members).exists()
    ):
        return 0
    pool = list(members.order_by("pk").values_list("pk", flat=True))
    chosen = rng.sample(pool, 200)
    places = [
        "浙江省宁波市",
        "广东省东莞市",
        "江苏省苏州市",
        "上海市浦东新区",
        "北京市大兴区",
        "郑州市金水区",
    ]
    work = ["电子厂", "建筑工地", "物流公司", "餐饮店", "服装厂"]
    by_pk = {m.pk: m for m in members.filter(pk__in=chosen)}
    for pk in chosen[:150]:
        mobile_register(
            actor=SYSTEM,
            member=by_pk[pk],
            destination=rng.choice(places) + rng.choice(work),
            left_on=TODAY - datetime.timedelta(days=rng.randint(30, 900)),
            contact=mobile(rng),
        )
    for pk in chosen[150:170]:
        member_case_open(
            actor=SYSTEM,
            member=by_pk[pk],
            kind="lost_contact",
            opened_on=TODAY - datetime.timedelta(days=rng.randint(10, 400)),
            situation="电话无法接通，家人不知去向",
            handler=person_name(rng),
        )
    for pk in chosen[170:200]:
        member_case_open(
            actor=SYSTEM,
            member=by_pk[pk],
            kind="inactive",
            opened_on=TODAY - datetime.timedelta(days=rng.randint(10, 200)),
            situation="一年以上未参加组织生活",
            handler=person_name(rng),
        )
    first_township = members.filter(organization__code__startswith=f"{COUNTY_CODE}-T01-")
    for member in first_township:
        if member.category == "farmer":
            dues_basis_set(
                actor=SYSTEM,
                member=member,
                year=TODAY.year,
                kind=DuesBasisKind.FARMER,
                farmer_fen=rng.choice([20, 50, 100]),
            )
        else:
            dues_basis_set(
                actor=SYSTEM,
                member=member,
                year=TODAY.year,
                kind=DuesBasisKind.WAGE,
                income_fen=rng.randint(200_000, 900_000),
            )
    return len(chosen)
