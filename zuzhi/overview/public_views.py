"""The quarterly publication (季度晾晒) for everyone: no login, no session, no personal data
(see publication.py). The pages may be kept by a cache for a few minutes."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from . import publication

# A corrected result reaches readers within this many seconds.
PUBLIC_MAX_AGE = 300
# A county's index ranks some 400 villages: a page of them at a time on a phone.
RANKS_PER_PAGE = 50
SEARCH_MAX_CHARS = 40


def _page(template: str, context: dict) -> HttpResponse:
    """Rendered without the request: no context processor reads the user, so the session is
    never opened and the answer is the same for everyone (no Vary: Cookie)."""
    return HttpResponse(render_to_string(template, context))


@require_safe
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
def publication_list_view(request):
    page = Paginator(publication.publications(), 50).get_page(request.GET.get("page"))
    return _page("overview/public/list.html", {"page": page})


@require_safe
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
def publication_detail_view(request, pk):
    version = publication.publication_get(contest_id=pk)
    p = publication.publication_rows(version=version)
    text = (request.GET.get("q") or "")[:SEARCH_MAX_CHARS].strip()
    page = Paginator(p.named(text), RANKS_PER_PAGE).get_page(request.GET.get("page"))
    return _page(
        "overview/public/detail.html",
        {"p": p, "page": page, "q": text, "query": urlencode({"q": text}) if text else ""},
    )
