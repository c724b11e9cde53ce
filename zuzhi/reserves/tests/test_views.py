import io

import openpyxl
from django.urls import reverse

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.reserves.models import ReserveCandidate
from zuzhi.testing.factories import make_member, valid_id_number


def _sheet(response):
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [[c.value for c in row] for row in book.active.iter_rows()]


def test_list_masks_and_filters(county, town_a_user, client_as, make_reserve):
    c = make_reserve(county.village_a1, phone="13912345678")
    page = client_as(town_a_user).get(reverse("reserves:list"), {"q": "cx"})
    text = page.content.decode()
    assert page.status_code == 200 and "陈晓" in text
    assert c.id_number not in text and "13912345678" not in text


def test_other_township_candidate_is_logged_404(
    county, town_a_user, town_b_user, client_as, make_reserve
):
    b = make_reserve(county.village_b1, actor=town_b_user)
    response = client_as(town_a_user).get(reverse("reserves:edit", args=[b.pk]))
    assert response.status_code == 404
    assert AuditLog.objects.filter(
        action=AuditAction.PERMISSION_DENIED, target_id=str(b.pk)
    ).exists()


def test_branch_secretary_gets_no_page(county, branch_a1_user, client_as):
    assert client_as(branch_a1_user).get(reverse("reserves:list")).status_code == 404


def test_export_masks_id_numbers_for_township_not_county(
    county, town_a_user, county_user, client, make_reserve
):
    c = make_reserve(county.village_a1, phone="13912345678")
    client.force_login(town_a_user)
    rows = _sheet(client.get(reverse("reserves:export")))
    assert (
        rows[1][1] == "陈晓" and rows[1][4] != c.id_number and rows[1][4].endswith(c.id_number[-4:])
    )
    assert rows[1][3] > 0
    client.force_login(county_user)
    rows = _sheet(client.get(reverse("reserves:export")))
    assert rows[1][4] == c.id_number
    assert AuditLog.objects.filter(action=AuditAction.EXPORT).count() == 2


