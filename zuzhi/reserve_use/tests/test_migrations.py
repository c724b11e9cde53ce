"""The in-place migration of reserves', village committee members' and recruitment
candidates' ID numbers and phones (issue 19): an existing database's clear rows come out
encrypted, with blind indexes that still match across the registers, and back again."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Exists, OuterRef

from zuzhi.core import crypto
from zuzhi.recruitment.models import Candidate
from zuzhi.reserve_use.models import VillageCommitteeMember
from zuzhi.reserve_use.selectors import open_reserve_exists
from zuzhi.reserves.models import ReserveCandidate, ReturningTalent
from zuzhi.testing.factories import OrganizationFactory, valid_id_number

BEFORE = [
    ("reserves", "0003_system_writes"),
    ("reserve_use", "0001_initial"),
    ("recruitment", "0001_initial"),
]
A = valid_id_number("19900101", 11)
B = valid_id_number("19910202", 12)
C = valid_id_number("19920303", 13)
TABLES = {
    "reserves_reservecandidate": ("id_number", "phone"),
    "reserves_returningtalent": ("id_number", "phone"),
    "reserve_use_villagecommitteemember": ("id_number",),
    "recruitment_candidate": ("id_number", "phone"),
}


def _columns(table: str, names) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(names)} FROM {table} ORDER BY id")
        return cursor.fetchall()


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor.migrate(targets or executor.loader.graph.leaf_nodes())


def _old_rows(apps, village) -> None:
    reserve = apps.get_model("reserves", "ReserveCandidate")
    person = {"gender": "1", "source": "graduate", "discovery": "organization"}
    for number, phone in ((A, "13912345678"), (B, "")):
        reserve.objects.create(
            village_id=village.pk,
            name=f"后备{number[-4:]}",
            id_number=number,
            phone=phone,
            birth_date=datetime.date(1990, 1, 1),
            status="in_pool",
            **person,
        )
    apps.get_model("reserves", "ReturningTalent").objects.create(
        home_village_id=village.pk, name="周雁", id_number=C, phone="13712345678"
    )
    apps.get_model("reserve_use", "VillageCommitteeMember").objects.create(
        village_id=village.pk, name="村委", id_number=A, position="member", started_on="2026-03-01"
    )
    apps.get_model("recruitment", "Candidate").objects.create(
        organization_id=village.pk,
        name="申请人",
        id_number=B,
        phone="13612345678",
        ethnicity="01",
        applied_on="2026-03-01",
    )


def test_clear_rows_are_encrypted_in_place_match_across_registers_and_go_back(
    transactional_db,
):
    village = OrganizationFactory(code="B1", name="李庄村党支部")
    _old_rows(_migrate(BEFORE).apps, village)
    clear = {table: _columns(table, names) for table, names in TABLES.items()}
    _migrate(None)
    for table, names in TABLES.items():
        rows = _columns(table, names)
        assert all(crypto.is_sealed(v) for row in rows for v in row if v), table
    assert _columns("reserves_reservecandidate", ["phone_masked"]) == [("139****5678",), ("",)]
    assert ReserveCandidate.objects.get(id_number=A).phone == "13912345678"
    assert ReturningTalent.objects.get(id_number=C).id_number_masked.endswith(C[-4:])
    assert VillageCommitteeMember.objects.get(id_number=A).name == "村委"
    # The registers meet in SQL, blind index to blind index.
    assert Candidate.objects.annotate(r=open_reserve_exists()).get(id_number=B).r
    assert list(
        ReserveCandidate.objects.filter(
            Exists(VillageCommitteeMember.objects.filter(id_number=OuterRef("id_number")))
        ).values_list("name", flat=True)
    ) == [f"后备{A[-4:]}"]
    # One open entry per person again, on the blind index.
    with pytest.raises(IntegrityError), transaction.atomic():
        ReserveCandidate.objects.create(
            village_id=village.pk,
            name="重复",
            id_number=A,
            gender="1",
            birth_date=datetime.date(1990, 1, 1),
            source="graduate",
            discovery="organization",
        )
    _migrate(BEFORE)
    assert {table: _columns(table, names) for table, names in TABLES.items()} == clear
    _migrate(None)
