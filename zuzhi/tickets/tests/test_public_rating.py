"""The callback (回访): a resolved ticket's household gets a text with a link; the link
rates the ticket once; 满意 / 基本满意 close it, 不满意 reopens it for the community to check."""

import pytest
from django.urls import reverse
from django.utils import timezone

from zuzhi.contests.voting.sms import ConsoleSmsBackend
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.households.models import Household
from zuzhi.testing.factories import make_member
from zuzhi.tickets import public
from zuzhi.tickets.models import Rating, Ticket, TicketState, TicketType

PHONE = "13900001111"


@pytest.fixture(autouse=True)
def _sms():
    ConsoleSmsBackend.sent.clear()


@pytest.fixture
def ticket(county):
    member = make_member(county.unit, name="联户党员")
    household = Household.objects.create(
        community=county.village_a1,
        address="幸福路 1 号",
        head_name="王大娘",
        phone="13600000001",
        member=member,
    )
    kind = TicketType.objects.create(name="日常生活", resolve_hours=72)
    ticket = public.public_ticket_create(
        household=household,
        type=kind,
        description="楼道灯坏了一个月",
        phone=PHONE,
        now=timezone.now(),
    )
    return _resolve(ticket)


def _resolve(ticket):
    Ticket.objects.filter(pk=ticket.pk).update(
        state=TicketState.RESOLVED, resolved_at=timezone.now(), resolution="已更换灯泡"
    )
    ticket.refresh_from_db()
    return ticket


def _url(ticket):
    return reverse("tickets_public:rate", args=[ticket.callback_token])


def test_the_callback_texts_the_link_once_the_resolution_commits(
    ticket, django_capture_on_commit_callbacks, settings
):
    settings.ZUZHI_PUBLIC_URL = "https://zuzhi.example.cn/"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert public.callback_send(ticket=ticket) is True
    assert not ConsoleSmsBackend.sent  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    phone, message = ConsoleSmsBackend.sent[-1]
    assert phone == PHONE
    assert f"https://zuzhi.example.cn/r/{ticket.callback_token}/" in message
    assert ticket.events.filter(kind="callback").exists()


def test_the_callback_goes_to_the_household_phone_when_none_was_given(
    ticket, django_capture_on_commit_callbacks
):
    Ticket.objects.filter(pk=ticket.pk).update(contact_phone="")
    ticket.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        public.callback_send(ticket=ticket)
    assert ConsoleSmsBackend.sent[-1][0] == "13600000001"
    Household.objects.filter(pk=ticket.household_id).update(phone="0376-1234567")
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert public.callback_send(ticket=ticket) is False


@pytest.mark.parametrize("rating", [Rating.SATISFIED, Rating.BASIC])
def test_a_satisfied_rating_closes_the_ticket(client, ticket, rating):
    page = client.get(_url(ticket)).content.decode()
    assert "楼道灯坏了一个月" in page and "已更换灯泡" in page and "基本满意" in page
    response = client.post(_url(ticket), {"rating": rating, "comment": "很及时"})
    assert response.status_code == 200 and "这项诉求已办结" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.state == TicketState.CLOSED and ticket.closed_at is not None
    assert ticket.rating == rating and ticket.rating_comment == "很及时"
    assert ticket.events.get(kind="rate").to_state == TicketState.CLOSED
    assert AuditLog.objects.filter(action=AuditAction.UPDATE, target_id=str(ticket.pk)).exists()


def test_the_link_works_once(client, ticket):
    client.post(_url(ticket), {"rating": Rating.SATISFIED})
    page = client.get(_url(ticket)).content.decode()
    assert "该诉求已评价并关闭" in page and "提交评价" not in page
    again = client.post(_url(ticket), {"rating": Rating.UNSATISFIED})
    assert again.status_code == 400 and "该诉求已评价并关闭" in again.content.decode()
    ticket.refresh_from_db()
    assert ticket.rating == Rating.SATISFIED and ticket.state == TicketState.CLOSED


def test_an_unsatisfied_rating_reopens_the_ticket_with_a_new_link(client, ticket):
    old = _url(ticket)
    response = client.post(old, {"rating": Rating.UNSATISFIED, "comment": "灯还是不亮"})
    assert "社区会核查并重新办理" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.state == TicketState.IN_PROGRESS and ticket.reopened == 1
    assert ticket.rating == Rating.UNSATISFIED and ticket.closed_at is None
    event = ticket.events.get(kind="reopen")
    assert event.from_state == TicketState.RESOLVED and event.to_state == TicketState.IN_PROGRESS
    assert "请社区核查" in event.note and "灯还是不亮" in event.note
    # The old link is spent; the next resolution texts the new one.
    assert client.get(old).status_code == 404
    assert "回访链接无效或已使用" in client.get(old).content.decode()
    assert client.post(old, {"rating": Rating.SATISFIED}).status_code == 404
    page = client.get(_url(ticket)).content.decode()
    assert "该诉求正在办理中" in page
    _resolve(ticket)
    client.post(_url(ticket), {"rating": Rating.BASIC})
    ticket.refresh_from_db()
    assert ticket.state == TicketState.CLOSED and ticket.reopened == 1


def test_an_unresolved_ticket_cannot_be_rated(client, ticket):
    Ticket.objects.filter(pk=ticket.pk).update(state=TicketState.ACCEPTED)
    page = client.get(_url(ticket)).content.decode()
    assert "该诉求正在办理中" in page and "提交评价" not in page
    response = client.post(_url(ticket), {"rating": Rating.SATISFIED})
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.state == TicketState.ACCEPTED and ticket.rating == ""


def test_a_rating_must_be_one_of_the_three(client, ticket):
    response = client.post(_url(ticket), {"rating": "great"})
    assert response.status_code == 400 and "请选择满意" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.state == TicketState.RESOLVED


def test_a_stale_ticket_object_cannot_rate_twice(ticket):
    stale = Ticket.objects.get(pk=ticket.pk)
    public.ticket_rate(ticket=ticket, rating=Rating.UNSATISFIED)
    _resolve(Ticket.objects.get(pk=ticket.pk))
    with pytest.raises(public.PublicRefused, match="已使用"):
        public.ticket_rate(ticket=stale, rating=Rating.SATISFIED)
