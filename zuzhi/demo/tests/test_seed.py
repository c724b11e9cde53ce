import datetime
import io
import random

import pytest
from django.core.management import call_command

from zuzhi.accounts.models import User
from zuzhi.accounts.services import login_authenticate
from zuzhi.core.models import AuditLog
from zuzhi.core.scope import path_in, user_scope_paths
from zuzhi.demo.seeding import random_password, seed_organizations
from zuzhi.members.models import Member, MemberStatus
from zuzhi.orgs.models import Organization, OrgType, UnitCategory
from zuzhi.testing.factories import make_member, valid_id_number

PASSWORD = "Demo-Pass-2026"


@pytest.fixture
def seeded(db):
    call_command("seed-demo", password=PASSWORD, seed=7, members=800, stdout=io.StringIO())


def test_the_county_has_the_shape_from_the_seeds(seeded):
    orgs = Organization.objects
    townships = orgs.filter(
        depth=2, unit_category__in=[UnitCategory.TOWNSHIP, UnitCategory.SUBDISTRICT]
    )
    assert townships.count() == 20
    places = orgs.filter(
        parent__in=townships, unit_category__in=[UnitCategory.VILLAGE, UnitCategory.COMMUNITY]
    )
    assert places.count() == 300
    assert orgs.filter(code__regex=r"^SFX-U\d{3}$").count() == 108
    assert orgs.filter(org_type=OrgType.JOINT_GENERAL_BRANCH).count() == 5
    assert orgs.filter(org_type=OrgType.JOINT_BRANCH).count() == 51
    assert (
        orgs.filter(unit_category__in=[UnitCategory.PRIVATE_FIRM, UnitCategory.SOCIAL_ORG]).count()
        > 20
    )


def test_running_twice_creates_nothing_new(seeded):
    count, log = (
        Organization.objects.count(),
        AuditLog.objects.filter(target_type="orgs.organization").count(),
    )
    members = Member.objects.count()
    assert members > 700
    before_all = AuditLog.objects.count()
    call_command("seed-demo", password=PASSWORD, seed=7, members=800, stdout=io.StringIO())
    assert AuditLog.objects.count() == before_all  # nothing changed, nothing logged
    assert Organization.objects.count() == count
    assert Member.objects.count() == members
    assert AuditLog.objects.filter(target_type="orgs.organization").count() == log


def test_same_seed_same_county(db):
    from django.db import transaction

    def names(seed):
        with transaction.atomic():
            seed_organizations(rng=random.Random(seed))
            result = list(
                Organization.objects.order_by("code").values_list("code", "name", "secretary_name")
            )
            transaction.set_rollback(True)
        return result

    assert names(3) == names(3)
    assert names(3) != names(4)


def test_accounts_and_their_scopes(seeded):
    users = {u.username: u for u in User.objects.all()}
    assert set(users) >= {
        "county_admin",
        "township1",
        "township2",
        "branch1",
        "judge1",
        "sysadmin",
        "auditor",
    }
    t1, t2 = user_scope_paths(users["township1"]), user_scope_paths(users["township2"])
    assert len(t1) == 1 and len(t2) == 1 and t1 != t2
    assert not path_in(t1[0], t2[0]) and not path_in(t2[0], t1[0])
    branch_path = user_scope_paths(users["branch1"])[0]
    assert path_in(branch_path, t1[0])
    assert Organization.objects.get(path=branch_path).org_type == OrgType.BRANCH
    for name in ("judge1", "sysadmin", "auditor"):
        assert user_scope_paths(users[name]) == []
    assert (
        login_authenticate(username="township1", password=PASSWORD, ip=None) == users["township1"]
    )


def test_random_password_passes_the_policy(db):
    from django.contrib.auth.password_validation import validate_password

    for _ in range(20):
        validate_password(random_password(), User(username="county_admin"))


