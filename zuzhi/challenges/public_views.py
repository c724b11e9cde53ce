"""Open challenges for everyone (揭榜挂帅公开榜单, /rencai/jiebang/), no login: what is asked,
by whom, the reward and the deadline. Drafts are never shown; nothing of the applicants is."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from . import selectors
from .models import ChallengeState


@require_safe
def public_list_view(request):
    return render(
        request,
        "challenges/public/list.html",
        {
            "challenges": selectors.public_challenges(),
            "today": timezone.localdate(),
            "open_state": ChallengeState.PUBLISHED,
        },
    )


@require_safe
def public_detail_view(request, pk):
    return render(
        request,
        "challenges/public/detail.html",
        {
            "challenge": selectors.public_challenge_get(pk=pk),
            "today": timezone.localdate(),
            "open_state": ChallengeState.PUBLISHED,
        },
    )
