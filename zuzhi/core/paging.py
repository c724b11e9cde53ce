"""Pagination helpers shared by the API routers."""

from collections.abc import Callable

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

from .personal import personal_view


class MappedQuerySet:
    """Paginates like the queryset it wraps, passing each row of the page through `fn`,
    after the database did the slicing."""

    def __init__(self, qs: QuerySet, fn: Callable):
        self.qs, self.fn = qs, fn

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        return [self.fn(row) for row in self.qs[item]]


class PersonalPage(MappedQuerySet):
    """Paginates like the queryset it wraps; each page is shown through the personal-data
    policy as one view (revealed or masked by role, one audit row per page)."""

    def __init__(self, qs: QuerySet, *, user, where: str):
        super().__init__(qs, lambda rows: personal_view(user=user, objects=rows, where=where))

    def __getitem__(self, item):
        return self.fn(list(self.qs[item]))


class Page(PageNumberPagination):
    """page/page_size paging with an upper bound on the page number: ninja's own accepts any
    integer, and an OFFSET beyond 64 bits is a database error (500) instead of an empty page."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=10_000_000)
        page_size: int | None = Field(None, ge=1)
