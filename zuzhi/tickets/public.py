"""The household's side of tickets (群众扫码提交与回访评价): the public request page a
household reaches from the QR code on its contact card (no login; the phone is verified by
the public vote's SMS code), the callback text sent when a ticket is resolved, and the rating
page it links to. Reads and writes of the public side; the page and the API
(`public_views`, `public_api`) only translate.

Decisions: the phone need not be the household's registered one (a son working away reports
for his parents); the verified phone is stored on the ticket and receives the callback. The
page shows the linked member's name, never their phone (personal data; the contact card the
household holds already carries it).
"""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from zuzhi.contests.voting.services import phone_code_send, vote_code_verify
from zuzhi.contests.voting.sms import sms_backend
from zuzhi.core.audit import audit_record
from zuzhi.core.errors import RuleRefused
from zuzhi.core.masking import mask_phone
from zuzhi.core.models import AuditAction
from zuzhi.households.models import Household

from . import services
from .models import (
    Ticket,
    TicketChannel,
    TicketEvent,
    TicketState,
    TicketType,
)

# Tokens are token_urlsafe: anything else in the address is not found without a query.
TOKEN_RX = re.compile(r"\A[A-Za-z0-9_-]{8,32}\Z")
UNLINKED = "本户暂未确定联系党员，请直接联系社区。"
OPEN_MESSAGE = "该诉求正在办理中，办结后会再发短信请您评价。"


class PublicRefused(RuleRefused):
    """A public request or rating a rule refuses; `status` is the API's answer."""


# --- reads --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdPage:
    """What the public page shows of a household: no personal data of anyone but the name
    of its member, which the household knows from its card."""

    household: Household
    community: str
    member_name: str
    types: list[TicketType]


def public_household_get(*, token: str) -> Household:
    """The household whose QR code names `token`; 404 for any other text."""
    if not TOKEN_RX.match(token or ""):
        raise Http404("未找到该住户。")
    household = (
        Household.objects.select_related("community", "member").filter(qr_token=token).first()
    )
    if household is None:
        raise Http404("未找到该住户。")
    return household


def public_household_page(*, token: str) -> HouseholdPage:
    household = public_household_get(token=token)
    return HouseholdPage(
        household=household,
        community=household.community.name,
        member_name=household.member.name if household.member else "",
        types=list(TicketType.objects.filter(active=True)),
    )


def rating_ticket_get(*, token: str) -> Ticket:
    """The ticket whose callback text names `token`; 404 for any other text (a token is
    replaced when an unsatisfied rating reopens the ticket, so an old link is not found)."""
    if not TOKEN_RX.match(token or ""):
        raise Http404("回访链接无效。")
    ticket = Ticket.objects.select_related("type", "household").filter(callback_token=token).first()
    if ticket is None:
        raise Http404("回访链接无效。")
    return ticket


def rating_refusal(ticket: Ticket) -> str:
    """Why the rating page of `ticket` offers no form now ("" when it does)."""
    if ticket.state == TicketState.RESOLVED:
        return ""
    if ticket.state == TicketState.CLOSED:
        return "该诉求已评价并关闭，感谢您的反馈。"
    return OPEN_MESSAGE


# --- writes -------------------------------------------------------------------------------


def _visitor(phone: str) -> str:
    return f"群众（{mask_phone(phone)}）"


def household_code_send(*, household: Household, phone: str, ip: str | None) -> None:
    """Send a code to the phone typed on a household's page (获取验证码): the vote's code,
    under its per-IP and per-phone limits; refused for a household without a member (its
    request would be refused)."""
    if household.member_id is None:
        raise PublicRefused(UNLINKED, status=409)
    phone_code_send(
        phone=phone,
        ip=ip,
        message=f"您正在向{household.community.name}提交诉求，验证码 {{code}}，10 分钟内有效。",
    )


def _ip_day_key(ip: str, day: datetime.date) -> str:
    return f"rate:household-ticket:{ip}:{day:%Y%m%d}"


def _ip_day_full(ip: str | None, day: datetime.date) -> bool:
    limit = settings.ZUZHI_HOUSEHOLD_TICKETS_PER_IP_PER_DAY
    if not ip or limit <= 0:
        return False
    return (caches["shared"].get(_ip_day_key(ip, day)) or 0) >= limit


def _ip_day_count(ip: str | None, day: datetime.date) -> None:
    if not ip:
        return
    cache, key = caches["shared"], _ip_day_key(ip, day)
    cache.add(key, 0, 2 * 24 * 3600)
    try:
        cache.incr(key)
    except ValueError:
        pass


def _household_day_full(household: Household, now: datetime.datetime) -> bool:
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return (
        Ticket.objects.filter(
            household=household, channel=TicketChannel.HOUSEHOLD, created_at__gte=start
        ).count()
        >= settings.ZUZHI_HOUSEHOLD_TICKETS_PER_DAY
    )


