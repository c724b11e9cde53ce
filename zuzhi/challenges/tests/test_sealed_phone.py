"""An applicant's contact phone encrypted at rest (#19): stored as ciphertext, logged as its
masked copy, masked on the office's page without decrypting, found by an exact lookup of the
full number, and one phone revealed on request (one decryption, audited)."""

from django.db import connection

from zuzhi.challenges.models import ChallengeApplication
from zuzhi.core import crypto
from zuzhi.core.models import AuditAction, AuditLog

PHONE = "13812345678"


def _stored(application) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT contact_phone FROM challenges_challengeapplication WHERE id = %s",
            [application.pk],
        )
        return cursor.fetchone()[0]


def test_the_phone_is_stored_encrypted_logged_masked_and_found_by_the_full_number(reviewing):
    _, first, second = reviewing
    assert crypto.is_sealed(_stored(first)) and PHONE not in _stored(first)
    assert set(ChallengeApplication.objects.filter(contact_phone=PHONE)) == {first, second}
    assert not ChallengeApplication.objects.filter(contact_phone="13812345679").exists()
    created = AuditLog.objects.get(
        action=AuditAction.CREATE, target_type="challenges.challengeapplication", target_id=first.pk
    )
    assert created.after["contact_phone"] == "138****5678" and PHONE not in str(created.after)


def test_the_masked_page_decrypts_nothing_and_a_reveal_decrypts_one(
    client, talent_world, reviewing
):
    challenge, first, _ = reviewing
    client.force_login(talent_world.office)
    count = crypto.decryptions()
    page = client.get(f"/challenges/{challenge.pk}/").content.decode()
    assert page.count("138****5678") == 2 and PHONE not in page
    assert crypto.decryptions() == count
    answer = client.post(f"/challenges/applications/{first.pk}/phone/")
    assert f'href="tel:{PHONE}"' in answer.content.decode()
    assert crypto.decryptions() == count + 1
