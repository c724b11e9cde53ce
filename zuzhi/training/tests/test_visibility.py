"""Who sees and who writes training records: cadre records are the cadre section's and the
cadre's own; members' records follow the data scope."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.roles import Role
from zuzhi.testing.factories import user_with_role
from zuzhi.training import selectors
from zuzhi.training.models import TrainingRecord
from zuzhi.training.services import record_create

from .conftest import DAY


def denials() -> int:
    return AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()


def visible(user) -> set:
    return set(TrainingRecord.objects.visible_to(user))


def test_the_cadre_section_sees_cadre_records_only(world, records):
    assert visible(world.cadre_staff) == {records["cadre_a"], records["cadre_b"]}


def test_county_staff_of_other_sections_do_not_see_cadre_records(world, records, county_user):
    assert visible(county_user) == {records["member_a1"], records["member_b1"]}
    before = denials()
    with pytest.raises(Http404):
        selectors.record_get(user=county_user, pk=records["cadre_a"].pk)
    assert denials() == before + 1


def test_township_staff_see_their_members_records(world, records, town_a_user, branch_a1_user):
    assert visible(town_a_user) == {records["member_a1"]}
    assert visible(branch_a1_user) == {records["member_a1"]}


def test_a_cadre_sees_only_their_own_records(world, records):
    assert visible(world.cadre_user) == {records["cadre_a"]}
    with pytest.raises(Http404):
        selectors.record_get(user=world.cadre_user, pk=records["cadre_b"].pk)


def test_a_cadre_section_below_the_county_sees_its_subtree(world, records, county):
    town_section = user_with_role(Role.CADRE_STAFF, county.town_a)
    assert visible(town_section) == {records["cadre_a"]}


def test_anonymous_and_no_role_see_nothing(world, records):
    from django.contrib.auth.models import AnonymousUser

    assert visible(AnonymousUser()) == set()
    assert visible(None) == set()


def test_a_cadres_progress_is_not_found_for_county_staff(world, records, county_user):
    before = denials()
    with pytest.raises(Http404):
        selectors.person_progress(user=county_user, group="cadres", pk=world.cadre_a.pk, year=2026)
    assert denials() == before + 1
    own = selectors.person_progress(
        user=world.cadre_user, group="cadres", pk=world.cadre_a.pk, year=2026
    )
    assert own.records == [records["cadre_a"]]


@pytest.mark.parametrize("who", ["county_user", "cadre_user", "town_a_user"])
def test_only_the_cadre_section_records_a_cadres_training(world, request, who):
    actor = world.cadre_user if who == "cadre_user" else request.getfixturevalue(who)
    before = denials()
    with pytest.raises(Http404):
        record_create(actor=actor, course=world.course, completed_on=DAY, cadre=world.cadre_a)
    assert denials() == before + 1
    assert not TrainingRecord.objects.exists()
    record_create(
        actor=world.cadre_staff, course=world.course, completed_on=DAY, cadre=world.cadre_a
    )


@pytest.mark.parametrize("who", ["cadre_staff", "branch_a1_user", "town_b_user"])
def test_members_training_is_recorded_by_county_and_township_staff(world, request, who):
    actor = world.cadre_staff if who == "cadre_staff" else request.getfixturevalue(who)
    with pytest.raises(Http404):
        record_create(actor=actor, course=world.course, completed_on=DAY, member=world.member_a1)
    record = record_create(
        actor=request.getfixturevalue("town_a_user"),
        course=world.course,
        completed_on=DAY,
        member=world.member_a1,
    )
    row = AuditLog.objects.get(target_type="training.trainingrecord", target_id=str(record.pk))
    assert row.action == AuditAction.CREATE and row.org_path == world.member_a1.organization.path


def test_a_record_names_exactly_one_person(world):
    from zuzhi.core.scope import SYSTEM

    with pytest.raises(ValidationError):
        record_create(actor=SYSTEM, course=world.course, completed_on=DAY)
    with pytest.raises(ValidationError):
        record_create(
            actor=SYSTEM,
            course=world.course,
            completed_on=DAY,
            cadre=world.cadre_a,
            member=world.member_a1,
        )


def test_requirements_are_set_by_the_cadre_section_and_the_county(world, town_a_user, county_user):
    from decimal import Decimal

    from zuzhi.training.services import requirement_set

    with pytest.raises(Http404):
        requirement_set(actor=county_user, group="cadres", year=2026, hours=Decimal("40"))
    with pytest.raises(Http404):
        requirement_set(
            actor=town_a_user, group="members", year=2026, hours=Decimal("0"), courses=2
        )
    with pytest.raises(Http404):
        requirement_set(actor=world.cadre_staff, group="members", year=2026, hours=Decimal("0"))
    requirement_set(actor=county_user, group="members", year=2026, hours=Decimal("0"), courses=2)
    requirement_set(actor=world.cadre_staff, group="cadres", year=2026, hours=Decimal("40"))
