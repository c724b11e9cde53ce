"""The demo county as `zuzhi seed-demo` builds it, seeded once for all the tests of this
module (see `seeded_once`)."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction

from zuzhi.accounts.models import User
from zuzhi.accounts.services import login_authenticate
from zuzhi.core.audit_verify import audit_verify
from zuzhi.core.models import AuditLog
from zuzhi.core.scope import path_in, user_scope_paths
from zuzhi.members.models import Member
from zuzhi.orgs.models import Organization, OrgType, UnitCategory

PASSWORD = "Demo-Pass-2026"


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    """The demo county, seeded once for the tests that read it (a seed takes about 85 s
    on PostgreSQL, 45 s on SQLite; seeding per test made this module take 8 minutes):
    inside a transaction rolled back when the module ends, so the database is empty again
    for other modules. Each test runs in a savepoint of it, so a test's own writes (the
    second seed) are undone before the next test."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed-demo", password=PASSWORD, seed=7, members=800, stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def seeded(seeded_once, db):
    """The seeded county for one test; `db` opens the test's savepoint inside it."""


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


def test_the_seeds_audit_rows_are_sealed_into_an_unbroken_chain(seeded):
    chain = audit_verify()
    assert chain.verified == AuditLog.objects.count() > 1000
    assert chain.ok and chain.pending == 0, chain.report()


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
    # The public 季度晾晒 compares it with last quarter's published index.
    from zuzhi.overview.publication import publication_rows

    shown = publication_rows(version=quarterly.versions.get())
    assert shown.previous_label == "2026年第二季度"
    assert any(r.change for r in shown.rows)
    # Last quarter's supervision is closed: only this quarter's cases wait on the home page.
    assert not SupervisionCase.objects.filter(
        contest__name="2026年第二季度 村级综合指数", status="open"
    ).exists()


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


def test_reserves_in_every_step_with_a_round_in_progress(seeded):
    from zuzhi.joint_reviews.models import ReviewRound, RoundStatus
    from zuzhi.joint_reviews.selectors import reviewer_departments, reviewer_pending
    from zuzhi.reserve_appraisals.models import ReserveAppraisal, ReserveAppraisalStatus
    from zuzhi.reserve_training.models import MentoringDay
    from zuzhi.reserves.models import ReserveCandidate

    statuses = set(ReserveCandidate.objects.values_list("status", flat=True))
    assert {"candidate", "returned", "in_review", "in_pool", "exited", "appointed"} <= statuses
    assert ReviewRound.objects.filter(status=RoundStatus.OPEN).count() == 1
    assert ReviewRound.objects.filter(status=RoundStatus.CLOSED).count() == 1
    jiwei, police = (User.objects.get(username=u) for u in ("review_jiwei", "review_police"))
    [department] = reviewer_departments(user=police)
    assert department.name == "公安"
    assert reviewer_pending(user=police, department=department).exists()
    [department] = reviewer_departments(user=jiwei)
    assert not reviewer_pending(user=jiwei, department=department).exists()
    assert login_authenticate(username="review_police", password=PASSWORD, ip=None) == police
    assert ReserveAppraisal.objects.filter(status=ReserveAppraisalStatus.FINISHED).count() == 1
    assert MentoringDay.objects.exists()


def test_households_linked_to_county_unit_members_and_lianhu1(seeded):
    from django.conf import settings
    from django.db.models import Count

    from zuzhi.households.models import Household
    from zuzhi.households.selectors import my_households

    assert Household.objects.count() > 500
    assert not Household.objects.filter(member__isnull=True).exists()
    loads = Household.objects.values("member").annotate(n=Count("id")).values_list("n", flat=True)
    assert max(loads) <= settings.ZUZHI_HOUSEHOLD_LINK_CAP
    lianhu1 = User.objects.get(username="lianhu1")
    assert my_households(user=lianhu1).count() >= 9


def test_tickets_in_every_state_some_escalated_and_lianhu1_has_open_ones(seeded):
    from zuzhi.tickets.models import OPEN_STATES, Ticket, TicketState
    from zuzhi.tickets.selectors import my_tickets

    states = set(Ticket.objects.values_list("state", flat=True))
    assert {TicketState.NEW, TicketState.IN_PROGRESS, TicketState.CLOSED} <= states
    assert Ticket.objects.filter(escalation__gt=0).exists()
    lianhu1 = User.objects.get(username="lianhu1")
    assert my_tickets(user=lianhu1).filter(state__in=OPEN_STATES).count() >= 3


def test_talent_registry_with_the_office_and_a_talents_own_account(seeded):
    from zuzhi.talent.models import Platform, Talent
    from zuzhi.talent.selectors import not_visited, own_talent, registry_counts

    officer = User.objects.get(username="talent_officer")
    counts = registry_counts(user=officer)
    assert counts["total"] >= 290 and counts["left"] == 2
    assert counts["provincial"] == 12 and counts["city"] == 29
    assert Talent.objects.filter(title__name="青年人才").count() == 90
    assert Platform.objects.count() == 20
    # Most high-level talents were visited this year; the check lists the rest.
    assert 0 < not_visited(user=officer, year=2026).count() < counts["high_level"] // 5
    talent1 = User.objects.get(username="talent1")
    own = own_talent(user=talent1)
    assert own.title.name == "青年人才"
    # The young graduate's own subsidy lines and flat.
    from zuzhi.apartments.selectors import my_allocations
    from zuzhi.subsidies.selectors import my_lines

    assert my_lines(user=talent1).exists()
    assert my_allocations(user=talent1).exists()
    # The organization section's staff see none of it.
    county_admin = User.objects.get(username="county_admin")
    assert not Talent.objects.visible_to(county_admin).exists()
