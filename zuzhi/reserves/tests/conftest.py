import pytest

from zuzhi.reserves.services import candidate_create
from zuzhi.testing.factories import valid_id_number


@pytest.fixture
def make_reserve(town_a_user):
    def _make(village, actor=None, **overrides):
        data = {
            "village": village,
            "name": "陈晓",
            "id_number": valid_id_number(birth="19920315", sequence=301),
            "source": "graduate",
            "discovery": "organization",
        }
        data.update(overrides)
        return candidate_create(actor=actor or town_a_user, data=data)

    return _make
