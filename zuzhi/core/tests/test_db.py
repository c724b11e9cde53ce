"""core.db.fetch_one_prepared: a PostgreSQL statement prepared once per connection."""

import pytest
from django.db import DataError, connection, transaction

from zuzhi.core.db import fetch_one_prepared

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


def test_the_statement_is_prepared_on_the_server_once(db):
    assert fetch_one_prepared("SELECT %s::int + 1", [41]) == (42,)
    assert fetch_one_prepared("SELECT %s::int + 1", [1]) == (2,)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement = %s",
            ["SELECT $1::int + 1"],
        )
        assert cursor.fetchone()[0] == 1


def test_its_errors_are_django_s(db):
    with pytest.raises(DataError), transaction.atomic():
        fetch_one_prepared("SELECT 1 / %s::int", [0])
