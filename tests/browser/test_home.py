"""The county's home page draws its charts under the policy, side by side on a desktop and
one under another on a phone."""

import pytest

from zuzhi.testing.factories import make_member, valid_id_number

from .test_csp import WATCH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = [
    "#chart-age",
    "#chart-education",
    "#chart-meetings",
    "#chart-attention",
    "#chart-pipeline",
]


@pytest.mark.parametrize("width", [1366, 375])
def test_the_county_home_draws_five_charts(browser, live_server, login, county, county_user, width):
    for i in range(3):
        make_member(county.village_a1, name=f"党员{i}", id_number=valid_id_number("19800101", i))
    context = browser.new_context(
        locale="zh-CN", viewport={"width": width, "height": 800}, is_mobile=width < 500
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.add_init_script(WATCH)
    login(page, county_user.username)
    boxes = []
    for chart in CHARTS:
        page.wait_for_selector(f"{chart} canvas")
        boxes.append(page.locator(chart).bounding_box())
    assert page.evaluate("window.__csp") == []
    assert all(box["x"] + box["width"] <= width for box in boxes)
    side_by_side = boxes[0]["y"] == boxes[1]["y"]
    assert side_by_side == (width > 640)
    assert page.locator(".todo").count() == 1
    context.close()
