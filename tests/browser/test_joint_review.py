"""A department reviewer clears a page of names on a phone (县级联审): one name rejected with
its reason, the rest of the page cleared in one tap, the next page's names still pending."""

import datetime

import pytest
from django.urls import reverse

from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.joint_reviews import services
from zuzhi.joint_reviews.models import ReviewDecision
from zuzhi.testing.factories import user_with_role, valid_id_number

from .htmx import settled
from .test_csp import WATCH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_round(county):
    departments = services.departments_load_defaults(actor=SYSTEM)
    reviewer = user_with_role(Role.JOINT_REVIEWER, county.county, username="review_jiwei")
    services.reviewer_department_assign(actor=SYSTEM, user=reviewer, department=departments[0])
    review_round = services.round_open(
        actor=SYSTEM,
        kind="reserve",
        organization=county.county,
        title="后备干部联审",
        deadline=datetime.date(2026, 12, 31),
        items=[
            services.ItemInput(f"后备{i:02d}", valid_id_number(sequence=i + 1), county.village_a1)
            for i in range(53)
        ],
    )
    return review_round, departments[0]


def test_a_reviewer_clears_a_page_of_names_on_a_phone(open_round, phone_page, live_server, login):
    review_round, jiwei = open_round
    phone_page.add_init_script(WATCH)
    login(phone_page, "review_jiwei")
    phone_page.click("button.menu-toggle")  # the phone menu is folded
    phone_page.click("text=联审名单")
    # The whole list loaded before its width is measured, not the lines above it.
    phone_page.wait_for_url(f"{live_server.url}{reverse('joint_reviews:review')}")
    phone_page.wait_for_selector("text=待审核 53 人")
    settled(phone_page)
    # The list fits the phone's width: no sideways scrolling.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    first = phone_page.locator(".review-item").first
    first.locator("summary", has_text="不通过").click()
    first.locator("textarea[name=reason]").fill("有未结信访事项")
    first.locator("button", has_text="不通过").click()
    phone_page.wait_for_selector("text=已记录：后备00 不通过。")
    with phone_page.expect_navigation():  # the policy check at the end reads the new page
        phone_page.click("text=本页全部通过（50 人）")
    phone_page.wait_for_selector("text=本页 50 人已全部通过。")
    phone_page.wait_for_selector("text=待审核 2 人")
    mine = ReviewDecision.objects.filter(department=jiwei)
    assert mine.filter(verdict="cleared").count() == 50
    assert mine.get(item__name="后备00").reason == "有未结信访事项"
    assert list(
        review_round.items.exclude(decisions__department=jiwei).values_list("name", flat=True)
    ) == ["后备51", "后备52"]
    assert reverse("joint_reviews:review") in phone_page.url
    assert phone_page.evaluate("window.__csp") == []
