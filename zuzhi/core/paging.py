"""Pagination helpers shared by the API routers."""

from collections.abc import Callable

from django.db.models import QuerySet


class MappedQuerySet:
    """Paginates like the queryset it wraps, passing each row of the page through `fn`:
    personal data is masked on the page only, after the database did the slicing."""

    def __init__(self, qs: QuerySet, fn: Callable):
        self.qs, self.fn = qs, fn

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        return [self.fn(row) for row in self.qs[item]]
