"""The household's public pages, no login: the request page behind its QR code (群众扫码提交,
/h/<token>/) with its two actions (send a code, submit), and the rating page the callback
text links to (回访评价, /r/<token>/). Thin adapters over `tickets.public`."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from zuzhi.core.context import client_ip

from . import public
from .models import Rating


def _field(params, name: str, limit: int) -> str:
    return (params.get(name) or "").replace("\x00", "").strip()[:limit]


def _not_found(request, message: str):
    return render(request, "tickets/public/not_found.html", {"message": message}, status=404)


def _household_page(request, token, *, notice="", error="", errors=None, status=200):
    try:
        data = public.public_household_page(token=token)
    except Http404:
        return _not_found(request, "二维码无效，请核对联系卡或直接联系社区。")
    return render(
        request,
        "tickets/public/household.html",
        {
            "data": data,
            "notice": notice,
            "error": error,
            "errors": errors or {},
            "posted": request.POST,
        },
        status=status,
    )


@require_safe
def household_view(request, token):
    """A household's request page (群众扫码提交): the community, the linked member's name,
    and the form."""
    return _household_page(request, token)


@require_POST
def household_code_view(request, token):
    """Send a code to the phone typed in (获取验证码)."""
    try:
        household = public.public_household_get(token=token)
    except Http404:
        return _not_found(request, "二维码无效，请核对联系卡或直接联系社区。")
    try:
        public.household_code_send(
            household=household, phone=_field(request.POST, "phone", 20), ip=client_ip(request)
        )
    except ValidationError as exc:
        return _household_page(request, token, error=exc.messages[0], status=_status(exc))
    return _household_page(request, token, notice="验证码已发送，请查看短信。")


@require_POST
def household_submit_view(request, token):
    """Submit the request with the code (提交诉求)."""
    try:
        household = public.public_household_get(token=token)
    except Http404:
        return _not_found(request, "二维码无效，请核对联系卡或直接联系社区。")
    try:
        ticket = public.public_ticket_submit(
            household=household,
            type_id=_field(request.POST, "type", 20),
            description=_field(request.POST, "description", 2100),
            phone=_field(request.POST, "phone", 20),
            code=_field(request.POST, "code", 10),
            ip=client_ip(request),
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            return _household_page(request, token, errors=exc.message_dict, status=400)
        return _household_page(request, token, error=exc.messages[0], status=_status(exc))
    return render(
        request,
        "tickets/public/submitted.html",
        {"ticket": ticket, "member_name": household.member.name, "household": household},
        status=201,
    )


def _status(exc: ValidationError) -> int:
    return getattr(exc, "status", 400)


@require_http_methods(["GET", "HEAD", "POST"])
def rate_view(request, token):
    """The rating page of a resolved ticket (回访评价): 满意 / 基本满意 / 不满意 and a comment;
    the link works once."""
    try:
        ticket = public.rating_ticket_get(token=token)
    except Http404:
        return _not_found(request, "回访链接无效或已使用。")
    error, errors = "", {}
    if request.method == "POST":
        try:
            ticket = public.ticket_rate(
                ticket=ticket,
                rating=_field(request.POST, "rating", 20),
                comment=_field(request.POST, "comment", 600),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors = exc.message_dict
            else:
                error = exc.messages[0]
        else:
            return render(request, "tickets/public/rated.html", {"ticket": ticket})
    return render(
        request,
        "tickets/public/rate.html",
        {
            "ticket": ticket,
            "refusal": public.rating_refusal(ticket),
            "ratings": Rating.choices,
            "error": error,
            "errors": errors,
            "posted": request.POST,
        },
        status=400 if (error or errors) else 200,
    )
