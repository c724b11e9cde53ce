import datetime

import pytest

from zuzhi.core.scope import SYSTEM
from zuzhi.orgs.committee import committee_appoint
from zuzhi.reserves.models import ReserveCandidate, ReserveStatus
from zuzhi.testing.factories import make_cadre, make_member, valid_id_number
from zuzhi.training.models import Course
from zuzhi.village_work.services import assignment_create

START = datetime.date(2026, 1, 5)


@pytest.fixture
def pool_reserve(db):
    """A reserve in the pool (入库), written directly: how a name reaches the pool is the
    reserves app's business."""
    counter = iter(range(600, 999))

    def _make(village, *, name="陈晓", status=ReserveStatus.IN_POOL, **overrides):
        number = valid_id_number(birth="19920315", sequence=next(counter))
        data = {
            "village": village,
            "name": name,
            "id_number": number,
            "gender": "1",
            "birth_date": datetime.date(1992, 3, 15),
            "source": "graduate",
            "discovery": "organization",
            "status": status,
        }
        data.update(overrides)
        return ReserveCandidate.objects.create(**data)

    return _make


@pytest.fixture
def villager(db):
    """A member of a village branch, optionally seated on its committee."""
    counter = iter(range(100, 600))

    def _make(village, *, name="王书记", position=None):
        member = make_member(
            village, name=name, id_number=valid_id_number(birth="19700101", sequence=next(counter))
        )
        if position:
            committee_appoint(
                actor=SYSTEM,
                organization=village,
                member=member,
                position=position,
                started_on=datetime.date(2021, 1, 1),
            )
        return member

    return _make


@pytest.fixture
def first_secretary(county):
    counter = iter(range(1, 99))

    def _make(village, name="赵第一"):
        return assignment_create(
            actor=SYSTEM,
            cadre=make_cadre(
                county.unit,
                name=name,
                id_number=valid_id_number(birth="19800101", sequence=next(counter)),
            ),
            village=village,
            role="first_secretary",
            sending_unit="县教育局",
            start=datetime.date(2025, 3, 1),
            end=datetime.date(2027, 2, 28),
        )

    return _make


@pytest.fixture
def pair(county, town_a_user, pool_reserve, villager):
    """A current pair in village A1, started on START."""
    from zuzhi.reserve_training.services import mentorship_create

    def _make(village=None, *, name="陈晓", actor=None, started_on=START):
        village = village or county.village_a1
        reserve = pool_reserve(village, name=name)
        mentor = villager(village, name=f"{name}导师")
        return mentorship_create(
            actor=actor or town_a_user,
            reserve=reserve,
            mentor=f"m{mentor.pk}",
            started_on=started_on,
        )

    return _make


@pytest.fixture
def course(db):
    def _make(title="乡村振兴政策解读", minutes=45, has_test=False, year=2026):
        return Course.objects.create(
            title=title, mode="online", minutes=minutes, year=year, has_test=has_test
        )

    return _make
