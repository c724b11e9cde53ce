"""The county overview (全县概览, /overview/): each figure against counts the test makes from
the objects it created; a township clerk's own township only; the PDF, audited."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from zuzhi.accounts.models import RoleAssignment
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.roles import Role
from zuzhi.households.models import Household
from zuzhi.members.models import Member
from zuzhi.orgs.models import Organization, OrgType
from zuzhi.overview import selectors
from zuzhi.reserves.models import ReserveCandidate, ReserveStatus
from zuzhi.reserves.selectors import age_on
from zuzhi.reserves.services import candidate_create
from zuzhi.subsidies.models import RunStatus, SubsidyLine
from zuzhi.subsidies.tests.helpers import make_policy, recipient, run_for
from zuzhi.talent.models import Talent, TalentStatus
from zuzhi.testing.factories import make_member, make_talent, user_with_role, valid_id_number
from zuzhi.tickets.models import Ticket, TicketChannel, TicketState, TicketType

URL = reverse("overview:index")
PDF = reverse("overview:pdf")
# The first half of 2026, the period every test asks for.
PERIOD = selectors.Period(datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
QUERY = {"start": "2026-01-01", "end": "2026-06-30"}
TODAY = datetime.date(2026, 7, 15)
TZ = timezone.get_current_timezone()


def at(day: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(tzinfo=TZ)


def in_period(day) -> bool:
    return day is not None and PERIOD.start <= timezone.localdate(day) <= PERIOD.end


def in_subtree(org: Organization, root: Organization) -> bool:
    return org.path.startswith(root.path)


class World:
    pass


@pytest.fixture
def world(county):
    w = World()
    w.county = county
    registrar = user_with_role(Role.COUNTY_STAFF, county.county, username="registrar")
    seq = iter(range(100, 999))

    def member(org, status="full", joined=datetime.date(2010, 7, 1)):
        return make_member(
            org,
            name=f"党员{org.code}",
            id_number=valid_id_number(sequence=next(seq)),
            status=status,
            join_date=joined,
            full_date=None if status == "probationary" else joined.replace(year=joined.year + 1),
        )

    w.members = [
        member(county.village_a1),
        member(county.village_a1),
        member(county.village_a1, "probationary", datetime.date(2026, 3, 1)),
        member(county.village_a2, "probationary", datetime.date(2025, 12, 31)),
        member(county.village_b1, "probationary", datetime.date(2026, 5, 1)),
        member(county.village_b1),
        member(county.unit, "probationary", datetime.date(2026, 6, 30)),
    ]

    def reserve(village, birth, education=""):
        c = candidate_create(
            actor=registrar,
            data={
                "village": village,
                "name": "后备",
                "id_number": valid_id_number(birth=birth, sequence=next(seq)),
                "education": education,
                "source": "graduate",
                "discovery": "organization",
            },
        )
        ReserveCandidate.objects.filter(pk=c.pk).update(status=ReserveStatus.IN_POOL)

    reserve(county.village_a1, "19900101", "21")
    reserve(county.village_a1, "19960801")
    reserve(county.village_a2, "19800101", "31")
    reserve(county.village_b1, "19920301", "11")
    w.reserves = list(ReserveCandidate.objects.select_related("village"))

    def household(community, n, linked):
        return Household.objects.create(
            community=community,
            address=f"{community.code}-{n}",
            head_name=f"户主{n}",
            member=w.members[0] if linked else None,
        )

    w.households = [
        household(county.village_a1, 1, True),
        household(county.village_a1, 2, True),
        household(county.village_a1, 3, False),
        household(county.village_a2, 1, False),
        household(county.village_b1, 1, True),
    ]
    kind = TicketType.objects.create(name="日常生活", resolve_hours=72)

    def ticket(h, created, state, resolved=None):
        start = at(created)
        return Ticket.objects.create(
            household=h,
            type=kind,
            channel=TicketChannel.COMMUNITY,
            description="诉求",
            state=state,
            created_at=start,
            accept_due=start + datetime.timedelta(hours=24),
            resolve_due=start + datetime.timedelta(hours=72),
            resolved_at=at(resolved) if resolved else None,
        )

    w.tickets = [
        ticket(w.households[0], "2026-02-10T09:00", TicketState.CLOSED, "2026-02-12T10:00"),
        ticket(w.households[1], "2026-03-05T09:00", TicketState.NEW),
        ticket(w.households[2], "2025-12-20T09:00", TicketState.RESOLVED, "2026-01-05T10:00"),
        ticket(w.households[3], "2026-06-30T23:30", TicketState.RESOLVED, "2026-07-02T10:00"),
        ticket(w.households[4], "2026-04-01T09:00", TicketState.CLOSED, "2026-04-03T09:00"),
        ticket(w.households[4], "2026-07-01T00:10", TicketState.NEW),
    ]
    return w


def _get(client, user, url=URL, **params):
    client.force_login(user)
    return client.get(url, {**QUERY, **params})


def expected_orgs(root):
    orgs = [o for o in Organization.objects.all() if in_subtree(o, root)]
    return [
        (label, n)
        for value, label in OrgType.choices
        if (n := sum(1 for o in orgs if o.org_type == value))
    ]


def expected_members(w, root):
    mine = [m for m in w.members if in_subtree(m.organization, root)]
    return {
        "total": len(mine),
        "full": sum(1 for m in mine if m.status == "full"),
        "probationary": sum(1 for m in mine if m.status == "probationary"),
        "joined": sum(1 for m in mine if PERIOD.start <= m.join_date <= PERIOD.end),
    }


@pytest.mark.parametrize("who", ["county", "town_a"])
def test_every_figure_matches_the_objects_created(world, who, client, county_user, town_a_user):
    county = world.county
    user, root = {"county": (county_user, county.county), "town_a": (town_a_user, county.town_a)}[
        who
    ]
    o = _get(client, user).context["o"]
    assert o.root == root
    assert o.orgs == expected_orgs(root)
    assert o.org_total == sum(1 for x in Organization.objects.all() if in_subtree(x, root))
    assert o.members == expected_members(world, root)

    reserves = [r for r in world.reserves if in_subtree(r.village, root)]
    assert o.reserves.total.pool == len(reserves)
    ages = [age_on(r.birth_date, timezone.localdate()) for r in reserves]
    assert o.reserves.total.age_total == sum(ages)
    college = [r for r in reserves if r.education[:1] in ("1", "2") or r.education[:2] == "31"]
    assert o.reserves.total.college == len(college)
    villages = {county.village_a1, county.village_a2, county.village_b1}
    villages = [v for v in villages if in_subtree(v, root)]
    per_village = {v.pk: sum(1 for r in reserves if r.village_id == v.pk) for v in villages}
    assert o.reserves.total.villages == len(villages)
    assert o.reserves.villages_met == sum(1 for n in per_village.values() if n >= 2)

    households = [h for h in world.households if in_subtree(h.community, root)]
    assert o.households == {
        "total": len(households),
        "linked": sum(1 for h in households if h.member_id),
    }
    tickets = [t for t in world.tickets if in_subtree(t.household.community, root)]
    opened = [t for t in tickets if in_period(t.created_at)]
    done = (TicketState.RESOLVED, TicketState.CLOSED)
    assert o.tickets.opened == len(opened)
    assert o.tickets.closed == sum(
        1 for t in tickets if t.state in done and in_period(t.resolved_at)
    )
    assert o.tickets.opened_done == sum(1 for t in opened if t.state in done)
    by_month = {m: (a, b) for m, a, b in o.tickets.by_month}
    assert list(by_month) == [f"2026-{m:02d}" for m in range(1, 7)]
    for month, (n_open, n_closed) in by_month.items():
        assert n_open == sum(
            1 for t in opened if f"{timezone.localtime(t.created_at):%Y-%m}" == month
        )
        assert n_closed == sum(
            1
            for t in tickets
            if t.state in done
            and in_period(t.resolved_at)
            and f"{timezone.localtime(t.resolved_at):%Y-%m}" == month
        )


def test_the_closing_rate_is_of_the_requests_opened_in_the_period(world, client, county_user):
    o = _get(client, county_user).context["o"]
    # Opened in the period: 2026-02-10 (closed), 03-05 (new), 04-01 (closed), 06-30 23:30
    # local time (resolved in July): three of four are done now.
    assert (o.tickets.opened, o.tickets.opened_done) == (4, 3)
    assert o.tickets.closing_rate == "75.0"


def test_a_township_clerk_sees_only_their_township(world, client, town_a_user):
    county = world.county
    response = _get(client, town_a_user)
    assert response.status_code == 200
    assert response.context["o"].root == county.town_a
    assert _get(client, town_a_user, org=county.village_a1.pk).context["o"].root == (
        county.village_a1
    )
    before = AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
    for org in (county.town_b, county.village_b1, county.county):
        assert _get(client, town_a_user, org=org.pk).status_code == 404
        assert _get(client, town_a_user, PDF, org=org.pk).status_code == 404
    assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == before + 6


def test_a_branch_secretary_has_no_overview(world, client, branch_a1_user):
    assert _get(client, branch_a1_user).status_code == 404


def test_talents_and_subsidies_are_the_talent_office_s(world, client, county_user):
    county = world.county
    make_talent(county.county, name="周青", id_number=valid_id_number(birth="19980301", sequence=1))
    make_talent(
        county.county,
        name="吴远",
        id_number=valid_id_number(birth="19970301", sequence=2),
        status=TalentStatus.LEFT,
    )
    policy = make_policy(county.county)
    recipient(policy)
    recipient(policy)
    run_for(policy, datetime.date(2025, 12, 1), approve=True)  # before the period
    run_for(policy, datetime.date(2026, 1, 1), approve=True)
    run_for(policy, datetime.date(2026, 2, 1))  # a draft: nothing paid yet
    office = county_user
    RoleAssignment.objects.create(user=office, role=Role.TALENT_STAFF, organization=county.county)

    o = _get(client, office).context["o"]
    talents = [
        t
        for t in Talent.objects.select_related("county")
        if in_subtree(t.county, county.county) and t.status == TalentStatus.IN_COUNTY
    ]
    assert o.talents == len(talents) == 3  # 周青 and the two graduates paid
    lines = [
        line
        for line in SubsidyLine.objects.select_related("run")
        if line.run.status == RunStatus.APPROVED and in_period_month(line.run.month)
    ]
    assert lines and o.subsidies["total_fen"] == sum(line.amount_fen for line in lines)
    assert o.subsidies["people"] == len(
        {line.talent_id for line in lines if line.kind == "regular"}
    )
    html = _get(client, office).content.decode()
    from zuzhi.core.money import yuan

    assert yuan(o.subsidies["total_fen"]) in html


def in_period_month(month: datetime.date) -> bool:
    return PERIOD.start.replace(day=1) <= month <= PERIOD.end


def test_county_staff_of_other_sections_get_no_talent_figures(world, client, county_user):
    make_talent(world.county.county)
    response = _get(client, county_user)
    o = response.context["o"]
    assert not o.talent_office and o.talents is None and o.subsidies is None
    assert "仅县委组织部人才办可见" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "start", "end"),
    [
        ({"preset": "quarter"}, datetime.date(2026, 7, 1), TODAY),
        ({"preset": "year"}, datetime.date(2026, 1, 1), TODAY),
        ({"preset": "last_year"}, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)),
        ({}, datetime.date(2026, 1, 1), TODAY),
    ],
)
def test_period_presets(params, start, end):
    from zuzhi.overview.forms import PeriodForm

    assert PeriodForm(params or None, today=TODAY).period() == selectors.Period(start, end)


def test_a_reversed_period_is_refused_and_this_year_shown(world, client, county_user):
    client.force_login(county_user)
    response = client.get(URL, {"start": "2026-06-30", "end": "2026-01-01"})
    assert response.status_code == 200
    assert "开始日期不能晚于结束日期" in response.content.decode()
    assert response.context["o"].period.start == timezone.localdate().replace(month=1, day=1)


def test_the_pdf_is_the_same_figures_and_audited(world, client, county_user):
    response = _get(client, county_user, PDF)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    log = AuditLog.objects.filter(action=AuditAction.EXPORT).latest("pk")
    assert log.target_type == "orgs.organization"
    assert log.target_repr.startswith("全县概览")
    assert log.org_path == world.county.county.path
    from zuzhi.overview.exports import pdf_rows

    o = _get(client, county_user).context["o"]
    rows = {(a, b): c for a, b, c in pdf_rows(o)}
    assert rows[("党员", "党员总数")] == len(world.members)
    assert rows[("联系户", "已联系党员的住户")] == 3


def test_the_page_costs_the_same_queries_with_more_members(world, client, county_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(county_user)
    client.get(URL, QUERY)
    with CaptureQueriesContext(connection) as few:
        client.get(URL, QUERY)
    for i in range(30):
        make_member(
            world.county.village_a2,
            id_number=valid_id_number(sequence=900 + i % 99, birth=f"19{70 + i // 99}0101"),
        )
    with CaptureQueriesContext(connection) as many:
        client.get(URL, QUERY)
    assert len(many) == len(few)
    assert Member.objects.count() == len(world.members) + 30


def test_the_form_shows_the_period_it_counts(world, client, county_user):
    client.force_login(county_user)
    body = client.get(URL).content.decode()
    # With nothing chosen the figures are this year's, and the form says so.
    assert '<option value="year" selected>' in body
