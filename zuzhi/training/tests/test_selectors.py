"""Progress for a year: per person and per unit, by unit and name, never by hours."""

import datetime
from decimal import Decimal as D

from django.db import connection
from django.test.utils import CaptureQueriesContext

from zuzhi.core.scope import SYSTEM
from zuzhi.testing.factories import make_cadre
from zuzhi.training import selectors
from zuzhi.training.models import Course, CourseMode
from zuzhi.training.services import record_create, requirement_set

from .conftest import DAY, id_number


def test_a_cadres_hours_for_the_year(world, records):
    record_create(
        actor=SYSTEM,
        course=world.short_course,
        completed_on=DAY,
        cadre=world.cadre_a,
    )
    last_year = Course.objects.create(title="旧课", mode=CourseMode.ONLINE, minutes=60, year=2025)
    record_create(
        actor=SYSTEM,
        course=last_year,
        completed_on=datetime.date(2025, 12, 31),
        cadre=world.cadre_a,
    )
    people = {
        p.name: p
        for p in selectors.people_progress(user=world.cadre_staff, group="cadres", year=2026)
    }
    assert people["李明"].year_hours == D("1.5") and people["李明"].year_courses == 2
    assert people["王芳"].year_hours == D("1")
    own = selectors.person_progress(
        user=world.cadre_user, group="cadres", pk=world.cadre_a.pk, year=2026
    )
    assert (own.hours, own.requirement.hours, own.missing) == (D("1.5"), D("50"), D("48.5"))


def test_people_are_listed_by_unit_and_name_not_by_hours(world, county):
    # 王芳 of the county unit has more hours than anyone: she is not put first.
    extra = make_cadre(county.town_a, name="艾青", id_number=id_number(13))
    for course in (world.course, world.short_course):
        record_create(actor=SYSTEM, course=course, completed_on=DAY, cadre=world.cadre_b)
    names = [
        p.name for p in selectors.people_progress(user=world.cadre_staff, group="cadres", year=2026)
    ]
    assert names == sorted(["李明", "艾青"]) + ["王芳"]
    assert extra.organization.path < world.cadre_b.organization.path


def test_the_reminder_list_holds_who_is_short(world, records):
    requirement_set(actor=world.cadre_staff, group="cadres", year=2026, hours=D("1"), courses=0)
    assert not selectors.short_list(user=world.cadre_staff, group="cadres", year=2026).exists()
    requirement_set(actor=world.cadre_staff, group="cadres", year=2026, hours=D("1.25"), courses=0)
    short = list(selectors.short_list(user=world.cadre_staff, group="cadres", year=2026))
    assert {p.name for p in short} == {"李明", "王芳"}
    rows = selectors.short_rows(
        people=short, requirement=selectors.requirement_for(group="cadres", year=2026)
    )
    assert rows[0][2:] == [D("1"), 1, D("0.25")]


def test_members_rotation_training_is_one_course(world, records, county_user):
    assert selectors.requirement_for(group="members", year=2026).courses == 1
    assert not selectors.short_list(user=county_user, group="members", year=2026).exists()
    assert {p.name for p in selectors.short_list(user=county_user, group="members", year=2027)} == {
        "张一",
        "赵二",
    }


def test_unit_progress_is_one_grouped_query(world, records, county):
    for n in range(5):
        make_cadre(county.town_a, name=f"干部{n}", id_number=id_number(40 + n))
    with CaptureQueriesContext(connection) as queries:
        units = selectors.unit_progress(user=SYSTEM, group="cadres", year=2026)
    assert len(queries) == 2  # the requirement, then the grouped progress
    by_unit = {u["organization"]: u for u in units}
    town = by_unit[county.town_a.name]
    assert (town["people"], town["hours"], town["short"], town["met"]) == (6, D("1"), 6, 0)
    assert by_unit[county.unit.name]["average"] == D("1.00")


def test_the_cadre_section_cuts_by_unit_in_its_subtree(world, records, county, county_user):
    import pytest
    from django.http import Http404

    org = selectors.group_org_param(user=world.cadre_staff, group="cadres", value=county.town_a.pk)
    people = selectors.people_progress(user=world.cadre_staff, group="cadres", year=2026, org=org)
    assert [p.name for p in people] == ["李明"]
    with pytest.raises(Http404):
        selectors.group_org_param(user=county_user, group="cadres", value=county.town_a.pk)
