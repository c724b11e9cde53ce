"""The secretary's phone encrypted at rest (#19): stored as ciphertext, shown masked from its
masked copy (a masked list, export or API answer decrypts nothing), found by an exact search
through its blind index, revealed on request with the look audited."""

from django.db import connection
from django.urls import reverse

from zuzhi.core import crypto
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.scope import SYSTEM
from zuzhi.orgs.models import Organization
from zuzhi.orgs.services import org_update

PHONE = "13812345678"


def _stored(org) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secretary_phone FROM orgs_organization WHERE id = %s", [org.pk])
        return cursor.fetchone()[0]


def test_the_phone_is_stored_encrypted_and_found_by_the_full_number(county):
    org_update(actor=SYSTEM, org=county.village_a1, data={"secretary_phone": PHONE})
    assert crypto.is_sealed(_stored(county.village_a1)) and PHONE not in _stored(county.village_a1)
    found = Organization.objects.get(secretary_phone="138 1234 5678")
    assert found == county.village_a1 and found.secretary_phone_masked == "138****5678"
    assert found.secretary_phone == PHONE
    assert not Organization.objects.filter(secretary_phone="13812345679").exists()


def test_a_masked_list_export_and_api_list_decrypt_nothing(
    county, client_as, api_as, town_a_user, county_user
):
    org_update(actor=SYSTEM, org=county.village_a1, data={"secretary_phone": PHONE})
    org_update(actor=SYSTEM, org=county.village_a2, data={"secretary_phone": "13900001111"})
    count = crypto.decryptions()
    page = client_as(county_user).get(reverse("orgs:list")).content.decode()
    assert "138****5678" in page and PHONE not in page
    exported = client_as(town_a_user).get(reverse("orgs:list"), {"export": "xlsx"})
    assert exported.status_code == 200
    listed = api_as(town_a_user).get("/api/orgs").json()["items"]
    assert "138****5678" in {o["secretary_phone"] for o in listed}
    detail = client_as(town_a_user).get(reverse("orgs:detail", args=[county.village_a1.pk]))
    assert "138****5678" in detail.content.decode()
    assert crypto.decryptions() == count


def test_an_update_of_other_fields_keeps_the_phone_sealed(county):
    org_update(actor=SYSTEM, org=county.village_a1, data={"secretary_phone": PHONE})
    stored = _stored(county.village_a1)
    count = crypto.decryptions()
    org = Organization.objects.get(pk=county.village_a1.pk)
    org_update(actor=SYSTEM, org=org, data={"address": "幸福路 1 号"})
    assert crypto.decryptions() == count and _stored(org) == stored
    assert Organization.objects.get(pk=org.pk).secretary_phone == PHONE


def test_the_detail_page_reveals_the_phone_on_request_and_audits_it(county, client_as, county_user):
    org_update(actor=SYSTEM, org=county.village_a1, data={"secretary_phone": PHONE})
    url = reverse("orgs:detail", args=[county.village_a1.pk])
    assert PHONE not in client_as(county_user).get(url).content.decode()
    assert PHONE in client_as(county_user).get(url, {"show": "phone"}).content.decode()
    viewed = AuditLog.objects.get(action=AuditAction.VIEW_PERSONAL)
    assert viewed.actor == county_user and "书记电话" in viewed.message
