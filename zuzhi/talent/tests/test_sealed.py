"""A talent's ID number and phone encrypted at rest (issue 19): masked pages, exports and API
answers decrypt nothing; a full number still finds the talent; one talent per county and
number still, on the blind index; the import matches known talents by it."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import override_settings

from zuzhi.core import crypto
from zuzhi.core.imports import import_job_confirm, import_job_create
from zuzhi.core.models import ImportJob
from zuzhi.talent import selectors, services
from zuzhi.talent.models import Talent
from zuzhi.testing.factories import make_cadre, make_member, make_talent, valid_id_number
from zuzhi.testing.xlsx import make_xlsx

pytestmark = pytest.mark.django_db
NUMBER = valid_id_number(birth="19870301", sequence=51)


def test_the_columns_hold_ciphertext_and_the_masked_copies(talent_world):
    talent = talent_world.talent
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, phone_masked FROM talent_talent WHERE id = %s", [talent.pk]
        )
        number, phone, phone_masked = cursor.fetchone()
    assert crypto.is_sealed(number) and crypto.is_sealed(phone)
    assert phone_masked == "137****5678"


@override_settings(ZUZHI_UNMASKED_ROLES=["county_staff"])
def test_a_masked_list_page_and_a_masked_export_decrypt_nothing(talent_world, client_as, api_as):
    """Done-when of issue 19: decryption never reaches a masked view (the talent office is
    made a masked role here, so the export and the API answer are masked too)."""
    w = talent_world
    make_talent(w.county.county, name="王博", id_number=NUMBER)
    count = crypto.decryptions()
    page = client_as(w.office).get("/talent/").content.decode()
    assert "王博" in page and NUMBER not in page
    assert client_as(w.office).get("/talent/export/").status_code == 200
    answer = api_as(w.office).get("/api/talents").json()
    assert {row["phone"] for row in answer["items"]} == {"137****5678"}
    assert NUMBER[:6] + "********" + NUMBER[-4:] in {row["id_number"] for row in answer["items"]}
    assert crypto.decryptions() == count


def test_a_full_number_finds_the_talent(talent_world):
    w = talent_world
    make_talent(w.county.county, name="王博", id_number=NUMBER)
    assert [t.name for t in selectors.talent_list(user=w.office, q=NUMBER)] == ["王博"]
    assert not selectors.talent_list(user=w.office, q=NUMBER[-6:]).exists()


def test_one_talent_per_county_and_number_still(talent_world):
    w = talent_world
    data = {"name": "王博", "id_number": NUMBER}
    services.talent_create(actor=w.office, county=w.county.county, data=data)
    with pytest.raises(ValidationError) as exc:
        services.talent_create(actor=w.office, county=w.county.county, data=data)
    assert exc.value.message_dict["id_number"] == [services.ID_TAKEN]
    # The neighbouring county may hold the same person.
    services.talent_create(actor=w.other_office, county=w.other_county, data=data)
    # The database refuses a second row in the county, on the blind index.
    with pytest.raises(IntegrityError), transaction.atomic():
        make_talent(w.county.county, name="王博", id_number=NUMBER)
    assert Talent.objects.filter(id_number=NUMBER).count() == 2


def test_a_new_talent_is_linked_to_the_member_and_the_cadre_of_the_same_number(talent_world):
    w = talent_world
    member = make_member(w.county.village_a1, id_number=NUMBER)
    cadre = make_cadre(w.county.town_a, id_number=NUMBER)
    talent = services.talent_create(
        actor=w.office, county=w.county.county, data={"name": "王博", "id_number": NUMBER}
    )
    assert (talent.member, talent.cadre) == (member, cadre)


def test_the_import_updates_a_known_talent_found_by_its_number(talent_world):
    w = talent_world
    header = ["序号", "姓名", "公民身份号码", "工作单位"]
    rows = [[1, "周青", w.talent.id_number.lower(), "新单位"], [2, "王博", NUMBER, "甲公司"]]
    job = import_job_create(
        actor=w.office, kind="talents", filename="人才.xlsx", content=make_xlsx([header, *rows])
    )
    assert job.status == ImportJob.Status.READY, job.errors
    job = import_job_confirm(actor=w.office, job=job)
    assert job.summary == {"created": 1, "updated": 1}, job.summary
    assert Talent.objects.filter(county=w.county.county).count() == 2
    assert Talent.objects.get(pk=w.talent.pk).employer == "新单位"
