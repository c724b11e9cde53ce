"""Reserves' and 雁归 talent's ID numbers and phones encrypted at rest (issue 19): masked pages,
exports and API lists decrypt nothing; the full number still finds the person; the one open
entry per person holds on the blind index."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from zuzhi.core import crypto
from zuzhi.core.models import AuditLog
from zuzhi.reserves import selectors as sel
from zuzhi.reserves.models import ReserveCandidate, ReturningTalent
from zuzhi.reserves.services import talent_create
from zuzhi.testing.factories import valid_id_number

NUMBER = valid_id_number(birth="19920315", sequence=301)
TALENT_NUMBER = valid_id_number(birth="19900808", sequence=41)


def _stored(model, pk: int, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.fixture
def talent(county, town_a_user):
    return talent_create(
        actor=town_a_user,
        data={
            "home_village": county.village_a1,
            "name": "周雁",
            "id_number": TALENT_NUMBER,
            "phone": "13712345678",
        },
    )


def test_numbers_and_phones_are_stored_as_ciphertext(county, make_reserve, talent):
    reserve = make_reserve(county.village_a1, phone="13912345678")
    for model, pk, number, phone in (
        (ReserveCandidate, reserve.pk, NUMBER, "13912345678"),
        (ReturningTalent, talent.pk, TALENT_NUMBER, "13712345678"),
    ):
        assert crypto.is_sealed(_stored(model, pk, "id_number"))
        assert crypto.is_sealed(_stored(model, pk, "phone"))
        assert _stored(model, pk, "id_number_masked") == number[:6] + "********" + number[-4:]
        assert _stored(model, pk, "phone_masked") == phone[:3] + "****" + phone[-4:]
        row = model.objects.get(pk=pk)
        assert (row.id_number, row.phone) == (number, phone)


def test_masked_lists_exports_and_api_lists_decrypt_nothing(
    county, town_a_user, client_as, api_as, make_reserve, talent
):
    """Done-when of issue 19: decryption never reaches a masked view (township staff see
    ID numbers and phones masked)."""
    make_reserve(county.village_a1, phone="13912345678")
    masked_number = NUMBER[:6] + "********" + NUMBER[-4:]
    count = crypto.decryptions()
    client = client_as(town_a_user)
    page = client.get(reverse("reserves:list")).content.decode()
    assert masked_number in page and "139****5678" in page and NUMBER not in page
    assert client.get(reverse("reserves:export")).status_code == 200
    talents = client.get(reverse("reserves:talents")).content.decode()
    assert "137****5678" in talents and "13712345678" not in talents
    assert client.get(reverse("reserves:talents_export")).status_code == 200
    api = api_as(town_a_user)
    assert api.get("/api/reserves").json()["items"][0]["id_number"] == masked_number
    listed = api.get("/api/reserves/returning-talent").json()["items"]
    assert listed[0]["phone"] == "137****5678"
    assert crypto.decryptions() == count


def test_audit_snapshots_keep_masks_never_the_values(county, town_a_user, make_reserve, talent):
    reserve = make_reserve(county.village_a1, phone="13912345678")
    for obj in (reserve, talent):
        after = AuditLog.objects.get(target_id=str(obj.pk), target_type=obj._meta.label_lower)
        assert "*" in after.after["id_number"] and "****" in after.after["phone"]
        assert NUMBER not in str(after.after) and TALENT_NUMBER not in str(after.after)


def test_the_full_number_finds_the_person(county, town_a_user, make_reserve, talent):
    reserve = make_reserve(county.village_a1)
    assert list(sel.candidate_list(user=town_a_user, q=NUMBER)) == [reserve]
    assert list(sel.candidate_list(user=town_a_user, q=NUMBER.lower())) == [reserve]
    assert list(sel.talent_list(user=town_a_user, q=TALENT_NUMBER)) == [talent]
    assert not sel.candidate_list(user=town_a_user, q=valid_id_number(sequence=7)).exists()


def test_one_open_entry_per_person_holds_on_the_blind_index(county, make_reserve):
    reserve = make_reserve(county.village_a1)
    twin = ReserveCandidate(
        village=county.village_a2,
        name="重复",
        id_number=NUMBER,
        gender=reserve.gender,
        birth_date=reserve.birth_date,
        source="graduate",
        discovery="organization",
    )
    with pytest.raises(ValidationError, match="该公民身份号码已登记为后备力量，同一人不能重复登记"):
        twin.validate_constraints()
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    ReserveCandidate.objects.filter(pk=reserve.pk).update(status="exited")
    twin.save()
    assert ReserveCandidate.objects.filter(id_number=NUMBER).count() == 2
