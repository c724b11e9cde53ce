"""The home page of the cadre section and of a cadre's own account (#13 parts 6 and 8)."""

import datetime

import pytest
from django.urls import reverse

from zuzhi.cadres import team_services
from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.testing.factories import UserFactory, make_cadre, user_with_role

pytestmark = pytest.mark.django_db


def test_a_cadre_account_sees_their_hours_and_their_record(client, county):
    cadre = make_cadre(county.town_a)
    cadre.user = UserFactory()
    cadre.save()
    client.force_login(cadre.user)
    page = client.get(reverse("home")).content.decode()
    assert "年度学时" in page and "/ 50" in page
    assert reverse("cadres:mine") in page and "还没有可查看的业务数据" not in page


def test_the_cadre_section_is_told_of_vacant_posts(client, county):
    team_services.team_create(
        actor=SYSTEM,
        organization=county.town_a,
        kind="township_committee",
        established_on=datetime.date(2026, 1, 5),
    )
    client.force_login(user_with_role(Role.CADRE_STAFF, county.county))
    page = client.get(reverse("home")).content.decode()
    assert "空缺的班子职位" in page and "2026-01-05" in page
    client.force_login(user_with_role(Role.COUNTY_STAFF, county.county))
    assert "空缺的班子职位" not in client.get(reverse("home")).content.decode()
