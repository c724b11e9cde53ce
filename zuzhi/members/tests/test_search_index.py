"""On PostgreSQL the member search by name or initials is served by trigram indexes (members
migration 0007): without them a province's search read all five million members."""

import pytest
from django.db import connection

from zuzhi.members.models import Member

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's"),
]


def test_name_and_initials_have_trigram_indexes():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
            [Member._meta.db_table],
        )
        found = dict(cursor.fetchall())
    assert "gin_trgm_ops" in found["member_name_trgm"]
    assert "(name gin_trgm_ops)" in found["member_name_trgm"]
    assert "(name_initials gin_trgm_ops)" in found["member_initials_trgm"]
