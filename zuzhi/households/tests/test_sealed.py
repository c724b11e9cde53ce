"""Heads' ID numbers and phones encrypted at rest (#19): ciphertext in the columns, the
masked list, export and API list decrypting nothing, exact lookups through the blind index
within the household rule, imports and the log writing masks, and the in-place migration."""

import types

from django.apps import apps
from django.db import connection

from zuzhi.core import crypto
from zuzhi.core.imports import import_job_confirm, import_job_create
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.scope import SYSTEM
from zuzhi.core.sealed_rows import encrypt_in_place
from zuzhi.households.models import Household
from zuzhi.households.services import household_update
from zuzhi.testing.factories import valid_id_number
from zuzhi.testing.xlsx import make_xlsx

from .conftest import household
from .test_importers import HEADER

NUMBER = valid_id_number(sequence=31)
MASKED_NUMBER = NUMBER[:6] + "********" + NUMBER[-4:]


def column(name: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {name} FROM households_household ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def test_the_columns_hold_ciphertext_and_the_log_holds_masks(world):
    h = household(world.county.village_a1, head_id_number=NUMBER)
    assert all(v.startswith("aesgcm1:") for v in column("head_id_number") + column("phone"))
    assert column("head_id_number_masked") == [MASKED_NUMBER]
    assert column("phone_masked") == ["139****5678"]
    created = AuditLog.objects.get(
        action=AuditAction.CREATE, target_type="households.household", target_id=str(h.pk)
    )
    assert created.after["head_id_number"] == MASKED_NUMBER
    assert created.after["phone"] == "139****5678"
    assert NUMBER not in str(created.after) and "13912345678" not in str(created.after)


def test_exact_lookups_go_through_the_index_within_the_household_rule(world):
    h = household(world.county.village_a1, head_id_number=NUMBER)
    household(world.county.village_b1, "2号", head_id_number=valid_id_number(sequence=32))
    assert list(Household.objects.filter(head_id_number=NUMBER.lower())) == [h]
    assert list(Household.objects.filter(phone="139 1234 5678").order_by("pk"))[0] == h
    assert list(Household.objects.visible_to(world.town_a).filter(phone="13912345678")) == [h]
    assert not Household.objects.visible_to(world.town_a).filter(
        head_id_number=valid_id_number(sequence=32)
    )


def test_the_masked_list_export_and_api_list_decrypt_nothing(world, client_as, api_as):
    household(world.county.village_a1, "1号", head_id_number=NUMBER)
    household(world.county.village_a1, "2号")
    count = crypto.decryptions()
    page = client_as(world.town_a).get("/households/").content.decode()
    assert "139****5678" in page and "13912345678" not in page
    assert client_as(world.town_a).get("/households/export/").status_code == 200
    listed = api_as(world.town_a).get("/api/households").json()["items"]
    assert {h["head_id_number"] for h in listed} == {MASKED_NUMBER, ""}
    detail = client_as(world.town_a).get(f"/households/{listed[0]['id']}/").content.decode()
    assert "139****5678" in detail
    form = client_as(world.town_a).get(f"/households/{listed[0]['id']}/edit/").content.decode()
    assert "139****5678" in form
    assert crypto.decryptions() == count
    assert not AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL).exists()


def test_an_edit_of_other_fields_logs_no_personal_value(world):
    h = household(world.county.village_a1, head_id_number=NUMBER)
    start = AuditLog.objects.count()
    household_update(actor=SYSTEM, household=h, data={"grid": "三网格"})
    [row] = AuditLog.objects.order_by("id")[start:]
    assert row.after == {"grid": "三网格"}
    household_update(actor=SYSTEM, household=h, data={"phone": "13900005678"})
    row = AuditLog.objects.order_by("id").last()
    assert row.after == {"phone_index": crypto.blind_index("phone", "13900005678")}
    assert Household.objects.get(pk=h.pk).phone == "13900005678"


def test_an_import_writes_ciphertext_with_index_and_mask(world):
    village = world.county.village_a1
    rows = [[1, village.code, "", "幸福路1号", "王一", NUMBER, "13912340001", 3]]
    job = import_job_create(
        actor=world.town_a,
        kind="households",
        filename="住户.xlsx",
        content=make_xlsx([["联系户"], HEADER, *rows]),
    )
    import_job_confirm(actor=world.town_a, job=job)
    assert column("head_id_number_masked") == [MASKED_NUMBER]
    assert column("phone_masked") == ["139****0001"]
    assert "13912340001" not in "".join(column("phone"))
    assert Household.objects.get(head_id_number=NUMBER).phone == "13912340001"


def test_the_migration_encrypts_clear_values_in_place(world):
    household(world.county.village_a1, "1号", head_id_number=NUMBER)
    household(world.county.village_a1, "2号", phone="")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE households_household SET head_id_number = %s, head_id_number_index = '', "
            "head_id_number_masked = '', phone = %s, phone_index = '', phone_masked = '' "
            "WHERE address = %s",
            [NUMBER, "13912345678", "1号"],
        )
    editor = types.SimpleNamespace(connection=connection)
    fields = {"model": "households.Household", "fields": ["head_id_number", "phone"]}
    assert encrypt_in_place(apps, editor, **fields) == 1
    assert encrypt_in_place(apps, editor, **fields) == 0
    assert column("phone_masked") == ["139****5678", ""]
    assert Household.objects.get(head_id_number=NUMBER).phone == "13912345678"
