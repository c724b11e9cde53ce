"""Leadership team pages in the browser: the county's structure charts draw under the policy,
and a team's page fits a phone."""

import datetime

import pytest

from zuzhi.cadres import team_services as svc
from zuzhi.cadres.models import TeamKind
from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.testing.factories import make_cadre, user_with_role, valid_id_number

from .test_csp import WATCH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ["#chart-age", "#chart-education", "#chart-specialties", "#chart-shortfalls"]


def _teams(county):
    svc.team_targets_load_defaults(actor=SYSTEM)
    team = svc.team_create(
        actor=SYSTEM, organization=county.town_a, kind=TeamKind.TOWNSHIP_COMMITTEE
    )
    for i, post in enumerate(team.posts.all()[:4]):
        cadre = make_cadre(
            county.town_a,
            name=f"干部{i}",
            id_number=valid_id_number(f"19{70 + i * 5}0101", 10 + i),
            education="21" if i % 2 else "31",
            specialties="熟悉经济、懂法律" if i % 2 else "熟悉农业",
        )
        svc.post_appoint(actor=SYSTEM, post=post, cadre=cadre, start=datetime.date(2024, 1, 1))
    return team


@pytest.mark.parametrize("width", [1366, 375])
def test_the_structure_page_draws_four_charts(browser, live_server, login, county, width):
    _teams(county)
    officer = user_with_role(Role.CADRE_STAFF, county.county, username="cadre_officer")
    context = browser.new_context(
        locale="zh-CN", viewport={"width": width, "height": 800}, is_mobile=width < 500
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.add_init_script(WATCH)
    login(page, officer.username)
    page.goto(f"{live_server.url}/cadres/teams/structure/")
    boxes = []
    for chart in CHARTS:
        page.wait_for_selector(f"{chart} canvas")
        boxes.append(page.locator(chart).bounding_box())
    assert page.evaluate("window.__csp") == []
    assert all(box["x"] + box["width"] <= width for box in boxes)
    assert (boxes[0]["y"] == boxes[1]["y"]) == (width > 640)
    context.close()


def test_a_team_page_fits_a_phone(phone_page, live_server, login, county):
    team = _teams(county)
    officer = user_with_role(Role.CADRE_STAFF, county.county, username="cadre_officer")
    phone_page.add_init_script(WATCH)
    login(phone_page, officer.username)
    for url in ("/cadres/teams/", f"/cadres/teams/{team.pk}/", "/cadres/teams/targets/"):
        phone_page.goto(f"{live_server.url}{url}")
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{url}: {width}px wide"
    assert phone_page.evaluate("window.__csp") == []
