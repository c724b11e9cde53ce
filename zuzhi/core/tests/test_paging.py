"""MappedQuerySet: the rows of a list counted, paged and iterated in the database, each row
mapped only when read; the personal-data pages only ever a page at a time."""

import pytest

from zuzhi.core import paging
from zuzhi.core.paging import MappedQuerySet, PageMappedQuerySet, PersonalPage
from zuzhi.orgs.models import Organization


def test_mapped_rows_count_slice_index_and_iterate(county, monkeypatch):
    monkeypatch.setattr(paging, "ITER_CHUNK", 2)
    qs = Organization.objects.order_by("code")
    rows = MappedQuerySet(qs, lambda org: org.code)

    assert rows.count() == len(rows) == 7
    assert rows[1:3] == ["TA", "TB"]
    assert rows[0] == "C"
    assert list(rows) == ["C", "TA", "TB", "U1", "VA1", "VA2", "VB1"]
    # Iterated in chunks: the whole queryset is never held (nor cached on it).
    assert qs._result_cache is None


def test_a_personal_page_is_not_iterated_whole(county, county_user):
    page = PersonalPage(Organization.objects.all(), user=county_user, where="/test")
    with pytest.raises(TypeError):
        iter(page)


def test_page_mapped_rows_map_each_page_in_one_call(county, monkeypatch):
    monkeypatch.setattr(paging, "ITER_CHUNK", 3)
    calls = []

    def page(orgs):
        calls.append([o.code for o in orgs])
        return [o.code.lower() for o in orgs]

    rows = PageMappedQuerySet(Organization.objects.order_by("code"), page)
    assert rows[1:4] == ["ta", "tb", "u1"] and calls == [["TA", "TB", "U1"]]
    assert rows[0] == "c"
    calls.clear()
    assert list(rows) == ["c", "ta", "tb", "u1", "va1", "va2", "vb1"]
    assert calls == [["C", "TA", "TB"], ["U1", "VA1", "VA2"], ["VB1"]]
