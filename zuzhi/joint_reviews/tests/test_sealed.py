"""The names' ID numbers encrypted at rest (#19): ciphertext in the column, one name per
person and round through the blind index, the county's masked matrix, export and API
decrypting nothing, the reviewer's list revealing (audited), and the in-place migration."""

import types

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.urls import reverse

from zuzhi.core import crypto
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.sealed_rows import encrypt_in_place
from zuzhi.joint_reviews import selectors
from zuzhi.joint_reviews.models import ReviewItem

from .conftest import open_round


def column(name: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {name} FROM joint_reviews_reviewitem ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def masked(number: str) -> str:
    return number[:6] + "********" + number[-4:]


def test_the_column_holds_ciphertext_and_exact_search_finds_the_name(review_round):
    item = review_round.items.first()
    number = ReviewItem.objects.get(pk=item.pk).id_number
    assert all(v.startswith("aesgcm1:") for v in column("id_number"))
    assert number not in "".join(column("id_number"))
    assert column("id_number_masked")[0] == masked(number)
    assert list(ReviewItem.objects.filter(id_number=number.lower())) == [item]
    assert list(review_round.items.filter(id_number__in=[number])) == [item]


def test_one_name_per_person_and_round_through_the_blind_index(review_round):
    item = review_round.items.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewItem.objects.create(
            round=review_round, name="重复", id_number=item.id_number, village=item.village
        )


@override_settings(ZUZHI_UNMASKED_ROLES=[])
def test_a_masked_matrix_export_and_api_answer_decrypt_nothing(
    client_as, api_as, county, county_user, departments
):
    review_round = open_round(county, county_user, n=3)
    number = ReviewItem.objects.filter(round=review_round).first().id_number
    count = crypto.decryptions()
    page = client_as(county_user).get(reverse("joint_reviews:round", args=[review_round.pk]))
    assert masked(number) in page.content.decode() and number not in page.content.decode()
    export = client_as(county_user).get(reverse("joint_reviews:export", args=[review_round.pk]))
    assert export.status_code == 200
    answer = api_as(county_user).get(f"/api/reserve-reviews/rounds/{review_round.pk}").json()
    assert masked(number) in [i["id_number"] for i in answer["items"]]
    assert crypto.decryptions() == count
    assert not AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL).exists()


def test_the_reviewers_rows_carry_the_masked_copy_and_their_page_reveals_audited(
    client_as, review_round, departments, reviewers, django_assert_num_queries
):
    reviewer = reviewers["纪委监委"]
    rows = list(selectors.reviewer_pending(user=reviewer, department=departments[0]))
    count = crypto.decryptions()
    with django_assert_num_queries(0):
        shown = [r.id_number_masked for r in rows]
    assert all("********" in m for m in shown) and crypto.decryptions() == count
    page = client_as(reviewer).get(reverse("joint_reviews:review")).content.decode()
    assert all(r.id_number in page for r in rows)
    assert AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL, actor=reviewer).exists()


def test_the_migration_encrypts_clear_numbers_in_place(review_round):
    """As before step 1: clear numbers, no companions (the one-per-round constraint of step 3
    is kept apart with a placeholder index)."""
    numbers = [i.id_number for i in ReviewItem.objects.order_by("pk")]
    with connection.cursor() as cursor:
        for pk, number in zip(
            ReviewItem.objects.order_by("pk").values_list("pk", flat=True), numbers, strict=True
        ):
            cursor.execute(
                "UPDATE joint_reviews_reviewitem SET id_number = %s, id_number_index = %s, "
                "id_number_masked = '' WHERE id = %s",
                [number, f"clear-{pk}", pk],
            )
    editor = types.SimpleNamespace(connection=connection)
    fields = {"model": "joint_reviews.ReviewItem", "fields": ["id_number"]}
    assert encrypt_in_place(apps, editor, **fields) == len(numbers)
    assert encrypt_in_place(apps, editor, **fields) == 0
    assert column("id_number_masked") == [masked(n) for n in numbers]
    assert ReviewItem.objects.get(id_number=numbers[1]).id_number == numbers[1]