HOUSEHOLD_FULL = "本户今天提交的诉求已达上限，请明天再提交，或直接联系您的联系党员。"
IP_FULL = "提交过于频繁，请明天再试。"


def _input(*, type_id, description: str) -> tuple[TicketType, str]:
    description = (description or "").replace("\x00", "").strip()
    errors = {}
    ticket_type = None
    try:
        ticket_type = TicketType.objects.filter(pk=int(type_id), active=True).first()
    except (TypeError, ValueError):
        pass
    if ticket_type is None:
        errors["type"] = ["请选择诉求类型。"]
    if not description:
        errors["description"] = ["请写明诉求内容。"]
    elif len(description) > 2000:
        errors["description"] = ["诉求内容不能超过 2000 字。"]
    if errors:
        raise ValidationError(errors)
    return ticket_type, description


def public_ticket_submit(
    *,
    household: Household,
    type_id,
    description: str,
    phone: str,
    code: str,
    ip: str | None,
    now: datetime.datetime | None = None,
) -> Ticket:
    """A request from the household's public page or `POST /api/public/tickets`: the input
    and the day's limits are checked before the code is spent, the code is verified, then
    the ticket is created (the household's limit checked again under its row lock)."""
    now = now or timezone.now()
    ticket_type, description = _input(type_id=type_id, description=description)
    if household.member_id is None:
        raise PublicRefused(UNLINKED, status=409)
    day = timezone.localdate(now)
    if _ip_day_full(ip, day):
        raise PublicRefused(IP_FULL, status=429)
    if _household_day_full(household, now):
        raise PublicRefused(HOUSEHOLD_FULL, status=429)
    vote_code_verify(phone=phone, code=code, ip=ip)
    with transaction.atomic():
        # The household's row serializes its concurrent requests: the count is then exact.
        household = Household.objects.select_for_update().get(pk=household.pk)
        if _household_day_full(household, now):
            raise PublicRefused(HOUSEHOLD_FULL, status=429)
        ticket = public_ticket_create(
            household=household,
            type=ticket_type,
            description=description,
            phone=phone.strip(),
            now=now,
        )
    _ip_day_count(ip, day)
    return ticket


def public_ticket_create(
    *,
    household: Household,
    type: TicketType,
    description: str,
    phone: str,
    now: datetime.datetime,
) -> Ticket:
    """Create a ticket the household itself submitted (群众扫码提交) through the one ticket
    service; an unlinked household is told to ask its community."""
    if household.member_id is None:
        raise PublicRefused(UNLINKED, status=409)
    return services.ticket_create_public(
        household=household, ticket_type=type, description=description, phone=phone, now=now
    )


def callback_url(ticket: Ticket) -> str:
    return settings.ZUZHI_PUBLIC_URL.rstrip("/") + reverse(
        "tickets_public:rate", args=[ticket.callback_token]
    )


def callback_send(*, ticket: Ticket, now: datetime.datetime | None = None) -> bool:
    """Text the household the link to rate a resolved ticket (回访短信), to the phone that
    submitted it or else the household's. Called by the resolving service; the text leaves
    only when that transaction commits. False when there is no mobile number to text."""
    phone = (ticket.contact_phone or ticket.household.phone or "").strip()
    if not re.fullmatch(r"1[3-9][0-9]{9}", phone):
        return False
    message = (
        f"您反映的“{ticket.description[:20]}”已办结，请点击 {callback_url(ticket)} "
        "评价（满意／基本满意／不满意）。"
    )
    with transaction.atomic():
        TicketEvent.objects.create(
            ticket=ticket,
            kind="callback",
            from_state=ticket.state,
            to_state=ticket.state,
            at=now or timezone.now(),
            actor_label="系统",
            note=f"已向 {mask_phone(phone)} 发送回访短信",
        )
        audit_record(
            actor=None,
            actor_username="系统",
            action=AuditAction.UPDATE,
            target=ticket,
            org_path=ticket.household.community.path,
            message="发送回访短信",
        )
        transaction.on_commit(lambda: sms_backend().send(phone=phone, message=message))
    return True


def ticket_rate(
    *, ticket: Ticket, rating: str, comment: str = "", now: datetime.datetime | None = None
) -> Ticket:
    """The rating from a callback link (回访评价), once per link: the ticket service decides;
    a refusal is told to the household as the page's message."""
    if refusal := rating_refusal(ticket):
        raise PublicRefused(refusal, status=409)
    try:
        return services.ticket_rate(
            ticket=ticket, rating=rating, comment=comment, now=now, token=ticket.callback_token
        )
    except RuleRefused as exc:
        raise PublicRefused(str(exc), status=409) from exc
