"""Reads of the demand catalogue: the office's editions and entries (its county's, drafts
included), and the public reads (published editions only, never the internal note)."""

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from zuzhi.talent.scoping import require_talent_office

from .models import DemandEdition, DemandEntry, EditionStatus


def edition_list(*, user) -> QuerySet:
    """The editions of the user's talent office; anyone else is refused (the logged 404)
    rather than shown an empty list."""
    require_talent_office(user)
    return (
        DemandEdition.objects.visible_to(user)
        .select_related("county")
        .annotate(entry_count=Count("entries"), wanted=Sum("entries__number"))
        .order_by("-year", "id")
    )


def edition_get(*, user, pk) -> DemandEdition:
    return DemandEdition.objects.select_related("county").get_visible_or_404(user, pk=pk)


def entry_get(*, user, pk) -> DemandEntry:
    return DemandEntry.objects.select_related("edition__county").get_visible_or_404(user, pk=pk)


def _entry_filter(qs: QuerySet, *, industry: str = "", query: str = "") -> QuerySet:
    if industry:
        qs = qs.filter(industry=industry)
    if query:
        qs = qs.filter(
            Q(employer__icontains=query) | Q(post__icontains=query) | Q(major__icontains=query)
        )
    return qs


def entry_list(*, edition: DemandEdition, industry: str = "", query: str = "") -> QuerySet:
    """The entries of an edition the caller got through `edition_get` (so in scope)."""
    return _entry_filter(edition.entries.all(), industry=industry, query=query)


def industries(*, edition: DemandEdition) -> list[str]:
    return list(edition.entries.order_by("industry").values_list("industry", flat=True).distinct())


# --- public reads: no login, published editions only --------------------------------------
def public_editions() -> QuerySet:
    return (
        DemandEdition.objects.filter(status=EditionStatus.PUBLISHED)
        .select_related("county")
        .order_by("-year", "county__name")
    )


def public_catalogue(*, year: int | None = None, industry: str = "", query: str = "") -> QuerySet:
    """The entries of every published edition (the newest year first), as the public reads
    the catalogue; the internal note is not even read."""
    qs = (
        DemandEntry.objects.filter(edition__status=EditionStatus.PUBLISHED)
        .select_related("edition__county")
        .defer("note")
        .order_by("-edition__year", "edition__county__name", "edition_id", "order", "id")
    )
    if year:
        qs = qs.filter(edition__year=year)
    return _entry_filter(qs, industry=industry, query=query)


def public_edition_get(*, pk) -> DemandEdition:
    edition = public_editions().filter(pk=pk).first()
    if edition is None:
        raise Http404("没有这份需求目录。")
    return edition


def public_entries(*, edition: DemandEdition, industry: str = "", query: str = "") -> QuerySet:
    """A published edition's entries; the internal note is not even read."""
    if edition.status != EditionStatus.PUBLISHED:
        return DemandEntry.objects.none()
    return _entry_filter(edition.entries.defer("note"), industry=industry, query=query)
