"""The household pages: what a clerk, the county and a member see and do."""

import io

import openpyxl
from django.test import override_settings

from zuzhi.core.models import AuditLog
from zuzhi.core.scope import SYSTEM
from zuzhi.households.models import Household
from zuzhi.households.services import household_link
from zuzhi.members.models import Member

from .conftest import household, unit_member


def test_the_list_is_masked_paged_and_bounded(world, client_as, django_assert_max_num_queries):
    member = unit_member(world.unit, 1)
    for n in range(60):
        h = household(world.county.village_a1, f"{n:02d}号")
        if n < 5:
            household_link(actor=SYSTEM, household=h, member=member)
    client = client_as(world.town_a)
    client.get("/households/")  # warm the session and the caches
    # 13: the rule looks up the user's own member record once (its part is then `member_id =`).
    with django_assert_max_num_queries(13):
        response = client.get("/households/", {"state": "linked"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("139****5678") == 5 and "13912345678" not in body
    response = client.get("/households/", {"q": "01"})
    assert "01号" in response.content.decode()


def test_the_export_follows_the_filters_masked_and_audited(world, client_as):
    household(world.county.village_a1, "1号")
    household(world.county.village_a2, "2号")
    response = client_as(world.town_a).get(
        "/households/export/", {"community": world.county.village_a1.pk}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][2] == "1号" and rows[1][5] == "139****5678"
    assert AuditLog.objects.filter(action="export", target_type="households.household").exists()


def test_a_clerk_registers_a_household_and_sees_errors_in_chinese(world, client_as):
    client = client_as(world.town_a)
    data = {"community": world.county.village_a1.pk, "address": "1号", "head_name": "王五"}
    response = client.post("/households/new/", {**data, "phone": "12"})
    assert "手机号码" in response.content.decode()
    response = client.post("/households/new/", data)
    assert response.status_code == 302
    assert Household.objects.get().head_name == "王五"


def test_an_edit_keeps_a_masked_phone(world, client_as):
    h = household(world.county.village_a1)
    client = client_as(world.town_a)
    form = client.get(f"/households/{h.pk}/edit/").content.decode()
    assert "139****5678" in form and "13912345678" not in form
    client.post(
        f"/households/{h.pk}/edit/",
        {
            "community": h.community_id,
            "address": h.address,
            "head_name": "李四",
            "phone": "139****5678",
        },
    )
    h.refresh_from_db()
    assert (h.head_name, h.phone) == ("李四", "13912345678")


def test_a_member_sees_their_households_on_the_phone_and_no_other(world, client_as):
    mine, other = unit_member(world.unit, 1, with_user=True), unit_member(world.unit, 2)
    h1, h2 = household(world.county.village_a1, "1号"), household(world.county.village_a1, "2号")
    household_link(actor=SYSTEM, household=h1, member=mine)
    household_link(actor=SYSTEM, household=h2, member=other)
    client = client_as(mine.user)
    body = client.get("/households/mine/").content.decode()
    assert "1号" in body and "2号" not in body
    assert client.get(f"/households/{h1.pk}/").status_code == 200
    assert client.get(f"/households/{h1.pk}/edit/").status_code == 404  # the community's record
    before = AuditLog.objects.filter(action="permission_denied").count()
    assert client.get(f"/households/{h2.pk}/").status_code == 404
    assert AuditLog.objects.filter(action="permission_denied").count() == before + 1


@override_settings(ZUZHI_HOUSEHOLD_LINK_CAP=2)
def test_bulk_assignment_page_then_a_manual_change(world, client_as):
    for n in range(5):
        household(world.county.village_a1, f"{n}号")
    members = [unit_member(world.unit, n) for n in range(2)]
    client = client_as(world.county_staff)
    response = client.post(
        "/households/assign/", {"community": world.county.village_a1.pk, "unit": world.unit.pk}
    )
    assert response.status_code == 302
    message = client.get(response.url).content.decode()
    assert "已分配 4 户" in message and "1 户未分配" in message
    left = Household.objects.get(member__isnull=True)
    spare = unit_member(world.unit2, 9)
    client.post(f"/households/{left.pk}/link/", {"member": spare.pk})
    left.refresh_from_db()
    assert left.member == spare
    full = members[0]
    response = client.post(f"/households/{left.pk}/link/", {"member": full.pk}, follow=True)
    assert "最多联系 2 户" in response.content.decode()


def test_relink_and_coverage_pages(world, client_as):
    leaver = unit_member(world.unit, 1)
    h = household(world.county.village_a1, "搬走户")
    household_link(actor=SYSTEM, household=h, member=leaver)
    Member.objects.filter(pk=leaver.pk).update(organization=world.county.village_a2)
    client = client_as(world.county_staff)
    assert "搬走户" in client.get("/households/relink/").content.decode()
    body = client.get("/households/coverage/").content.decode()
    assert world.county.village_a1.name in body and "0%" in body


def test_a_members_home_and_own_list_show_their_households_phones_in_full(world, client_as):
    mine = unit_member(world.unit, 1, with_user=True)
    household_link(actor=SYSTEM, household=household(world.county.village_a1, "1号"), member=mine)
    client = client_as(mine.user)
    home = client.get("/").content.decode()
    assert "我联系的住户" in home and "还没有可查看的业务数据" not in home
    before = AuditLog.objects.count()
    assert "13912345678" in client.get("/households/mine/").content.decode()
    assert AuditLog.objects.count() > before  # the unmasked view is audited


def test_the_community_filter_is_a_search_for_a_large_scope(world, client_as, monkeypatch):
    """Beyond a select's size (a province's communities; here beyond one) the filter is the
    picker, holding the community filtered by and listing none."""
    monkeypatch.setattr("zuzhi.orgs.picker.SELECT_LIMIT", 1)
    a1 = world.county.village_a1
    household(a1, "1号")
    household(world.county.village_a2, "2号")
    body = client_as(world.town_a).get("/households/", {"community": a1.pk}).content.decode()
    assert "1号" in body and "2号" not in body and "王庄村党支部" not in body
    assert f'name="community" id="id_community" value="{a1.pk}"' in body
    assert 'name="community_q"' in body and f"community={a1.pk}" in body
