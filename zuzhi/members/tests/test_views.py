import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.members import urls as member_urls
from zuzhi.members.models import Member
from zuzhi.testing.factories import make_member, valid_id_number


@pytest.fixture
def member(county):
    return make_member(county.village_a1, name="王小明")


@pytest.mark.parametrize(
    "name",
    [
        p.name
        for p in member_urls.urlpatterns
        if "pk" in p.pattern.converters and p.name not in ("transfer_decide", "transfer_letter")
    ],
)
def test_other_township_gets_404_on_every_member_page(county, client_as, town_b_user, member, name):
    client = client_as(town_b_user)
    url = reverse(f"members:{name}", args=[member.pk])
    assert client.get(url).status_code == 404
    assert (
        client.post(
            url,
            {"name": "越权", "to_org_code": "VB1", "transfer_date": "2026-11-01", "reason": "x"},
        ).status_code
        == 404
    )
    member.refresh_from_db()
    assert member.name == "王小明" and member.organization == county.village_a1


def test_list_search_and_export_stay_in_scope_and_masked(
    county, client_as, town_a_user, town_b_user, member
):
    b = client_as(town_b_user)
    for q in ("王小明", "wxm", member.id_number):
        body = b.get(reverse("members:list"), {"q": q}).content.decode()
        assert (
            "没有符合条件的党员" in body and reverse("members:detail", args=[member.pk]) not in body
        )
    rows = (
        CalamineWorkbook.from_filelike(
            io.BytesIO(b.get(reverse("members:list"), {"export": "xlsx"}).content)
        )
        .get_sheet_by_index(0)
        .to_python()
    )
    assert len(rows) == 1  # headers only
    a = client_as(town_a_user)
    body = a.get(reverse("members:list"), {"q": member.id_number}).content.decode()
    assert "王小明" in body and f">{member.id_number}<" not in body and "411330********" in body
    rows = (
        CalamineWorkbook.from_filelike(
            io.BytesIO(a.get(reverse("members:list"), {"export": "xlsx"}).content)
        )
        .get_sheet_by_index(0)
        .to_python()
    )
    assert (
        rows[1][0] == "王小明"
        and rows[1][1] == member.id_number[:6] + "********" + member.id_number[-4:]
    )


def test_full_id_only_for_allowed_roles_and_logged(
    county, client_as, town_a_user, county_user, member
):
    url = reverse("members:detail", args=[member.pk])
    assert (
        member.id_number not in client_as(town_a_user).get(url, {"show": "full"}).content.decode()
    )
    assert member.id_number in client_as(county_user).get(url, {"show": "full"}).content.decode()
    assert AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL, actor=county_user).count() == 1


def test_create_form_shows_rule_errors(county, client_as, town_a_user):
    data = {
        "organization": county.village_a1.pk,
        "name": "李四",
        "id_number": valid_id_number()[:-1] + "0",
        "ethnicity": "01",
        "join_date": "2005-07-01",
        "status": "full",
        "category": "farmer",
    }
    body = client_as(town_a_user).post(reverse("members:create"), data).content.decode()
    assert "校验位" in body and not Member.objects.exists()
    data["id_number"] = valid_id_number()
    data["organization"] = county.village_b1.pk
    body = client_as(town_a_user).post(reverse("members:create"), data).content.decode()
    assert "请从列表中选择党组织" in body and not Member.objects.exists()
    assert "张湾村" not in body  # the other township's branch is not even named
    data["organization"] = county.village_a1.pk
    assert client_as(town_a_user).post(reverse("members:create"), data).status_code == 302
    assert Member.objects.get().gender == "1"


def test_transfer_pages_across_townships(county, client_as, town_a_user, town_b_user, member):
    a, b = client_as(town_a_user), None
    response = a.post(
        reverse("members:transfer_confirm", args=[member.pk]),
        {"to_org_code": county.village_b1.pk, "transfer_date": "2026-11-01", "reason": "迁居"},
    )
    assert response.status_code == 302
    b = client_as(town_b_user)
    page = b.get(reverse("members:transfers")).content.decode()
    assert "王小明" in page
    transfer = member.transfers.get()
    assert (
        client_as(town_a_user)
        .post(reverse("members:transfer_decide", args=[transfer.pk, "accept"]))
        .status_code
        == 404
    )
    member.refresh_from_db()
    assert member.organization == county.village_a1  # the sender cannot accept for the receiver
    client_as(town_b_user).post(reverse("members:transfer_decide", args=[transfer.pk, "accept"]))
    member.refresh_from_db()
    assert member.organization == county.village_b1


def test_an_id_from_an_abolished_division_is_accepted_with_a_notice(county, client_as, town_a_user):
    data = {
        "organization": county.village_a1.pk,
        "name": "李四",
        "id_number": valid_id_number("19800101", 123, division="440524"),
        "ethnicity": "01",
        "join_date": "2005-07-01",
        "status": "full",
        "category": "farmer",
    }
    response = client_as(town_a_user).post(reverse("members:create"), data, follow=True)
    body = response.content.decode()
    assert Member.objects.filter(name="李四").exists()
    assert "不在现行行政区划代码表中" in body and "msg-warning" in body
    data["id_number"] = valid_id_number("19800101", 125)  # 411330: a division of the table
    data["name"] = "王五"
    body = client_as(town_a_user).post(reverse("members:create"), data, follow=True).content
    assert "不在现行行政区划代码表中" not in body.decode()
