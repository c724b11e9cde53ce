"""A list's filter by one organization of a kind (orgs/picker.py org_filter): a select while
the reach is small, the picker beyond, reading a bounded number of rows either way; the
staff mode's reach is county and township staff's scope only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zuzhi.orgs import picker as picker_module
from zuzhi.orgs.models import UnitCategory
from zuzhi.orgs.picker import org_filter
from zuzhi.orgs.selectors import PickerMode, org_picker_search

VILLAGES = (UnitCategory.VILLAGE, UnitCategory.COMMUNITY)


def _filter(user, chosen=None):
    return org_filter(
        user=user,
        name="village",
        label="村（社区）",
        chosen=chosen,
        mode=PickerMode.STAFF,
        unit_categories=VILLAGES,
    )


def test_a_small_reach_is_a_select_of_its_villages(county, county_user, monkeypatch):
    monkeypatch.setattr(picker_module, "SELECT_LIMIT", 3)
    f = _filter(county_user)
    assert f.picker is None
    # Villages only (not the county's government unit), in tree order.
    assert f.options == [county.village_a1, county.village_a2, county.village_b1]


def test_a_large_reach_is_the_picker_and_reads_a_bounded_number_of_rows(
    county, county_user, monkeypatch
):
    monkeypatch.setattr(picker_module, "SELECT_LIMIT", 2)
    with CaptureQueriesContext(connection) as queries:
        f = _filter(county_user, chosen=county.village_b1)
    assert f.options == [] and f.picker is not None
    villages = [q["sql"] for q in queries.captured_queries if '"unit_category" IN' in q["sql"]]
    assert villages and all("LIMIT 3" in sql for sql in villages)
    assert (f.picker.name, f.picker.mode, f.picker.required) == ("village", "staff", False)
    assert f.picker.unit_categories == VILLAGES
    assert (f.picker.choice.id, f.picker.choice.name) == (county.village_b1.pk, "张湾村党支部")
    html = f.picker.render()
    assert "<option" not in html and "mode=staff" in html and "unit=village" in html


def test_staff_mode_never_offers_another_township(county, town_a_user, county_user):
    def found(user, q):
        return {
            c.name
            for c in org_picker_search(
                user=user, q=q, mode=PickerMode.STAFF, unit_categories=VILLAGES
            )
        }

    assert found(town_a_user, "村") == {"李庄村党支部", "王庄村党支部"}
    assert found(town_a_user, "zwc") == set()
    assert found(county_user, "村") == {"李庄村党支部", "王庄村党支部", "张湾村党支部"}


@pytest.mark.parametrize("user", ["branch_a1_user", "auditor_user"])
def test_staff_mode_reaches_nothing_for_other_roles(county, request, user):
    """A branch secretary's or auditor's scope is not a staff scope (reserves are not theirs)."""
    user = request.getfixturevalue(user)
    assert _filter(user).options == []
    found = org_picker_search(user=user, q="村", mode=PickerMode.STAFF, unit_categories=VILLAGES)
    assert found == []
