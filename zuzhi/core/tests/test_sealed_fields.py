"""Encrypted model fields (core.fields), on the member registry: what the column holds, the
lookups allowed and refused, every write path keeping the blind index and masked copy, and a
masked page that decrypts nothing."""

import pytest
from django.core import checks
from django.core.exceptions import FieldError
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from zuzhi.core import crypto
from zuzhi.core.fields import Sealed, check_sealed_models
from zuzhi.core.personal import personal_view
from zuzhi.members.models import Member
from zuzhi.testing.factories import make_member, valid_id_number

NUMBER = valid_id_number("19800101", 321)


@pytest.fixture
def member(county):
    return make_member(county.village_a1, id_number=NUMBER, phone="13912345678")


def stored(member, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM members_member WHERE id = %s", [member.pk])
        return cursor.fetchone()[0]


def test_the_columns_hold_ciphertext_index_and_mask(member):
    assert stored(member, "id_number").startswith("aesgcm1:test:")
    assert NUMBER not in stored(member, "id_number") and "13912345678" not in stored(
        member, "phone"
    )
    assert stored(member, "id_number_index") == crypto.blind_index("id_number", NUMBER)
    assert stored(member, "id_number_masked") == NUMBER[:6] + "********" + NUMBER[-4:]
    assert stored(member, "phone_masked") == "139****5678"


def test_loading_decrypts_only_what_is_read(member):
    before = crypto.decryptions()
    loaded = Member.objects.get(pk=member.pk)
    assert loaded.id_number_masked.endswith(NUMBER[-4:]) and crypto.decryptions() == before
    assert loaded.id_number == NUMBER and loaded.phone == "13912345678"
    assert crypto.decryptions() == before + 2
    assert loaded.id_number == NUMBER and crypto.decryptions() == before + 2


def test_exact_and_in_search_through_the_blind_index(member):
    assert Member.objects.get(id_number=NUMBER).pk == member.pk
    assert Member.objects.filter(id_number=f" {NUMBER} ").exists()
    assert Member.objects.filter(id_number__in=[NUMBER, "x"]).count() == 1
    assert Member.objects.filter(phone="+86 139 1234 5678").exists()
    assert not Member.objects.filter(id_number=valid_id_number("19800101", 322)).exists()
    assert Member.objects.exclude(id_number=NUMBER).count() == 0
    assert Member.objects.filter(id_number__in=[]).count() == 0
    assert Member.objects.filter(phone__isnull=False).count() == 1


@pytest.mark.parametrize(
    "lookup",
    [
        {"id_number__startswith": "4101"},
        {"id_number__contains": "1990"},
        {"phone__endswith": "5678"},
        {"id_number__iexact": NUMBER},
        {"id_number__gt": "4"},
        {"id_number__lower": NUMBER},
    ],
)
def test_any_other_lookup_is_refused_loudly(member, lookup):
    with pytest.raises(FieldError, match="加密字段"):
        list(Member.objects.filter(**lookup))


def test_a_lookup_against_an_expression_is_refused(member):
    from django.db.models import F

    with pytest.raises(FieldError):
        list(Member.objects.filter(id_number=F("name")))
    with pytest.raises(FieldError):
        list(Member.objects.filter(id_number__in=Member.objects.values("name")))


def test_values_and_values_list_decrypt_what_they_name(member):
    assert Member.objects.values_list("id_number", flat=True).get() == NUMBER
    assert Member.objects.values_list("pk", "phone").get() == (member.pk, "13912345678")
    assert Member.objects.values_list("phone", named=True).get().phone == "13912345678"
    assert Member.objects.values("id_number").get() == {"id_number": NUMBER}


def test_through_a_relation_values_are_sealed_and_show_nothing_unless_revealed(member):
    from zuzhi.members.models import MemberCase

    MemberCase.objects.create(
        member=member, kind="lost_contact", opened_on="2024-01-01", situation="x", handler="y"
    )
    value = MemberCase.objects.values_list("member__id_number", flat=True).get()
    assert isinstance(value, Sealed) and value.reveal() == NUMBER
    with pytest.raises(TypeError):
        str(value)
    with pytest.raises(TypeError):
        {value}  # noqa: B018 - unhashable, so never grouped by ciphertext


def test_a_subquery_matches_encrypted_columns_by_their_blind_index(member):
    from django.db.models import Exists, OuterRef

    twin = Member.objects.filter(id_number=OuterRef("id_number")).exclude(pk=OuterRef("pk"))
    assert not Member.objects.filter(Exists(twin)).exists()
    same = Member.objects.filter(id_number=OuterRef("id_number"))
    assert Member.objects.filter(Exists(same)).get().pk == member.pk
    with pytest.raises(FieldError, match="同类"):
        list(Member.objects.filter(Exists(Member.objects.filter(phone=OuterRef("id_number")))))


def test_save_with_update_fields_writes_the_companions(member):
    member = Member.objects.get(pk=member.pk)
    member.phone = "13700001111"
    member.save(update_fields=["phone"])
    assert stored(member, "phone_masked") == "137****1111"
    assert stored(member, "phone_index") == crypto.blind_index("phone", "13700001111")


def test_an_unchanged_row_keeps_its_ciphertext_on_save(member):
    before = stored(member, "id_number")
    loaded = Member.objects.get(pk=member.pk)
    count = crypto.decryptions()
    loaded.name = "王二"
    loaded.save()
    assert stored(member, "id_number") == before and crypto.decryptions() == count


def test_queryset_update_and_bulk_update_write_the_companions(member, county):
    Member.objects.filter(pk=member.pk).update(phone="13600002222")
    assert stored(member, "phone_masked") == "136****2222"
    assert Member.objects.get(pk=member.pk).phone == "13600002222"
    other = make_member(county.village_a1, id_number=valid_id_number("19800101", 5))
    objs = list(Member.objects.filter(pk__in=[member.pk, other.pk]).order_by("pk"))
    objs[0].phone, objs[1].phone = "13500003333", ""
    Member.objects.bulk_update(objs, ["phone"])
    assert stored(member, "phone_index") == crypto.blind_index("phone", "13500003333")
    assert (stored(other, "phone"), stored(other, "phone_masked")) == ("", "")
    assert Member.objects.filter(phone="13500003333").get().pk == member.pk
    with pytest.raises(FieldError):
        Member.objects.filter(pk=member.pk).update(phone=Member.objects.values("name")[:1])


def test_bulk_create_writes_the_companions(member, county):
    data = {f: getattr(member, f) for f in ("gender", "ethnicity", "birth_date", "join_date")}
    created = Member.objects.bulk_create(
        [
            Member(
                name="赵六",
                organization=county.village_a2,
                status="full",
                id_number=valid_id_number("19800101", 9),
                phone="13811112222",
                **data,
            )
        ]
    )
    assert stored(created[0], "phone_masked") == "138****2222"
    assert Member.objects.get(id_number=valid_id_number("19800101", 9)).phone == "13811112222"


def test_a_ciphertext_copied_into_another_row_column_fails(member):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE members_member SET phone = id_number WHERE id = %s", [member.pk])
    with pytest.raises(crypto.DecryptionError):
        Member.objects.get(pk=member.pk).phone  # noqa: B018


def test_a_masked_list_page_and_a_masked_export_decrypt_nothing(
    member, county, client_as, town_a_user, county_user
):
    """Done-when of issue 19: decryption never reaches a masked view."""
    make_member(county.village_a2, id_number=valid_id_number("19800101", 7))
    count = crypto.decryptions()
    response = client_as(county_user).get(reverse("members:list"))
    assert response.status_code == 200 and "139****5678" in response.content.decode()
    masked = client_as(town_a_user).get(reverse("members:list"), {"export": "xlsx"})
    assert masked.status_code == 200
    detail = client_as(town_a_user).get(reverse("members:detail", args=[member.pk]))
    assert NUMBER[:6] + "********" + NUMBER[-4:] in detail.content.decode()
    assert crypto.decryptions() == count
    personal_view(user=county_user, objects=list(Member.objects.all()), where="/x/")
    assert crypto.decryptions() == count + 4


def test_the_system_check_needs_a_key_once_fields_are_encrypted():
    assert check_sealed_models() == []
    with override_settings(ZUZHI_DATA_KEY="", ZUZHI_DATA_KEY_FILE=""):
        errors = check_sealed_models()
    assert [e.id for e in errors] == ["zuzhi.E100"] and "未配置数据加密密钥" in errors[0].msg
    assert all(e.level == checks.ERROR for e in errors)


def test_a_model_without_companions_fails_its_check():
    field = Member._meta.get_field("phone")
    original = field.index_field
    field.index_field = "name"
    try:
        assert [e.id for e in field.check()] == ["zuzhi.E102"]
    finally:
        field.index_field = original
