"""A household scans the QR code on its contact card and submits a request from a phone
(375 px) with the SMS code, no login; once the ticket is resolved the callback text's link
lets it rate the service. Between the two, the linked member accepts and resolves it on their
phone."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from zuzhi.contests.voting.sms import ConsoleSmsBackend
from zuzhi.households.models import Household
from zuzhi.testing.factories import UserFactory, make_member
from zuzhi.tickets import public
from zuzhi.tickets.models import Rating, Ticket, TicketState, TicketType

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13900139000"


@pytest.fixture
def household(county):
    member = make_member(county.unit, name="联户党员", phone="13712345678")
    TicketType.objects.create(name="日常生活", resolve_hours=72, order=1)
    TicketType.objects.create(name="矛盾调解", resolve_hours=168, order=2)
    return Household.objects.create(
        community=county.village_a1,
        address="幸福路 1 号",
        head_name="王大娘",
        phone="13600000001",
        member=member,
    )


def _fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_household_submits_the_member_resolves_and_the_household_rates_on_phones(
    household, phone_page, live_server, settings, login
):
    settings.ZUZHI_PUBLIC_URL = live_server.url
    ConsoleSmsBackend.sent.clear()
    errors = []
    phone_page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    phone_page.goto(
        f"{live_server.url}{reverse('tickets_public:household', args=[household.qr_token])}"
    )
    phone_page.wait_for_selector("text=您的联系党员")
    assert "联户党员" in phone_page.content() and "13712345678" not in phone_page.content()
    assert _fits_the_phone(phone_page)

    phone_page.select_option("#id_type", label="日常生活")
    phone_page.fill("#id_description", "楼道灯坏了一个月")
    phone_page.fill("#id_phone", PHONE)
    # Each button here posts the form and the answer is a new page: the checks after it read
    # that page once it has loaded, not the old one or the first lines of the new one.
    with phone_page.expect_navigation():
        phone_page.click("text=获取验证码")
    phone_page.wait_for_selector("text=验证码已发送")
    # What was typed stays in the form while the text arrives.
    assert phone_page.input_value("#id_description") == "楼道灯坏了一个月"
    assert phone_page.input_value("#id_phone") == PHONE
    code = re.search(r"验证码 (\d{6})", ConsoleSmsBackend.sent[-1][1]).group(1)
    phone_page.fill("#id_code", code)
    with phone_page.expect_navigation():
        phone_page.click("button[name=submit]")
    phone_page.wait_for_selector("text=诉求已提交")
    assert _fits_the_phone(phone_page)
    ticket = Ticket.objects.get()
    assert ticket.member == household.member and ticket.contact_phone == PHONE

    # The member accepts and resolves it on their phone; resolving texts the rating link.
    member = household.member
    member.user = UserFactory(username="lianhu_b")
    member.save(update_fields=["user"])
    login(phone_page, "lianhu_b")
    phone_page.goto(f"{live_server.url}{reverse('tickets:mine')}")
    with phone_page.expect_navigation():
        phone_page.click("button:has-text('受理')")
    phone_page.wait_for_selector("textarea[name=resolution]")
    assert _fits_the_phone(phone_page)
    phone_page.fill("textarea[name=resolution]", "已更换灯泡")
    # The new page is the server's answer: the ticket is resolved and the text sent by then.
    with phone_page.expect_navigation():
        phone_page.click("button:has-text('办结')")
    ticket.refresh_from_db()
    assert ticket.state == TicketState.RESOLVED
    phone_page.context.clear_cookies()
    phone, message = ConsoleSmsBackend.sent[-1]
    assert phone == PHONE
    link = re.search(r"(http\S+/r/[\w-]+/)", message).group(1)

    phone_page.goto(link)
    phone_page.wait_for_selector("text=已更换灯泡")
    assert _fits_the_phone(phone_page)
    phone_page.check("input[name=rating][value=satisfied]")
    phone_page.fill("#id_comment", "很及时")
    phone_page.click("text=提交评价")
    phone_page.wait_for_selector("text=感谢您的评价")
    ticket.refresh_from_db()
    assert ticket.state == TicketState.CLOSED and ticket.rating == Rating.SATISFIED
    # The link works once.
    phone_page.goto(link)
    phone_page.wait_for_selector("text=该诉求已评价并关闭")
    assert not errors, errors


def test_the_figures_draw_their_charts_on_a_phone(household, phone_page, live_server, login):
    from zuzhi.core.roles import Role
    from zuzhi.testing.factories import user_with_role

    user_with_role(Role.COUNTY_STAFF, household.community.parent.parent, username="figures")
    now = timezone.now()
    public.public_ticket_create(
        household=household,
        type=TicketType.objects.first(),
        description="楼道灯坏了",
        phone=PHONE,
        now=now,
    )
    errors = []
    phone_page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(phone_page, "figures")
    phone_page.goto(f"{live_server.url}{reverse('ticket_figures:figures')}")
    for chart in ("chart-types", "chart-ratings", "chart-coverage"):
        phone_page.wait_for_selector(f"#{chart} canvas")
    assert "联户党员" not in phone_page.content()
    assert not errors, errors