def test_sixteen_thousand_members_with_valid_ids(db):
    from zuzhi.core.idnumber import validate

    seed_organizations(rng=random.Random(1))
    from zuzhi.demo.seeding import seed_members

    assert 15_500 <= seed_members(rng=random.Random(2)) <= 16_500
    sample = list(Member.objects.order_by("?")[:300])
    assert all(validate(m.id_number) == m.id_number for m in sample)
    probationary = Member.objects.filter(status=MemberStatus.PROBATIONARY).count()
    assert 0 < probationary < Member.objects.count() * 0.1
    assert seed_members(rng=random.Random(2)) == 0


def test_a_term_ending_on_29_february_is_seeded():
    # About a third of seeds draw a term ending on 29 February 2028; five years earlier has
    # no 29 February, and `zuzhi seed-demo --seed 5` used to crash on it.
    from zuzhi.demo.seeding import term

    rng = random.Random(1)
    terms = [term(rng, 5) for _ in range(5000)]
    leap = [(start, end) for start, end in terms if (end.month, end.day) == (2, 29)]
    assert leap
    assert all(start == datetime.date(end.year - 5, 3, 1) for start, end in leap)


def test_demo_contests_in_every_state(seeded):
    from zuzhi.contests.models import Contest, StageKind, SupervisionCase, Vote

    contests = {c.name: c for c in Contest.objects.filter(is_template=False)}
    arena = contests["桐柏英雄杯 村级十强 2026 · 擂台赛"]
    assert arena.status == "published"
    assert arena.versions.get().rows.filter(selected=True).count() == 10
    cup = contests["乡镇夺杯 2026"]
    judges = cup.stages.get(kind=StageKind.JUDGES)
    assert cup.status == "running" and judges.appearances.filter(status="open").count() == 1
    finest = contests["最美共产党员 2026"]
    assert finest.status == "running" and Vote.objects.filter(stage__contest=finest).exists()
    quarterly = contests["2026年第三季度 村级综合指数"]
    rows = quarterly.versions.get().rows
    assert rows.filter(list_mark="red").count() >= 5 and rows.filter(list_mark="black").count() >= 5
    assert (
        SupervisionCase.objects.filter(contest=quarterly).count()
        == rows.filter(list_mark="black").count()
    )


def test_branches_have_committees_and_meetings_name_host_and_recorder(seeded):
    from zuzhi.orglife.models import Meeting
    from zuzhi.orgs.models import CommitteeSeat

    secretaries = CommitteeSeat.objects.filter(position="secretary", ended_on__isnull=True)
    assert secretaries.count() > 50
    assert not Meeting.objects.filter(host__isnull=True).exists()
    assert not Meeting.objects.filter(recorder__isnull=True).exists()
    seat = secretaries.first()
    meeting = Meeting.objects.filter(organization=seat.organization).first()
    assert meeting.host_id == seat.member_id
    assert seat.organization.secretary_name == seat.member.name  # the page names the roster's


def test_a_branch_of_seven_gets_a_committee_of_four_that_holds_its_committee_meetings(county):
    from zuzhi.demo.activity import seed_committees

    big = [
        make_member(county.village_a1, name=f"甲{i}", id_number=valid_id_number("19800101", i))
        for i in range(7)
    ]
    small = [
        make_member(county.village_a2, name=f"乙{i}", id_number=valid_id_number("19800101", 20 + i))
        for i in range(6)
    ]
    seated = seed_committees(
        rng=random.Random(1),
        branches=[county.village_a1, county.village_a2],
        members={
            county.village_a1.pk: [m.pk for m in big],
            county.village_a2.pk: [m.pk for m in small],
        },
    )
    assert len(seated[county.village_a1.pk]) == 4 and len(seated[county.village_a2.pk]) == 1
    positions = county.village_a1.committee_seats.values_list("position", flat=True)
    assert set(positions) == {"secretary", "organization", "propaganda", "discipline"}
    assert AuditLog.objects.filter(target_type="orgs.committeeseat").count() == 5