def test_create_form_links_member_without_retyping(county, town_a_user, client_as):
    number = valid_id_number(birth="19780520", sequence=55)
    member = make_member(county.village_a1, name="王秀梅", id_number=number)
    form = client_as(town_a_user).get(reverse("reserves:create")).content.decode()
    assert 'id="registry-hint"' in form and reverse("reserves:registry_lookup") in form
    response = client_as(town_a_user).post(
        reverse("reserves:create"),
        {
            "village": county.village_a1.pk,
            "id_number": number,
            "source": "excellent_member",
            "discovery": "public",
            "willing": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    c = ReserveCandidate.objects.get()
    assert c.member == member and c.name == "王秀梅"


def test_edit_keeps_masked_id_number(county, town_a_user, client_as, make_reserve):
    c = make_reserve(county.village_a1)
    client = client_as(town_a_user)
    form = client.get(reverse("reserves:edit", args=[c.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(village=county.village_a1.pk, willingness_note="已谈话", willing="on")
    data.pop("returning_talent", None)
    response = client.post(reverse("reserves:edit", args=[c.pk]), data)
    assert response.status_code == 302, response.content.decode()
    c.refresh_from_db()
    assert c.willingness_note == "已谈话" and c.id_number == valid_id_number(
        birth="19920315", sequence=301
    )


def test_talent_pages(county, town_a_user, client_as):
    client = client_as(town_a_user)
    response = client.post(
        reverse("reserves:talent_create"),
        {"home_village": county.village_a1.pk, "name": "周雁", "whereabouts": "深圳"},
    )
    assert response.status_code == 302
    assert "周雁" in client.get(reverse("reserves:talents")).content.decode()
    assert client.get(reverse("reserves:talents_export")).status_code == 200


def test_menu_and_filters_for_county_staff(
    county, county_user, branch_a1_user, client_as, make_reserve
):
    make_reserve(county.village_a1, source="veteran")
    page = client_as(county_user).get(
        reverse("reserves:list"),
        {"township": county.town_a.pk, "village": county.village_a1.pk, "source": "veteran"},
    )
    text = page.content.decode()
    assert page.status_code == 200 and "陈晓" in text and "共 1 人" in text
    assert reverse("reserves:list") in text  # the menu link
    home = client_as(branch_a1_user).get("/").content.decode()
    assert reverse("reserves:list") not in home


def test_registry_hint_names_the_member_as_the_number_is_typed(
    county, town_a_user, branch_a1_user, client_as
):
    number = valid_id_number(birth="19780520", sequence=56)
    make_member(county.village_a1, name="王秀梅", id_number=number, phone="13800001111")
    url = reverse("reserves:registry_lookup")
    hint = client_as(town_a_user).get(url, {"id_number": number}).content.decode()
    assert "党员信息库中有此人：王秀梅" in hint and "13800001111" not in hint
    unknown = client_as(town_a_user).get(url, {"id_number": valid_id_number(sequence=57)})
    assert "没有此人" in unknown.content.decode()
    wrong = client_as(town_a_user).get(url, {"id_number": "123"}).content.decode()
    assert "18 位" in wrong
    assert client_as(branch_a1_user).get(url, {"id_number": number}).status_code == 404


def _large_scope(monkeypatch):
    """A scope beyond a select's size (a province's 120,000 villages): here beyond one."""
    monkeypatch.setattr("zuzhi.orgs.picker.SELECT_LIMIT", 1)


def test_village_filter_is_a_search_for_a_large_scope(
    county, county_user, client_as, make_reserve, monkeypatch
):
    _large_scope(monkeypatch)
    a1, a2 = county.village_a1, county.village_a2
    make_reserve(a1)
    make_reserve(a2, name="刘洋", id_number=valid_id_number(birth="19930101", sequence=302))
    page = client_as(county_user).get(reverse("reserves:list"), {"village": a1.pk})
    text = page.content.decode()
    assert page.status_code == 200 and "陈晓" in text and "刘洋" not in text
    # No village is listed: the picker holds the chosen one, the search finds the others.
    assert "王庄村党支部" not in text and "张湾村党支部" not in text
    assert text.count("<option") == 2 + len(page.context["sources"]) + len(page.context["statuses"])
    assert f'name="village" id="id_village" value="{a1.pk}"' in text
    assert "mode=staff" in text and "unit=village" in text
    # Export and the status links keep the filter.
    assert f"{reverse('reserves:export')}?village={a1.pk}" in text
    assert f"?village={a1.pk}&amp;status=" in text


def test_village_filter_is_a_select_for_a_county(county, town_a_user, client_as):
    text = client_as(town_a_user).get(reverse("reserves:list")).content.decode()
    assert f'<option value="{county.village_a2.pk}">王庄村党支部</option>' in text
    assert "张湾村党支部" not in text and 'name="village_q"' not in text


def test_village_search_stays_in_the_township(county, town_a_user, client_as):
    """The picker's endpoint as the reserve lists configure it."""
    client = client_as(town_a_user)
    params = {"name": "village", "id": "id_village", "mode": "staff", "unit": "village"}
    params["optional"] = "1"
    body = client.get(reverse("orgs:picker"), params | {"village_q": "村"}).content.decode()
    assert "李庄村党支部" in body and "王庄村党支部" in body and "张湾村党支部" not in body
    body = client.get(reverse("orgs:picker"), params | {"village_q": "zwc"}).content.decode()
    assert "张湾村党支部" not in body and "没有名称" in body
    b1 = county.village_b1
    assert client.get(reverse("orgs:picker"), params | {"pick": b1.pk}).status_code == 404
    assert AuditLog.objects.filter(
        action=AuditAction.PERMISSION_DENIED, target_id=str(b1.pk)
    ).exists()


def test_talent_list_village_filter_for_a_large_scope(county, town_a_user, client_as, monkeypatch):
    _large_scope(monkeypatch)
    client = client_as(town_a_user)
    for village, name in ((county.village_a1, "周雁"), (county.village_a2, "吴飞")):
        client.post(reverse("reserves:talent_create"), {"home_village": village.pk, "name": name})
    page = client.get(reverse("reserves:talents"), {"village": county.village_a1.pk})
    text = page.content.decode()
    assert "周雁" in text and "吴飞" not in text and "<option" not in text
    assert f"{reverse('reserves:talents_export')}?village={county.village_a1.pk}" in text


def test_a_large_scope_registers_with_the_village_picker(
    county, town_a_user, client_as, monkeypatch
):
    _large_scope(monkeypatch)
    client = client_as(town_a_user)
    form = client.get(reverse("reserves:create")).content.decode()
    assert 'name="village_q"' in form and "王庄村党支部" not in form
    data = {
        "id_number": valid_id_number(birth="19900101", sequence=303),
        "name": "赵敏",
        "source": "graduate",
        "discovery": "organization",
        "willing": "on",
    }
    # Another township's village is refused as the select refused it.
    response = client.post(reverse("reserves:create"), data | {"village": county.village_b1.pk})
    assert response.status_code == 200 and "请从列表中选择党组织" in response.content.decode()
    response = client.post(reverse("reserves:create"), data | {"village": county.village_a2.pk})
    assert response.status_code == 302
    assert ReserveCandidate.objects.get().village == county.village_a2


def test_the_staff_picker_reaches_as_far_as_the_reserve_roles():
    from zuzhi.orgs.selectors import MODE_ROLES, PickerMode
    from zuzhi.reserves.scoping import RESERVE_ROLES

    assert set(MODE_ROLES[PickerMode.STAFF]) == set(RESERVE_ROLES)
