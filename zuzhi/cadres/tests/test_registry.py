"""The cadre registry (#13 part 1 and 8): who writes, who reads, one record per person."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from zuzhi.cadres import selectors, services
from zuzhi.cadres.models import Cadre
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.roles import Role
from zuzhi.testing.factories import make_cadre, make_member, user_with_role, valid_id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(county):
    return user_with_role(Role.CADRE_STAFF, county.county, username="cadre_officer")


def test_a_cadre_who_is_a_member_is_linked_not_typed_twice(county, officer):
    member = make_member(county.village_a1, id_number=valid_id_number(sequence=11))
    cadre = services.cadre_create(
        actor=officer,
        organization=county.town_a,
        data={
            "name": "李建国",
            "id_number": valid_id_number(sequence=11).lower(),
            "ethnicity": "01",
        },
    )
    assert cadre.member == member
    assert cadre.birth_date.isoformat() == "1980-01-01" and cadre.gender == "1"
    with pytest.raises(ValidationError) as exc:
        services.cadre_create(
            actor=officer,
            organization=county.town_b,
            data={"name": "李建国", "id_number": valid_id_number(sequence=11), "ethnicity": "01"},
        )
    assert "一人只能有一份" in str(exc.value)
    assert (
        AuditLog.objects.filter(action=AuditAction.CREATE, target_type="cadres.cadre").count() == 1
    )


def test_year_month_fields_are_typed_as_the_form_writes_them(county, officer):
    cadre = make_cadre(county.town_a)
    services.cadre_update(
        actor=officer, cadre=cadre, data={"party_joined": "2001年6月", "work_started": "1999.7"}
    )
    cadre.refresh_from_db()
    assert (cadre.party_joined, cadre.work_started) == ("200106", "199907")
    with pytest.raises(ValidationError) as exc:
        services.cadre_update(actor=officer, cadre=cadre, data={"work_started": "1999.13"})
    assert "不是有效的年月" in str(exc.value.message_dict["work_started"])


@pytest.mark.parametrize("role", [Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF])
def test_other_sections_neither_see_nor_write_cadres(county, role):
    cadre = make_cadre(county.town_a)
    other = user_with_role(role, county.county if role == Role.COUNTY_STAFF else county.town_a)
    assert not Cadre.objects.visible_to(other).exists()
    with pytest.raises(Http404):
        selectors.cadre_get(user=other, pk=cadre.pk)
    with pytest.raises(Http404):
        services.cadre_update(actor=other, cadre=cadre, data={"name": "改名"})
    assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == 2
    cadre.refresh_from_db()
    assert cadre.name == "李明"


def test_the_cadre_section_sees_its_subtree_only(county):
    mine = make_cadre(county.town_a)
    theirs = make_cadre(county.town_b, id_number=valid_id_number(sequence=501))
    township_section = user_with_role(Role.CADRE_STAFF, county.town_a)
    assert list(Cadre.objects.visible_to(township_section)) == [mine]
    with pytest.raises(Http404):
        services.cadre_update(actor=township_section, cadre=theirs, data={"name": "改名"})


def test_a_cadre_reads_their_own_record_masked_and_audited(client, county):
    cadre = make_cadre(county.town_a, phone="13812345678")
    other = make_cadre(county.town_a, id_number=valid_id_number(sequence=502))
    own = user_with_role(Role.BRANCH_SECRETARY, county.village_a1, username="cadre1")
    cadre.user = own
    cadre.save()
    client.force_login(own)
    page = client.get(reverse("cadres:detail", args=[cadre.pk]))
    assert page.status_code == 200
    assert cadre.id_number not in page.content.decode()
    assert AuditLog.objects.filter(
        action=AuditAction.VIEW_PERSONAL, target_id=str(cadre.pk)
    ).exists()
    assert client.get(reverse("cadres:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("cadres:edit", args=[cadre.pk])).status_code == 404
    assert client.get(reverse("cadres:list")).url == reverse("cadres:detail", args=[cadre.pk])


def test_the_officer_reads_a_full_record_unmasked_and_the_read_is_audited(client, county, officer):
    cadre = make_cadre(county.town_a)
    client.force_login(officer)
    page = client.get(reverse("cadres:detail", args=[cadre.pk])).content.decode()
    assert cadre.id_number in page
    row = AuditLog.objects.get(action=AuditAction.VIEW_PERSONAL)
    assert row.actor == officer and row.target_id == str(cadre.pk)


def test_editing_the_career_rewrites_the_resume(county, officer):
    cadre = make_cadre(county.town_a, resume="1996.09--2000.07  河南大学法学专业学习")
    services.career_replace(
        actor=officer,
        cadre=cadre,
        rows=[
            {"start": "1996.09", "end": "2000.07", "unit": "河南大学", "post": "法学专业学习"},
            {"start": "2000.07", "end": "", "unit": "城关镇", "post": "科员", "note": "其间：挂职"},
        ],
    )
    cadre.refresh_from_db()
    assert cadre.resume_from_career
    lines = cadre.resume.splitlines()
    assert lines[0].startswith("1996.09--2000.07") and "河南大学法学专业学习" in lines[0]
    assert lines[1].startswith("2000.07--") and lines[2].startswith("\u3000") and "挂职" in lines[2]
    with pytest.raises(ValidationError) as exc:
        services.career_replace(
            actor=officer, cadre=cadre, rows=[{"start": "2001.01", "end": "2000.01"}]
        )
    assert "截止年月早于起始年月" in str(exc.value)


def test_the_list_finds_by_initials_and_full_id_number(county, officer):
    make_cadre(county.town_a, name="曾国华", id_number=valid_id_number(sequence=77))
    make_cadre(county.town_a, name="李明", id_number=valid_id_number(sequence=78))
    assert [c.name for c in selectors.cadre_list(user=officer, q="zgh")] == ["曾国华"]
    number = valid_id_number(sequence=78)
    assert [c.name for c in selectors.cadre_list(user=officer, q=number)] == ["李明"]


def test_a_photo_that_is_not_an_image_is_refused_on_the_form(client, county, officer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    cadre = make_cadre(county.town_a)
    client.force_login(officer)
    page = client.post(
        reverse("cadres:edit", args=[cadre.pk]),
        {
            "name": cadre.name,
            "id_number": cadre.id_number,
            "ethnicity": "01",
            "photo_file": SimpleUploadedFile("照片.jpg", b"not a picture"),
        },
    )
    assert "不是可以识别的照片" in page.content.decode()
    cadre.refresh_from_db()
    assert not cadre.photo


def test_a_photo_uploaded_on_the_form_is_kept_and_served_to_who_sees_the_record(
    client, county, officer
):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (30, 40), (200, 10, 10)).save(buffer, format="PNG")
    cadre = make_cadre(county.town_a)
    client.force_login(officer)
    client.post(
        reverse("cadres:edit", args=[cadre.pk]),
        {
            "name": cadre.name,
            "id_number": cadre.id_number,
            "ethnicity": "01",
            "photo_file": SimpleUploadedFile("照片.png", buffer.getvalue()),
        },
    )
    served = client.get(reverse("cadres:photo", args=[cadre.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served.content == buffer.getvalue()
    assert AuditLog.objects.filter(action=AuditAction.UPDATE, message="更换了照片").exists()
    client.force_login(user_with_role(Role.TOWNSHIP_STAFF, county.town_a))
    assert client.get(reverse("cadres:photo", args=[cadre.pk])).status_code == 404


def test_cadre_changes_in_the_audit_log_are_for_the_audit_administrator_only(
    client, county, officer
):
    from zuzhi.core.selectors import audit_list

    cadre = make_cadre(county.town_a)
    services.cadre_update(
        actor=officer, cadre=cadre, data={"rewards_and_punishments": "2019年受党内警告处分"}
    )
    clerk = user_with_role(Role.COUNTY_STAFF, county.county)
    assert not audit_list(user=clerk).filter(target_type__startswith="cadres.").exists()
    client.force_login(clerk)
    assert "党内警告" not in client.get(reverse("audit:list")).content.decode()
    auditor = user_with_role(Role.AUDIT_ADMIN, county.county)
    assert audit_list(user=auditor).filter(target_type="cadres.cadre", action="update").exists()
