"""Recruitment candidates' ID numbers and phones encrypted at rest (issue 19): masked pages
and API lists decrypt nothing; the full number still finds the candidate; one candidate per
person, refused in Chinese, now on the blind index."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from zuzhi.core import crypto
from zuzhi.core.models import AuditLog
from zuzhi.members.models import Member
from zuzhi.recruitment.models import Candidate, Stage
from zuzhi.recruitment.services import candidate_advance, candidate_apply
from zuzhi.testing.factories import valid_id_number

NUMBER = valid_id_number("20000101", 222)
MASKED = NUMBER[:6] + "********" + NUMBER[-4:]


def _apply(actor, org, number=NUMBER):
    return candidate_apply(
        actor=actor,
        organization=org,
        applied_on=datetime.date(2022, 3, 1),
        data={"name": "赵小青", "id_number": number, "ethnicity": "01", "phone": "13912345678"},
    )


def test_stored_as_ciphertext_and_audited_as_masks(county, town_a_user):
    candidate = _apply(town_a_user, county.village_a1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, id_number_masked FROM recruitment_candidate")
        number, phone, masked = cursor.fetchone()
    assert crypto.is_sealed(number) and crypto.is_sealed(phone) and masked == MASKED
    after = AuditLog.objects.get(target_type="recruitment.candidate").after
    assert after["id_number"] == MASKED and after["phone"] == "139****5678"
    assert NUMBER not in str(after)
    assert Candidate.objects.get(pk=candidate.pk).id_number == NUMBER


def test_masked_pages_and_the_api_list_decrypt_nothing(county, town_a_user, client_as, api_as):
    candidate = _apply(town_a_user, county.village_a1)
    count = crypto.decryptions()
    client = client_as(town_a_user)
    assert "赵小青" in client.get(reverse("recruitment:list")).content.decode()
    detail = client.get(reverse("recruitment:detail", args=[candidate.pk])).content.decode()
    assert MASKED in detail and NUMBER not in detail
    assert [c["id_number"] for c in api_as(town_a_user).get("/api/recruitment").json()] == [MASKED]
    assert crypto.decryptions() == count


def test_the_full_number_finds_the_candidate_and_one_per_person_is_refused_in_chinese(
    county, town_a_user
):
    candidate = _apply(town_a_user, county.village_a1)
    assert Candidate.objects.get(id_number=NUMBER.lower()) == candidate
    with pytest.raises(ValidationError, match="此人已在发展党员程序中。"):
        _apply(town_a_user, county.village_a2)
    twin = Candidate(
        organization=county.village_a2,
        name="重复",
        id_number=NUMBER,
        ethnicity="01",
        applied_on=datetime.date(2022, 3, 1),
    )
    with pytest.raises(ValidationError, match="此人已在发展党员程序中。"):
        twin.validate_unique()
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    # A withdrawn application makes way for a new one (deleted by its number).
    Candidate.objects.filter(pk=candidate.pk).update(stage=Stage.WITHDRAWN)
    again = _apply(town_a_user, county.village_a2)
    assert list(Candidate.objects.values_list("pk", flat=True)) == [again.pk]


def test_the_member_made_on_admission_has_the_candidates_number(county, town_a_user):
    candidate = _apply(town_a_user, county.village_a1)
    for on in ("2022-03-01", "2023-03-01", "2023-03-01"):
        candidate = candidate_advance(
            actor=town_a_user, candidate=candidate, on=datetime.date.fromisoformat(on)
        )
    member = Member.objects.get(id_number=NUMBER)
    assert candidate.member_id == member.pk and member.phone == "13912345678"
    assert member.id_number_index == Candidate.objects.get().id_number_index
