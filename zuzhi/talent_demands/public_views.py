"""The published catalogue for everyone (人才需求目录公开页, /rencai/xuqiu/), no login: the
published editions, one edition's entries filtered by industry, and its Excel. Drafts are
never shown; no internal field is read; nothing personal is on these pages."""

from urllib.parse import quote

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from zuzhi.core.export import XLSX_TYPE, xlsx_bytes
from zuzhi.core.params import text_param

from . import selectors
from .views import EXPORT_HEADERS, export_row


@require_safe
def public_index_view(request):
    return render(
        request, "talent_demands/public/index.html", {"editions": selectors.public_editions()}
    )


@require_safe
def public_edition_view(request, pk):
    edition = selectors.public_edition_get(pk=pk)
    industry = text_param(request.GET, "industry")
    entries = selectors.public_entries(edition=edition, industry=industry)
    return render(
        request,
        "talent_demands/public/edition.html",
        {
            "edition": edition,
            "entries": entries,
            "industry": industry,
            "industries": selectors.industries(edition=edition),
        },
    )


@require_safe
def public_edition_xlsx_view(request, pk):
    """The published edition as Excel (public data: no audit row per download)."""
    edition = selectors.public_edition_get(pk=pk)
    industry = text_param(request.GET, "industry")
    entries = selectors.public_entries(edition=edition, industry=industry)
    content = xlsx_bytes(
        headers=EXPORT_HEADERS, rows=[export_row(e) for e in entries], sheet_name="需求目录"
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(f'{edition.title}-{stamp}.xlsx')}"
    )
    return response
