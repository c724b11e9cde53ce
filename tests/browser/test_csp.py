"""The main pages work under the Content-Security-Policy: no script, style or handler is
refused by the browser, and the chart and menus still run."""

from decimal import Decimal

import pytest
from django.urls import reverse

from zuzhi.contests import selectors, services
from zuzhi.core.roles import Role
from zuzhi.testing.factories import user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Collects the browser's own report of every refused resource, before any page script runs.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile
    + ":" + e.lineNumber);
});
"""


def started_contest(county):
    """A one-stage contest of the villages with five judges seated, started."""
    staff = user_with_role(Role.COUNTY_STAFF, county.county, username="secretary")
    judges = [user_with_role(Role.JUDGE, county.county, username=f"judge{i}") for i in range(5)]
    contest = services.contest_create(
        actor=staff,
        organization=county.county,
        data={"name": "擂台赛", "track": "village", "period_label": "2026"},
        stages=[
            {
                "kind": "judges",
                "name": "擂台比武",
                "weight": Decimal(100),
                "criteria": [{"name": "现场表现", "max_score": Decimal(100)}],
            }
        ],
    )
    services.entrants_add_eligible(actor=staff, contest=contest)
    stage = contest.stages.get()
    for judge in judges:
        services.judge_seat(actor=staff, stage=stage, judge=judge)
    services.contest_start(actor=staff, contest=contest)
    return contest, stage, staff, judges


@pytest.fixture
def computed(county):
    """The contest scored by every judge, results computed: the chart page."""
    contest, stage, staff, judges = started_contest(county)
    criterion = stage.criteria.get()
    for n, entrant in enumerate(contest.entrants.order_by("number")):
        services.appearance_open(actor=staff, stage=stage, entrant=entrant)
        for i, judge in enumerate(judges):
            services.sheet_submit(
                judge=judge, stage=stage, entrant=entrant, marks={criterion.pk: Decimal(90 - n - i)}
            )
        services.appearance_close(actor=staff, appearance=selectors.current_appearance(stage))
    services.result_compute(actor=staff, contest=contest)
    return contest


def test_main_pages_run_under_the_policy(page, live_server, login, computed):
    refused_in_console = []
    page.on(
        "console",
        lambda m: (
            refused_in_console.append(m.text) if "Content Security Policy" in m.text else None
        ),
    )
    page.add_init_script(WATCH)
    url = live_server.url
    page.goto(f"{url}{reverse('accounts:login')}")
    login(page, "secretary")
    for name, args in [
        ("home", []),
        ("members:list", []),
        ("orgs:tree", []),
        ("contests:detail", [computed.pk]),
        ("accounts:me", []),
        ("api:openapi-view", []),
    ]:
        page.goto(f"{url}{reverse(name, args=args)}")
        assert page.evaluate("window.__csp") == [], name
    # The tree's toggle is Alpine and htmx: it loads and opens the children.
    page.goto(f"{url}{reverse('orgs:tree')}")
    page.locator("button.toggle").first.click()
    page.wait_for_selector("text=城关镇党委")
    # The results page draws the bar chart from the static script, and shows all on request;
    # a one-stage contest has no radar (tests/browser/test_phone_layout.py draws one).
    page.goto(f"{url}{reverse('contests:results', args=[computed.pk])}")
    page.wait_for_selector("#bar canvas")
    assert page.locator("#radar").count() == 0
    assert page.evaluate("window.__csp") == []
    assert refused_in_console == []


def test_a_confirm_button_asks_first(page, live_server, login, computed):
    page.add_init_script(WATCH)
    login(page, "secretary")
    page.goto(f"{live_server.url}{reverse('contests:results', args=[computed.pk])}")
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("text=发布结果")
    assert computed.versions.get().status == "draft"  # dismissed: nothing published
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("text=发布结果")
    page.wait_for_selector("text=结果已发布并锁定")
    # A post sent by the dismissed click could still be on its way at the check above; by now
    # it would have been seen.
    assert len(posts) == 1, posts
    assert page.evaluate("window.__csp") == []


def test_the_score_sheet_is_not_refreshed_while_a_judge_types(
    phone_page, live_server, login, county
):
    contest, stage, staff, judges = started_contest(county)
    entrant = contest.entrants.order_by("number").first()
    services.appearance_open(actor=staff, stage=stage, entrant=entrant)
    phone_page.add_init_script(WATCH)
    login(phone_page, judges[0].username)
    phone_page.goto(f"{live_server.url}{reverse('contests:score', args=[stage.pk])}")
    field = phone_page.locator("input[inputmode=decimal]").first
    field.click()
    field.press_sequentially("8")
    phone_page.wait_for_timeout(5_000)  # longer than the page's 4 s refresh
    assert field.input_value() == "8"
    assert phone_page.evaluate("window.__csp") == []
