"""The public vote's pages: the public voting page (群众投票, no login) and its three actions
(send a code, verify it, vote), the entrants' photos, and the organizer's ledger review
(投票核查). Thin adapters over `voting.services` and `voting.selectors`."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from zuzhi.core.context import client_ip
from zuzhi.core.params import object_id

from .. import rules
from ..selectors import contest_get
from ..views.common import show_errors, text_field
from . import selectors, services
from .services import VOTE_THANKS, VOTER_COOKIE, VOTER_DEVICE_COOKIE


def _public_page(
    request, pk, *, notice="", error="", voter=None, token=None, device=None, cast=None
):
    """The public page with a notice or an error; every action answers with it, so the
    phone number just typed stays in its box. A verified voter sees whom they voted for
    today and how many votes are left."""
    data = selectors.public_contest(pk=pk, cast=cast)
    voter = voter or services.voter_from_token(request.COOKIES.get(VOTER_COOKIE))
    device = device or request.COOKIES.get(VOTER_DEVICE_COOKIE) or secrets.token_hex(16)
    status = None
    if voter is not None:
        stage = rules.public_vote_stage(selectors.public_contest_get(pk=pk))
        status = selectors.voter_status(stage=stage, phone_digest=voter.phone_digest)
        for entrant in data["entrants"]:
            entrant["voted_today"] = status["voted_today"].get(entrant["id"], 0)
    response = render(
        request,
        "contests/public.html",
        {
            "data": data,
            "voter": voter,
            "status": status,
            "notice": notice,
            "error": error,
            "posted": request.POST,
        },
    )
    response.set_cookie(
        VOTER_DEVICE_COOKIE, device, max_age=365 * 24 * 3600, httponly=True, samesite="Lax"
    )
    if token:
        response.set_cookie(
            VOTER_COOKIE, token, max_age=services.VOTER_MAX_AGE, httponly=True, samesite="Lax"
        )
    return response


@require_safe
def public_view(request, pk):
    """The public voting page (群众投票): no login; a phone verified by SMS code votes."""
    return _public_page(request, pk)


@require_POST
def public_code_view(request, pk):
    """Send a code to the phone typed in (获取验证码)."""
    contest = selectors.public_contest_get(pk=pk)
    try:
        services.vote_code_send(
            contest=contest, phone=text_field(request.POST, "phone", 20), ip=client_ip(request)
        )
    except ValidationError as exc:
        return _public_page(request, pk, error=exc.messages[0])
    return _public_page(request, pk, notice="验证码已发送，请查看短信。")


@require_POST
def public_verify_view(request, pk):
    """Check the code (验证); the phone then votes for a day with the token in its cookie."""
    selectors.public_contest_get(pk=pk)
    try:
        voter = services.vote_code_verify(
            phone=text_field(request.POST, "phone", 20),
            code=text_field(request.POST, "code", 10),
            ip=client_ip(request),
        )
    except ValidationError as exc:
        return _public_page(request, pk, error=exc.messages[0])
    token = services.voter_token(voter)
    return _public_page(request, pk, notice="验证成功，请投票。", voter=voter, token=token)


@require_POST
def public_vote_view(request, pk):
    """Vote for an entrant (投一票), through the same service as the API and the short path."""
    selectors.public_contest_get(pk=pk)
    device = request.COOKIES.get(VOTER_DEVICE_COOKIE) or secrets.token_hex(16)
    entrant = text_field(request.POST, "entrant", 20)
    try:
        vote_id = services.public_vote_cast(
            contest_id=pk,
            entrant_id=entrant,
            token=request.COOKIES.get(VOTER_COOKIE),
            device=device,
            ip=client_ip(request),
        )
    except ValidationError as exc:
        return _public_page(request, pk, error=exc.messages[0], device=device)
    cast = selectors.CastVote(vote_id=vote_id, entrant_id=int(entrant))
    return _public_page(request, pk, notice=VOTE_THANKS, device=device, cast=cast)


@require_safe
def public_list_view(request):
    """The contests open for public voting (公开评选), no login: where a voter starts."""
    return render(
        request, "contests/public_list.html", {"contests": selectors.public_contests_open()}
    )


def _vote_ids(raw: str) -> list[int]:
    """The ids in a suspicious group's hidden field; one that no vote can have is left out,
    and the service answers for what remains ("没有可作废的选票" when nothing does)."""
    ids = []
    for part in raw.split(",")[:10_000]:
        try:
            pk = object_id(part)
        except Http404:
            continue
        if pk is not None:
            ids.append(pk)
    return ids


@login_required
def votes_view(request, pk):
    """The vote ledger's suspicious patterns and voiding (投票核查)."""
    contest = contest_get(user=request.user, pk=pk)
    rules.require_manager(request.user, contest)
    stage = rules.public_vote_stage(contest)
    if stage is None:
        raise Http404
    if request.method == "POST":
        try:
            count = services.votes_void(
                actor=request.user,
                stage=stage,
                vote_ids=_vote_ids(request.POST.get("vote_ids") or ""),
                reason=text_field(request.POST, "reason"),
            )
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, f"已作废 {count} 票。")
        return redirect("contests:votes", contest.pk)
    return render(
        request,
        "contests/votes.html",
        {
            "contest": contest,
            "stage": stage,
            "totals": selectors.vote_counts(stage),
            "entrants": contest.entrants.order_by("number"),
            "suspicious": selectors.suspicious_votes(stage=stage),
        },
    )


def photo_view(request, pk, entrant_pk):
    """An entrant's photo on the public page (no login: the contest itself is public)."""
    contest = selectors.public_contest_get(pk=pk)
    entrant = contest.entrants.filter(pk=entrant_pk).first()
    if entrant is None or not entrant.photo:
        raise Http404
    kind = "image/png" if entrant.photo.name.lower().endswith(".png") else "image/jpeg"
    return FileResponse(entrant.photo.open("rb"), content_type=kind)
