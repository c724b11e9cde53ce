"""A household's public request page (群众扫码提交): reached from its QR code without login,
the phone verified by the public vote's SMS code, limited per IP and per household a day;
the ticket is owned by the household's linked member."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zuzhi.contests.models import VoteCode
from zuzhi.contests.voting.sms import ConsoleSmsBackend
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.households.models import Household
from zuzhi.testing.factories import make_member
from zuzhi.tickets import public
from zuzhi.tickets.models import Ticket, TicketChannel, TicketState, TicketType

PHONE = "13900001111"


@pytest.fixture(autouse=True)
def _sms():
    ConsoleSmsBackend.sent.clear()


@pytest.fixture
def member(county):
    return make_member(county.unit, name="联户党员", phone="13712345678")


@pytest.fixture
def household(county, member):
    return Household.objects.create(
        community=county.village_a1,
        address="幸福路 1 号",
        head_name="王大娘",
        phone="13600000001",
        member=member,
    )


@pytest.fixture
def errand(db):
    return TicketType.objects.create(name="日常生活", accept_hours=24, resolve_hours=72)


def _page(household, name="household"):
    return reverse(f"tickets_public:{name}", args=[household.qr_token])


def _code(client, household, phone=PHONE):
    response = client.post(_page(household, "household_code"), {"phone": phone})
    assert response.status_code == 200, response.content.decode()
    return re.search(r"验证码 (\d{6})", ConsoleSmsBackend.sent[-1][1]).group(1)


def _submit(client, household, errand, code, phone=PHONE, description="楼道灯坏了一个月"):
    return client.post(
        _page(household, "household_submit"),
        {"type": errand.pk, "description": description, "phone": phone, "code": code},
    )


def test_the_page_shows_the_community_and_the_member_name_but_not_their_phone(
    client, household, member, errand
):
    page = client.get(_page(household)).content.decode()
    assert "李庄村党支部" in page and "联户党员" in page
    assert member.phone not in page and "13600000001" not in page
    assert "日常生活" in page


@pytest.mark.parametrize("token", ["unknown-token-123", "x", "a" * 40, "含中文的令牌"])
def test_an_unknown_token_is_not_found(client, db, token):
    for name in ("household", "household_code", "household_submit", "rate"):
        url = reverse(f"tickets_public:{name}", args=[token])
        response = client.get(url) if name in ("household", "rate") else client.post(url)
        assert response.status_code == 404
    assert not VoteCode.objects.exists()


def test_a_submitted_ticket_is_owned_by_the_linked_member(client, household, member, errand):
    code = _code(client, household)
    assert ConsoleSmsBackend.sent[-1][0] == PHONE
    before = timezone.now()
    response = _submit(client, household, errand, code)
    assert response.status_code == 201
    assert "联户党员" in response.content.decode()
    ticket = Ticket.objects.get()
    assert ticket.member == member and ticket.household == household
    assert ticket.channel == TicketChannel.HOUSEHOLD and ticket.state == TicketState.NEW
    # Any phone may report; the verified one is kept for the callback.
    assert ticket.contact_phone == PHONE
    # Encrypted at rest: the verified phone is found again by an exact lookup (blind index).
    assert Ticket.objects.get(contact_phone=PHONE) == ticket
    assert ticket.created_at >= before
    assert ticket.accept_due == ticket.created_at + datetime.timedelta(hours=24)
    assert ticket.resolve_due == ticket.created_at + datetime.timedelta(hours=72)
    event = ticket.events.get()
    assert event.kind == "create" and event.to_state == TicketState.NEW
    assert "139****1111" in event.actor_label
    log = AuditLog.objects.get(action=AuditAction.CREATE, target_type="tickets.ticket")
    assert log.org_path == household.community.path


def test_a_wrong_code_creates_nothing_and_five_wrong_tries_spoil_it(client, household, errand):
    code = _code(client, household)
    wrong = "000000" if code != "000000" else "111111"
    response = _submit(client, household, errand, wrong)
    assert response.status_code == 400 and "验证码不正确" in response.content.decode()
    for _ in range(4):
        _submit(client, household, errand, wrong)
    response = _submit(client, household, errand, code)
    assert "验证码已失效" in response.content.decode()
    assert not Ticket.objects.exists()


def test_an_expired_code_is_refused(client, household, errand):
    code = _code(client, household)
    VoteCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = _submit(client, household, errand, code)
    assert "验证码已失效" in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_code_works_once(client, household, errand):
    code = _code(client, household)
    assert _submit(client, household, errand, code).status_code == 201
    response = _submit(client, household, errand, code)
    assert "验证码已失效" in response.content.decode()
    assert Ticket.objects.count() == 1


def test_missing_type_or_text_is_refused_before_the_code_is_spent(client, household, errand):
    code = _code(client, household)
    response = _submit(client, household, errand, code, description="  ")
    assert response.status_code == 400 and "请写明诉求内容" in response.content.decode()
    assert _submit(client, household, errand, code).status_code == 201


def test_codes_are_limited_per_phone(client, household, settings):
    _code(client, household)
    again = client.post(_page(household, "household_code"), {"phone": PHONE})
    assert again.status_code == 429 and "60 秒" in again.content.decode()
    settings.ZUZHI_VOTE_CODES_PER_PHONE_PER_DAY = 1
    VoteCode.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    again = client.post(_page(household, "household_code"), {"phone": PHONE})
    assert again.status_code == 429 and "次数已达上限" in again.content.decode()
    bad = client.post(_page(household, "household_code"), {"phone": "12345"})
    assert "11 位手机号码" in bad.content.decode()


def test_codes_are_limited_per_ip(client, household, settings):
    settings.ZUZHI_VOTE_IP_PER_MINUTE = 2
    _code(client, household, phone="13900000001")
    _code(client, household, phone="13900000002")
    third = client.post(_page(household, "household_code"), {"phone": "13900000003"})
    assert third.status_code == 429 and "操作过于频繁" in third.content.decode()


def test_requests_are_limited_per_household_a_day(client, household, errand, settings):
    settings.ZUZHI_HOUSEHOLD_TICKETS_PER_DAY = 1
    assert _submit(client, household, errand, _code(client, household)).status_code == 201
    code = _code(client, household, phone="13900002222")
    response = _submit(client, household, errand, code, phone="13900002222")
    assert response.status_code == 429 and "本户今天提交的诉求已达上限" in response.content.decode()
    # Refused before the code was spent: tomorrow's limit is not today's concern, the code is.
    assert VoteCode.objects.filter(used=False).count() == 1
    assert Ticket.objects.count() == 1


def test_requests_are_limited_per_ip_a_day(client, county, household, member, errand, settings):
    settings.ZUZHI_HOUSEHOLD_TICKETS_PER_IP_PER_DAY = 1
    other = Household.objects.create(
        community=county.village_a1, address="幸福路 2 号", head_name="李大爷", member=member
    )
    assert _submit(client, household, errand, _code(client, household)).status_code == 201
    code = _code(client, other, phone="13900003333")
    response = _submit(client, other, errand, code, phone="13900003333")
    assert response.status_code == 429 and "提交过于频繁" in response.content.decode()
    assert Ticket.objects.count() == 1


def test_an_unlinked_household_is_told_to_contact_the_community(client, household, errand):
    code = _code(client, household)
    Household.objects.filter(pk=household.pk).update(member=None)
    assert "本户暂未确定联系党员" in client.get(_page(household)).content.decode()
    refused = client.post(_page(household, "household_code"), {"phone": "13900004444"})
    assert refused.status_code == 409 and "本户暂未确定联系党员" in refused.content.decode()
    assert ConsoleSmsBackend.sent[-1][0] == PHONE  # no text for a request that would fail
    response = _submit(client, household, errand, code)
    assert "本户暂未确定联系党员" in response.content.decode()
    assert not Ticket.objects.exists()


def test_the_page_costs_a_few_queries(client, household, errand):
    for i in range(5):
        TicketType.objects.create(name=f"类型{i}", resolve_hours=24)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_page(household)).status_code == 200
    assert len(queries) <= 4


# --- the API -------------------------------------------------------------------------------


def test_the_public_api_submits_with_a_code(client, household, member, errand):
    response = client.post(
        "/api/public/tickets/codes",
        {"token": household.qr_token, "phone": PHONE},
        content_type="application/json",
    )
    assert response.status_code == 200
    code = re.search(r"验证码 (\d{6})", ConsoleSmsBackend.sent[-1][1]).group(1)
    body = {
        "token": household.qr_token,
        "type_id": errand.pk,
        "description": "楼道灯坏了",
        "phone": PHONE,
        "code": "999999" if code != "999999" else "888888",
    }
    wrong = client.post("/api/public/tickets", body, content_type="application/json")
    assert wrong.status_code == 400 and wrong.json()["message"] == "验证码不正确。"
    body["code"] = code
    response = client.post("/api/public/tickets", body, content_type="application/json")
    assert response.status_code == 201 and response.json()["member_name"] == "联户党员"
    assert Ticket.objects.get().member == member


def test_the_public_api_does_not_find_an_unknown_token(client, db):
    response = client.post(
        "/api/public/tickets",
        {"token": "no-such-token", "type_id": 1, "description": "x", "phone": PHONE, "code": "1"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_the_api_answers_429_at_the_household_limit(client, household, errand, settings):
    settings.ZUZHI_HOUSEHOLD_TICKETS_PER_DAY = 0
    response = client.post(
        "/api/public/tickets",
        {
            "token": household.qr_token,
            "type_id": errand.pk,
            "description": "楼道灯坏了",
            "phone": PHONE,
            "code": "123456",
        },
        content_type="application/json",
    )
    assert response.status_code == 429


def test_public_ticket_create_is_the_service_the_page_uses(household, member, errand):
    now = timezone.now()
    ticket = public.public_ticket_create(
        household=household, type=errand, description="修水管", phone=PHONE, now=now
    )
    assert ticket.member == member and ticket.accept_due == now + datetime.timedelta(hours=24)
