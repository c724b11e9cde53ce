"""Pagination helpers shared by the pages and the API routers, and the paged rows selectors
return."""

from collections.abc import Callable, Iterator
from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

from .personal import personal_view

ITER_CHUNK = 2000  # rows per query when iterating a MappedQuerySet whole


class CappedPaginator(Paginator):
    """A Paginator that counts at most CAP rows (the pager then says 10000+ and pages that
    far): counting every member or meeting of a province before showing the first 50 took
    seconds; past ten thousand rows nobody pages, they narrow the filters or export."""

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if isinstance(rows, QuerySet):
            rows = rows.order_by()
        found = rows[: self.CAP + 1].count()
        self.capped = found > self.CAP
        return min(found, self.CAP)

    capped = False


class MappedQuerySet:
    """Paginates like the queryset it wraps, passing each row of the page through `fn`,
    after the database did the slicing: counted, paged and iterated in the database (a
    province's lists are too long to hold), each row mapped only when read."""

    def __init__(self, qs: QuerySet, fn: Callable):
        self.qs, self.fn = qs, fn

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        if isinstance(item, slice):
            return [self.fn(row) for row in self.qs[item]]
        return self.fn(self.qs[item])

    def __iter__(self) -> Iterator:
        # Exports walk the whole scope: in chunks, never the whole queryset in memory.
        for row in self.qs.iterator(chunk_size=ITER_CHUNK):
            yield self.fn(row)


class PageMappedQuerySet(MappedQuerySet):
    """Like MappedQuerySet, but `fn` takes a whole page (a list of rows) and returns its rows:
    what the rows need from other tables is read once for the page, not once per row."""

    def __getitem__(self, item):
        if isinstance(item, slice):
            return self.fn(list(self.qs[item]))
        return self.fn([self.qs[item]])[0]

    def __iter__(self) -> Iterator:
        batch: list = []
        for row in self.qs.iterator(chunk_size=ITER_CHUNK):
            batch.append(row)
            if len(batch) == ITER_CHUNK:
                yield from self.fn(batch)
                batch = []
        if batch:
            yield from self.fn(batch)


class PersonalPage(PageMappedQuerySet):
    """Paginates like the queryset it wraps; each page is shown through the personal-data
    policy as one view (revealed or masked by role, one audit row per page)."""

    def __init__(self, qs: QuerySet, *, user, where: str):
        super().__init__(qs, lambda rows: personal_view(user=user, objects=rows, where=where))
        self.user = user

    # Only ever read a page at a time: each page is one audited view.
    __iter__ = None


class AuditPage(PersonalPage):
    """A page of audit rows (审计记录) through the personal-data policy, each also carrying
    `changes`: its before and after as the history pages show them (labels, names, no
    internal fields; `core.audit_display`), named in one batch per page."""

    def __getitem__(self, item):
        from .audit_display import audit_entries

        rows = super().__getitem__(item)
        for entry in audit_entries(user=self.user, rows=rows):
            entry.row.changes = entry.changes
        return rows


class AuditChangeOut(Schema):
    """One labelled change of an audit row: 民族 from 汉族 to 蒙古族."""

    label: str
    before: str
    after: str


class Page(PageNumberPagination):
    """page/page_size paging with an upper bound on the page number: ninja's own accepts any
    integer, and an OFFSET beyond 64 bits is a database error (500) instead of an empty page."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=10_000_000)
        page_size: int | None = Field(None, ge=1)
