"""core.db.fetch_one_prepared: a PostgreSQL statement PREPAREd once per connection."""

import pytest
from django.db import DataError, ProgrammingError, connection, transaction
from django.test.utils import CaptureQueriesContext

from zuzhi.core.db import fetch_one_prepared

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


def add_one(value):
    return fetch_one_prepared(
        name="zuzhi_test_add", sql="SELECT %s + 1", types=["integer"], params=[value]
    )


def prepared(name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = %s", [name])
        return cursor.fetchone()[0]


def test_the_statement_is_prepared_once_and_run_through_django(db):
    with CaptureQueriesContext(connection) as queries:
        assert add_one(41) == (42,)
        assert add_one(1) == (2,)
    assert prepared("zuzhi_test_add") == 1
    texts = [q["sql"] for q in queries.captured_queries if "zuzhi_test_add" in q["sql"]]
    assert texts == [
        "PREPARE zuzhi_test_add (integer) AS SELECT $1 + 1",
        "EXECUTE zuzhi_test_add (41)",
        "EXECUTE zuzhi_test_add (1)",
    ]


def test_a_failing_run_leaves_one_statement_and_django_s_error(db):
    for _ in range(3):
        with pytest.raises(DataError), transaction.atomic():
            fetch_one_prepared(
                name="zuzhi_test_div", sql="SELECT 1 / %s", types=["integer"], params=[0]
            )
    assert prepared("zuzhi_test_div") == 1


def test_a_statement_deallocated_behind_its_back_is_prepared_again(db):
    add_one(1)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE zuzhi_test_add")
    # Inside a transaction the failed EXECUTE has aborted it: the error goes up, and the
    # next call prepares again.
    with pytest.raises(ProgrammingError), transaction.atomic():
        add_one(2)
    assert add_one(3) == (4,)


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_it_is_prepared_again_at_once():
    add_one(1)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE zuzhi_test_add")
    assert add_one(2) == (3,)
    assert prepared("zuzhi_test_add") == 1


def test_one_type_per_placeholder(db):
    with pytest.raises(ValueError):
        fetch_one_prepared(name="zuzhi_test_bad", sql="SELECT %s, %s", types=["int"], params=[1])
