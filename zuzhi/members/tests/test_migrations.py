import datetime

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from zuzhi.members.models import Member
from zuzhi.testing.factories import OrganizationFactory, valid_id_number


def test_existing_members_get_every_reading_of_their_surname(transactional_db):
    org = OrganizationFactory(code="B1", name="李庄村党支部")
    executor = MigrationExecutor(connection)
    state = executor.migrate([("members", "0003_member_month_only_dates")])
    old_member = state.apps.get_model("members", "Member")
    for n, name in enumerate(["曾国华", "王小明", "查良镛"]):
        old_member.objects.create(
            organization_id=org.pk,
            name=name,
            name_initials="old",
            id_number=valid_id_number(sequence=n),
            gender="1",
            ethnicity="01",
            birth_date=datetime.date(1980, 1, 1),
            join_date=datetime.date(2005, 7, 1),
            status="full",
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert dict(Member.objects.values_list("name", "name_initials")) == {
        "曾国华": "cgh zgh",
        "王小明": "wxm",
        "查良镛": "cly zly",
    }
