import datetime
from dataclasses import dataclass

import pytest

from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.testing.factories import (
    UserFactory,
    make_cadre,
    make_member,
    user_with_role,
    valid_id_number,
)
from zuzhi.training.models import Course, CourseMode


def id_number(sequence: int) -> str:
    return valid_id_number(birth="19750101", sequence=sequence)


@dataclass
class World:
    cadre_staff: object
    cadre_user: object
    cadre_a: object
    cadre_b: object
    member_a1: object
    member_b1: object
    course: object
    short_course: object


@pytest.fixture
def world(county):
    cadre_user = UserFactory(username="cadre1")
    cadre_a = make_cadre(county.town_a, name="李明", id_number=id_number(11), user=cadre_user)
    cadre_b = make_cadre(county.unit, name="王芳", id_number=id_number(12))
    return World(
        cadre_staff=user_with_role(Role.CADRE_STAFF, county.county, username="cadre_officer"),
        cadre_user=cadre_user,
        cadre_a=cadre_a,
        cadre_b=cadre_b,
        member_a1=make_member(county.village_a1, name="张一", id_number=id_number(21)),
        member_b1=make_member(county.village_b1, name="赵二", id_number=id_number(22)),
        course=Course.objects.create(
            title="习近平新时代中国特色社会主义思想专题",
            mode=CourseMode.ONLINE,
            minutes=45,
            year=2026,
            has_test=True,
        ),
        short_course=Course.objects.create(
            title="基层治理微课", mode=CourseMode.ONLINE, minutes=15, year=2026
        ),
    )


DAY = datetime.date(2026, 3, 2)


@pytest.fixture
def records(world):
    """One record each for both cadres and both members, written by the system."""
    from zuzhi.training.services import record_create

    return {
        name: record_create(actor=SYSTEM, course=world.course, completed_on=DAY, **{kind: person})
        for name, kind, person in [
            ("cadre_a", "cadre", world.cadre_a),
            ("cadre_b", "cadre", world.cadre_b),
            ("member_a1", "member", world.member_a1),
            ("member_b1", "member", world.member_b1),
        ]
    }
