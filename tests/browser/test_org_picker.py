"""The organization picker in a real browser: a clerk types initials, chooses with the
keyboard or a tap, and the form saves the organization; on a phone the choices are tap-sized,
and nothing is refused by the Content-Security-Policy."""

import pytest
from django.urls import reverse

from zuzhi.core.roles import Role
from zuzhi.members.models import Member
from zuzhi.testing.factories import make_member, user_with_role, valid_id_number

from .htmx import settled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


@pytest.fixture
def township1(county):
    return user_with_role(Role.TOWNSHIP_STAFF, county.town_a, username="township1")


def test_a_member_is_recorded_in_a_branch_chosen_by_keyboard(
    page, live_server, login, county, township1
):
    page.add_init_script(WATCH)
    login(page, "township1")
    page.goto(f"{live_server.url}{reverse('members:create')}")
    page.click("label[for=id_organization_q]")
    page.keyboard.type("lzc")
    page.locator("#id_organization_results button", has_text="李庄村党支部").wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_selector("#id_organization_chosen:has-text('已选：李庄村党支部（城关镇党委）')")
    settled(page)
    assert page.evaluate("document.activeElement.id") == "id_organization_q"
    # Typing again clears the choice; Enter in the box takes the first match, not the form.
    page.keyboard.press("Control+A")
    page.keyboard.type("wzc")
    page.locator("#id_organization_results button", has_text="王庄村党支部").wait_for()
    assert page.input_value("#id_organization") == ""
    assert "城郊乡" not in page.locator("#id_organization_results").inner_text()
    page.keyboard.press("Enter")
    page.wait_for_selector("#id_organization_chosen:has-text('已选：王庄村党支部（城关镇党委）')")
    settled(page)
    assert page.url.endswith(reverse("members:create"))
    page.fill("#id_name", "曾国华")
    page.fill("#id_id_number", valid_id_number())
    page.select_option("#id_ethnicity", "01")
    page.fill("#id_join_date", "2005-07-01")
    page.select_option("#id_status", "full")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已录入党员 曾国华")
    assert Member.objects.get().organization == county.village_a2
    # Found again by the surname's own reading.
    page.goto(f"{live_server.url}{reverse('members:list')}?q=zgh")
    page.wait_for_selector("text=曾国华")
    assert page.evaluate("window.__csp") == []


def test_on_a_phone_the_transfer_target_is_tapped_from_the_county_list(
    phone_page, live_server, login, county, township1
):
    page = phone_page
    page.add_init_script(WATCH)
    member = make_member(county.village_a1, name="王小明")
    login(page, "township1")
    page.goto(f"{live_server.url}{reverse('members:transfer', args=[member.pk])}")
    page.fill("#id_to_org_code_q", "张湾")
    choice = page.locator("#id_to_org_code_results button", has_text="张湾村党支部")
    choice.wait_for()
    box = choice.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= 375
    assert "城郊乡党委" in choice.inner_text()  # the township, for context
    choice.click()
    page.wait_for_selector("#id_to_org_code_chosen:has-text('张湾村党支部')")
    assert page.input_value("#id_to_org_code") == str(county.village_b1.pk)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.evaluate("window.__csp") == []


@pytest.mark.parametrize("search_sent", [False, True], ids=["search-waiting", "search-in-flight"])
def test_a_late_search_does_not_undo_the_choice(
    page, live_server, login, county, township1, search_sent
):
    """On a slow network the user types on and presses Enter before the list is refreshed:
    the choice made from the list on screen stands, whether the new search was still waiting
    for the typing delay or already on its way."""
    held, holding = [], [False]

    def hold(route):
        if holding[0]:
            held.append(route)
        else:
            route.continue_()

    page.route("**/orgs/picker/**", hold)
    login(page, "township1")
    page.goto(f"{live_server.url}{reverse('members:create')}")
    page.click("label[for=id_organization_q]")
    page.keyboard.type("wz")
    page.locator("#id_organization_results button", has_text="王庄村党支部").wait_for()
    holding[0] = True
    page.keyboard.type("c")
    if search_sent:
        page.wait_for_timeout(700)  # the typing delay (300 ms) runs out: the search is sent
        assert len(held) == 1
    page.keyboard.press("Enter")
    page.wait_for_timeout(700)
    holding[0] = False
    picks = [r for r in held if "pick=" in r.request.url]
    assert len(picks) == 1
    picks[0].continue_()
    page.wait_for_selector("#id_organization_chosen:has-text('已选：王庄村党支部')")
    for route in held:  # the search answers last
        if route is not picks[0]:
            try:
                route.continue_()
            except Exception:  # the browser has given this request up already
                pass
    page.wait_for_timeout(500)
    assert page.input_value("#id_organization") == str(county.village_a2.pk)
    assert "王庄村党支部" in page.inner_text("#id_organization_chosen")
