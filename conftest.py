"""Shared fixtures: a small county with two townships, and one user per role."""

from dataclasses import dataclass

import pytest

from zuzhi.core.roles import Role
from zuzhi.orgs.models import Organization, OrgType, UnitCategory
from zuzhi.testing.factories import TEST_PASSWORD, OrganizationFactory, user_with_role


@dataclass
class County:
    county: Organization
    town_a: Organization
    town_b: Organization
    village_a1: Organization
    village_a2: Organization
    village_b1: Organization
    unit: Organization


@pytest.fixture
def county(db) -> County:
    c = OrganizationFactory(
        code="C",
        name="示范县委",
        org_type=OrgType.COUNTY_COMMITTEE,
        unit_category=UnitCategory.COUNTY,
    )
    a = OrganizationFactory(
        parent=c,
        code="TA",
        name="城关镇党委",
        org_type=OrgType.COMMITTEE,
        unit_category=UnitCategory.TOWNSHIP,
    )
    b = OrganizationFactory(
        parent=c,
        code="TB",
        name="城郊乡党委",
        org_type=OrgType.COMMITTEE,
        unit_category=UnitCategory.TOWNSHIP,
    )
    return County(
        county=c,
        town_a=a,
        town_b=b,
        village_a1=OrganizationFactory(parent=a, code="VA1", name="李庄村党支部"),
        village_a2=OrganizationFactory(parent=a, code="VA2", name="王庄村党支部"),
        village_b1=OrganizationFactory(parent=b, code="VB1", name="张湾村党支部"),
        unit=OrganizationFactory(
            parent=c, code="U1", name="县教育局党组织", unit_category=UnitCategory.GOVERNMENT
        ),
    )


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD


@pytest.fixture
def county_user(county):
    return user_with_role(Role.COUNTY_STAFF, county.county, username="county_staff")


@pytest.fixture
def town_a_user(county):
    return user_with_role(Role.TOWNSHIP_STAFF, county.town_a, username="town_a")


@pytest.fixture
def town_b_user(county):
    return user_with_role(Role.TOWNSHIP_STAFF, county.town_b, username="town_b")


@pytest.fixture
def branch_a1_user(county):
    return user_with_role(Role.BRANCH_SECRETARY, county.village_a1, username="branch_a1")


@pytest.fixture
def auditor_user(county):
    return user_with_role(Role.AUDIT_ADMIN, county.county, username="auditor")


@pytest.fixture
def sysadmin_user(county):
    return user_with_role(Role.SYSTEM_ADMIN, county.county, username="sysadmin")


@pytest.fixture
def client_as(client):
    """Log a test client in as `user` (sessions, no lockout bookkeeping)."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _clear_shared_cache():
    """Rate-limit counters and cached vote totals must not leak from one test to the next."""
    from django.core.cache import caches

    from zuzhi.contests.voting.selectors import vote_target_forget

    caches["shared"].clear()
    vote_target_forget()


@pytest.fixture
def api_as(db):
    """A test client that calls /api/ as `user`, with a bearer token issued to them."""
    from django.test import Client

    from zuzhi.accounts.services import token_issue

    def _client(user):
        return Client(headers={"Authorization": f"Bearer {token_issue(user=user)}"})

    return _client


@dataclass
class TalentWorld:
    """Two counties' talent offices (人才办), and people who must see nothing of talent work."""

    county: County
    other_county: Organization
    office: object
    other_office: object
    county_staff: object
    township: object
    talent: object
    talent_user: object
    other_talent: object


@pytest.fixture
def talent_world(county) -> TalentWorld:
    from zuzhi.testing.factories import UserFactory, make_talent

    other = OrganizationFactory(
        code="C2",
        name="邻县县委",
        org_type=OrgType.COUNTY_COMMITTEE,
        unit_category=UnitCategory.COUNTY,
    )
    talent_user = UserFactory(username="talent_self")
    talent = make_talent(county.county, name="周青", user=talent_user)
    return TalentWorld(
        county=county,
        other_county=other,
        office=user_with_role(Role.TALENT_STAFF, county.county, username="rcb"),
        other_office=user_with_role(Role.TALENT_STAFF, other, username="rcb2"),
        county_staff=user_with_role(Role.COUNTY_STAFF, county.county, username="zzb"),
        township=user_with_role(Role.TOWNSHIP_STAFF, county.town_a, username="town_a_staff"),
        talent=talent,
        talent_user=talent_user,
        other_talent=make_talent(other, name="吴远"),
    )
