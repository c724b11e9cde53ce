"""Figures of the household service (联户服务数据): coverage, requests by type and state,
the median time to close computed in the database, satisfaction; by town, community, unit,
joint branch and type; each staff user sees their scope; no member is ranked, and a member
sees only their own figures."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zuzhi.core.roles import Role
from zuzhi.households.models import Household
from zuzhi.orgs.models import OrgType
from zuzhi.testing.factories import (
    OrganizationFactory,
    UserFactory,
    make_member,
    user_with_role,
    valid_id_number,
)
from zuzhi.tickets import figures
from zuzhi.tickets.models import (
    Rating,
    ServiceTeam,
    Ticket,
    TicketChannel,
    TicketState,
    TicketType,
)

URL = reverse("ticket_figures:figures")
START = timezone.now() - datetime.timedelta(days=30)


class Town:
    pass


@pytest.fixture
def town(county):
    t = Town()
    t.county = county
    t.unit2 = OrganizationFactory(parent=county.county, code="U2", name="县财政局党支部")
    t.joint = OrganizationFactory(
        parent=county.county, code="J1", name="城区联合党支部", org_type=OrgType.JOINT_BRANCH
    )
    t.m1 = make_member(county.unit, name="甲党员", id_number=valid_id_number(sequence=11))
    t.m2 = make_member(t.unit2, name="乙党员", id_number=valid_id_number(sequence=12))
    t.m1.user = UserFactory(username="jia")
    t.m1.save(update_fields=["user"])
    t.errand = TicketType.objects.create(name="日常生活", resolve_hours=72, order=1)
    t.dispute = TicketType.objects.create(name="矛盾调解", resolve_hours=72, order=2)
    t.team = ServiceTeam.objects.create(
        organization=t.joint, name="矛盾调解团队", specialty="mediation", leader=t.m2
    )

    def household(community, n, member):
        return Household.objects.create(
            community=community,
            address=f"{community.code}-{n}",
            head_name=f"户主{n}",
            member=member,
        )

    t.a1 = [household(county.village_a1, i, t.m1) for i in range(2)]
    t.a1.append(household(county.village_a1, 9, None))
    t.a2 = household(county.village_a2, 1, t.m2)
    t.b1 = household(county.village_b1, 1, t.m1)
    # Village A1: resolved in 1, 5 and 10 hours (median 5); A2: 2 and 4 (median 3).
    t.tickets = [
        _ticket(t.a1[0], t.errand, hours=1, state=TicketState.CLOSED, rating=Rating.SATISFIED),
        _ticket(t.a1[1], t.errand, hours=10, state=TicketState.CLOSED, rating=Rating.BASIC),
        _ticket(t.a1[0], t.dispute, hours=5, state=TicketState.RESOLVED, team=t.team),
        _ticket(t.a1[1], t.errand, state=TicketState.NEW),
        _ticket(t.a2, t.dispute, hours=2, state=TicketState.CLOSED, rating=Rating.UNSATISFIED),
        _ticket(t.a2, t.errand, hours=4, state=TicketState.CLOSED, rating=Rating.SATISFIED),
        _ticket(t.b1, t.errand, state=TicketState.ACCEPTED),
    ]
    return t


def _ticket(household, kind, *, state, hours=None, rating="", team=None, start=START):
    return Ticket.objects.create(
        household=household,
        type=kind,
        channel=TicketChannel.MEMBER,
        description="诉求",
        state=state,
        member=household.member,
        team=team,
        created_at=start,
        accept_due=start + datetime.timedelta(hours=24),
        resolve_due=start + datetime.timedelta(hours=72),
        resolved_at=start + datetime.timedelta(hours=hours) if hours is not None else None,
        rating=rating,
    )


def _by_name(data, key):
    return {g.name: g for g in data.by[key]}


def test_the_median_time_to_close_per_group_and_overall(town, county_user):
    data = figures.staff_figures(user=county_user)
    communities = _by_name(data, "community")
    assert communities["李庄村党支部"].median_hours == 5.0
    assert communities["王庄村党支部"].median_hours == 3.0
    assert communities["张湾村党支部"].median_hours is None  # nothing resolved there
    # Overall: 1, 2, 4, 5, 10 hours.
    assert data.overall.median_hours == 4.0
    assert _by_name(data, "town")["城关镇党委"].median_hours == 4.0
    assert _by_name(data, "joint_branch")["城区联合党支部"].median_hours == 5.0
    assert _by_name(data, "type")["矛盾调解"].median_hours == 3.5


def test_median_hours_is_the_middle_of_an_odd_and_an_even_group(town):
    tickets = Ticket.objects.filter(household__community=town.county.village_a1)
    assert figures.median_hours(tickets, "household__community_id") == {
        town.county.village_a1.pk: 5.0
    }
    _ticket(town.a1[2], town.errand, hours=7, state=TicketState.CLOSED)
    assert figures.median_hours(tickets, "household__community_id") == {
        town.county.village_a1.pk: 6.0
    }


def test_coverage_states_and_satisfaction(town, county_user):
    data = figures.staff_figures(user=county_user)
    a1 = _by_name(data, "community")["李庄村党支部"]
    assert (a1.households, a1.linked, a1.coverage) == (3, 2, 66.7)
    assert a1.states == {TicketState.CLOSED: 2, TicketState.RESOLVED: 1, TicketState.NEW: 1}
    assert a1.satisfied_share == 100.0
    a2 = _by_name(data, "community")["王庄村党支部"]
    assert a2.satisfied_share == 50.0
    units = _by_name(data, "unit")
    # Households linked per unit: the linked member's unit.
    assert units["县教育局党组织"].households == 3 and units["县财政局党支部"].households == 1
    assert data.overall.households == 5 and data.overall.linked == 4
    assert data.overall.total == 7
    assert _by_name(data, "type")["日常生活"].total == 5


def test_a_township_sees_its_town_and_a_community_its_own(town, town_a_user, branch_a1_user):
    data = figures.staff_figures(user=town_a_user)
    assert set(_by_name(data, "community")) == {"李庄村党支部", "王庄村党支部"}
    assert set(_by_name(data, "town")) == {"城关镇党委"}
    assert data.overall.total == 6 and data.overall.households == 4
    own = figures.staff_figures(user=branch_a1_user)
    assert set(_by_name(own, "community")) == {"李庄村党支部"}
    assert own.overall.total == 4
    # The unit's figures inside the community only: B1's household is not counted.
    assert _by_name(own, "unit")["县教育局党组织"].households == 2


def test_the_page_for_staff_has_no_member_table(client, town, county_user):
    client.force_login(county_user)
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert "甲党员" not in page and "乙党员" not in page
    assert "我的服务" not in page
    for key in ("town", "community", "unit", "joint_branch", "type"):
        assert f'id="figures-{key}"' in page
    assert 'id="ticket-figures-chart-data"' in page
    assert "<script>" not in page  # charts are drawn by the static file, under the CSP


def test_a_member_sees_only_their_own_figures(client, town):
    client.force_login(town.m1.user)
    page = client.get(URL).content.decode()
    assert 'id="my-figures"' in page
    assert 'id="figures-community"' not in page and "导出 Excel" not in page
    mine = figures.my_figures(user=town.m1.user)
    # A1's two linked households and B1's: 3 households, 5 requests.
    assert mine.households == 3 and mine.total == 5
    assert mine.median_hours == 5.0
    assert client.get(reverse("ticket_figures:export")).status_code == 404


def test_someone_without_a_role_or_a_member_record_finds_nothing(client, town):
    client.force_login(UserFactory(username="nobody"))
    assert client.get(URL).status_code == 404
    unit_secretary = user_with_role(Role.BRANCH_SECRETARY, town.unit2)
    client.force_login(unit_secretary)
    # A unit's branch secretary holds no community: the figures are empty, never a member's.
    response = client.get(URL)
    assert response.status_code == 200 and "乙党员" not in response.content.decode()


def test_the_excel_export_holds_every_dimension(client, town, town_a_user):
    client.force_login(town_a_user)
    response = client.get(reverse("ticket_figures:export"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("维度", "名称", "联系户", "已联系户", "覆盖率（%）")
    names = {(r[0], r[1]) for r in rows[1:]}
    assert ("社区（村）", "李庄村党支部") in names and ("社区（村）", "张湾村党支部") not in names
    assert rows[-1][0] == "合计"


def test_the_queries_do_not_grow_with_the_tickets(client, town, county_user):
    client.force_login(county_user)
    client.get(URL)
    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    for i in range(30):
        _ticket(town.a2, town.errand, hours=i + 1, state=TicketState.CLOSED)
    with CaptureQueriesContext(connection) as large:
        client.get(URL)
    assert len(large) == len(small) <= 30
