import pytest

from .factories import make_pool_reserve


@pytest.fixture
def pool_reserve(county, county_user):
    """A factory: pool_reserve(village, sequence=…, **candidate fields)."""

    def _make(village, sequence=900, **overrides):
        return make_pool_reserve(
            county, village, county_user=county_user, sequence=sequence, **overrides
        )

    return _make
