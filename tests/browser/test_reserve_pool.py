"""The reserve pool dashboard (后备力量库) on a 375 px phone: the tables read as cards, nothing
scrolls sideways, and both charts draw under the CSP."""

import pytest
from django.urls import reverse

from zuzhi.core.roles import Role
from zuzhi.orgs.models import OrgType
from zuzhi.reserves.models import ReserveCandidate, ReserveStatus
from zuzhi.reserves.services import candidate_create
from zuzhi.testing.factories import OrganizationFactory, user_with_role, valid_id_number

from .test_csp import WATCH
from .test_phone_layout import _overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def county_clerk(county):
    staff = user_with_role(Role.COUNTY_STAFF, county.county, username="county_clerk")
    long_village = OrganizationFactory(
        parent=county.town_a,
        name="中共示范县城关镇李庄村党总支部委员会（含易地搬迁安置点）",
        org_type=OrgType.GENERAL_BRANCH,
    )
    for i, (village, source) in enumerate(
        [(long_village, "graduate"), (long_village, "veteran"), (county.village_b1, "other")]
    ):
        c = candidate_create(
            actor=staff,
            data={
                "village": village,
                "name": "后备",
                "id_number": valid_id_number(birth="19920315", sequence=500 + i),
                "education": "21",
                "source": source,
                "discovery": "organization",
            },
        )
        ReserveCandidate.objects.filter(pk=c.pk).update(status=ReserveStatus.IN_POOL)
    return staff


def test_pool_pages_read_on_a_phone(county, county_clerk, phone_page, live_server, login):
    phone_page.add_init_script(WATCH)
    login(phone_page, "county_clerk")
    phone_page.goto(f"{live_server.url}{reverse('reserves:pool')}")
    assert phone_page.locator("#chart-pool-areas canvas").count() == 1
    assert phone_page.locator("#chart-pool-sources canvas").count() == 1
    assert phone_page.get_by_text("未达标").first.is_visible()
    assert _overflow(phone_page) == []
    phone_page.goto(
        f"{live_server.url}{reverse('reserves:pool_township', args=[county.town_a.pk])}"
    )
    assert phone_page.locator("#under").get_by_text(county.village_a1.name).is_visible()
    assert _overflow(phone_page) == []
    assert phone_page.evaluate("window.__csp") == []
