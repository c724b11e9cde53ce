"""The member list a clerk works with (#12 §4): filters that combine, sorts, the ticked members
exported or printed as a roster, and the one-tap phone reveal for the people who ring members."""

import datetime
import io
from urllib.parse import quote

import pytest
from django.test import override_settings
from django.urls import reverse
from python_calamine import CalamineWorkbook

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.roles import Role
from zuzhi.members import selectors
from zuzhi.members import views as member_views
from zuzhi.testing.factories import make_member, user_with_role, valid_id_number

TODAY = datetime.date(2026, 6, 15)
LIST = "/members/"


def member(organization, name: str, birth: str, sequence: int, **fields):
    """A member born on `birth` (yyyymmdd), who joined at 25; an odd sequence is a man."""
    year = int(birth[:4])
    fields.setdefault("join_date", datetime.date(year + 25, 7, 1))
    fields.setdefault("full_date", datetime.date(year + 26, 7, 1))
    return make_member(
        organization,
        name=name,
        id_number=valid_id_number(birth=birth, sequence=sequence),
        **fields,
    )


def names(qs) -> list[str]:
    return [m.name for m in qs]


def xlsx(response) -> list[list]:
    assert response.status_code == 200, response.content[:300]
    return (
        CalamineWorkbook.from_filelike(io.BytesIO(response.content))
        .get_sheet_by_index(0)
        .to_python()
    )


@pytest.fixture
def people(county):
    """Members of town A's two villages and of town B, of known age, sex and schooling."""
    return {
        "young": member(
            county.village_a1,
            "曹艳",
            "19900616",
            123,
            education="21",
            category="farmer",
        ),
        "forty": member(
            county.village_a1,
            "白刚",
            "19860101",
            125,
            education="31",
            category="worker",
            status="probationary",
            join_date=datetime.date(2026, 3, 1),
            full_date=None,
        ),
        "sixty": member(
            county.village_a2,
            "安国",
            "19660615",
            127,
            education="11",
            category="retired",
        ),
        "elder": member(
            county.village_a2,
            "丁兰",
            "19500101",
            128,
            education="38",
            category="retired",
        ),
        "other_town": member(county.village_b1, "邓华", "19900101", 129),
    }


# --- the selector: every filter a database condition ----------------------------------------
@pytest.mark.parametrize(
    ("band", "expected"),
    [
        # 曹艳 turns 36 tomorrow: still in the band of 35 and under today.
        ("35", ["曹艳"]),
        ("36-45", ["白刚"]),
        # 安国 turns 60 today: in 56–60 from this day on.
        ("56-60", ["安国"]),
        ("61", ["丁兰"]),
        ("46-55", []),
    ],
)
def test_age_bands_count_whole_years_on_the_day(county, town_a_user, people, band, expected):
    qs = selectors.member_list(user=town_a_user, age_band=band, today=TODAY, sort="name")
    assert names(qs) == sorted(expected)


def test_an_age_band_turns_over_on_the_birthday(county, town_a_user, people):
    def band(key, today):
        return set(names(selectors.member_list(user=town_a_user, age_band=key, today=today)))

    assert band("36-45", TODAY + datetime.timedelta(days=1)) == {"曹艳", "白刚"}
    # 安国 turns 61 on 15 June 2027.
    assert band("56-60", datetime.date(2027, 6, 14)) == {"安国"}
    assert band("61", datetime.date(2027, 6, 15)) == {"安国", "丁兰"}


def test_the_age_band_is_a_condition_on_the_birth_date_column(county, town_a_user, people):
    sql = str(selectors.member_list(user=town_a_user, age_band="36-45", today=TODAY).query)
    assert "birth_date" in sql and "1980-06-15" in sql and "1990-06-15" in sql


def test_filters_combine_within_the_subtree(county, town_a_user, people):
    def find(**filters):
        return set(names(selectors.member_list(user=town_a_user, today=TODAY, **filters)))

    assert find(within=county.village_a2) == {"安国", "丁兰"}
    assert find(within=county.town_a, category="retired", education="1") == {"安国"}
    # 研究生教育 (1) takes 研究生 (11); 专科教育 (3) takes 大专 (31) but not 初中 (38).
    assert find(education="1") == {"安国"}
    assert find(education="3") == {"白刚"}
    assert find(education="38") == {"丁兰"}
    assert find(gender="2") == {"丁兰"}
    assert find(gender="1", status="probationary") == {"白刚"}
    assert find(within=county.village_a1, age_band="61") == set()


def test_sorts_are_a_whitelist(county, town_a_user, people):
    def order(sort):
        return names(selectors.member_list(user=town_a_user, sort=sort))

    # By pinyin: 安国 an, 白刚 bg, 曹艳 cy, 丁兰 dl.
    assert order("name") == ["安国", "白刚", "曹艳", "丁兰"]
    assert order("-name") == ["丁兰", "曹艳", "白刚", "安国"]
    assert order("birth_date") == ["丁兰", "安国", "白刚", "曹艳"]
    assert order("-join_date")[0] in {"安国", "白刚", "曹艳", "丁兰"}
    assert order("org") == ["白刚", "曹艳", "安国", "丁兰"]
    assert order("organization__parent__name") == order("org")


# --- the page --------------------------------------------------------------------------------
def test_page_filters_by_every_field_and_keeps_them_in_the_export_and_pager(
    county, client_as, town_a_user, people
):
    client = client_as(town_a_user)
    params = {
        "org": county.town_a.pk,
        "age": "61",
        "gender": "2",
        "education": "38",
        "category": "retired",
        "status": "full",
        "sort": "-birth_date",
    }
    body = client.get(LIST, params).content.decode()
    assert "丁兰" in body and "安国" not in body and "曹艳" not in body
    # The export form carries each filter as a hidden field.
    for key, value in params.items():
        assert f'<input type="hidden" name="{key}" value="{value}">' in body
    rows = xlsx(client.get(LIST, {**params, "export": "xlsx"}))
    assert [r[0] for r in rows[1:]] == ["丁兰"]


def test_page_sort_links_toggle_and_a_bad_sort_is_the_default(
    county, client_as, town_a_user, people
):
    client = client_as(town_a_user)
    body = client.get(LIST, {"sort": "name", "gender": "1"}).content.decode()
    assert "gender=1&amp;sort=-name" in body and "姓名↑" in body
    assert body.index("安国") < body.index("白刚") < body.index("曹艳")
    for bad in ("name; DROP TABLE", "-id_number", "phone"):
        response = client.get(LIST, {"sort": bad})
        assert response.status_code == 200
    age = client.get(LIST, {"age": "x", "gender": "9", "education": "zz"})
    assert age.status_code == 200


def test_the_page_reads_a_fixed_number_of_queries(
    county, client_as, town_a_user, people, django_assert_max_num_queries
):
    client = client_as(town_a_user)
    client.get(LIST)
    for n in range(30):
        member(county.village_a1, f"李{n}", "19800101", 200 + n)
    with django_assert_max_num_queries(15):
        assert client.get(LIST, {"age": "36-45", "sort": "name"}).status_code == 200


def test_the_ticked_members_alone_are_exported_masked_and_audited(
    county, client_as, town_a_user, people
):
    client = client_as(town_a_user)
    chosen = [people["young"].pk, people["elder"].pk, people["other_town"].pk]
    rows = xlsx(client.get(LIST, {"export": "xlsx", "member": chosen, "sort": "name"}))
    # The member of town B is not in town A's list, ticked or not.
    assert [r[0] for r in rows[1:]] == ["曹艳", "丁兰"]
    assert rows[1][1].count("*") == 8 and rows[1][12] == "138****5678"
    export = AuditLog.objects.filter(action=AuditAction.EXPORT).latest("id")
    assert export.actor == town_a_user and export.message == "导出 2 行"
    # The filters still apply to the ticked ones.
    rows = xlsx(client.get(LIST, {"export": "xlsx", "member": chosen, "gender": "1"}))
    assert [r[0] for r in rows[1:]] == ["曹艳"]


def test_a_bad_member_id_is_not_found(county, client_as, town_a_user):
    assert client_as(town_a_user).get(LIST, {"member": "x1", "export": "xlsx"}).status_code == 404


def test_the_roster_prints_as_a_pdf_audited(county, client_as, town_a_user, people):
    client = client_as(town_a_user)
    response = client.get(LIST, {"org": county.village_a2.pk, "export": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert quote("党员花名册") in response["Content-Disposition"]
    export = AuditLog.objects.filter(action=AuditAction.EXPORT).latest("id")
    assert export.message == "导出 2 行" and export.org_path == county.village_a2.path


def test_a_roster_too_long_to_print_is_refused_with_a_way_out(
    county, client_as, town_a_user, people, monkeypatch
):
    monkeypatch.setattr(member_views, "ROSTER_MAX_ROWS", 3)
    client = client_as(town_a_user)
    response = client.get(LIST, {"export": "pdf", "gender": ""}, follow=True)
    assert "共 4 名党员，花名册一次最多打印 3 名" in response.content.decode()
    assert not AuditLog.objects.filter(action=AuditAction.EXPORT).exists()


# --- the API ---------------------------------------------------------------------------------
def test_api_list_takes_the_same_filters(county, api_as, town_a_user, people):
    api = api_as(town_a_user)
    items = api.get(
        "/api/members", {"age_band": "61", "education": "38", "org": county.town_a.pk}
    ).json()["items"]
    assert [m["name"] for m in items] == ["丁兰"]
    items = api.get("/api/members", {"sort": "name"}).json()["items"]
    assert [m["name"] for m in items] == ["安国", "白刚", "曹艳", "丁兰"]
    assert api.get("/api/members", {"sort": "phone"}).status_code == 422
    assert api.get("/api/members", {"age_band": "18-30"}).status_code == 422
    assert api.get("/api/members", {"gender": "1"}).json()["count"] == 3


# --- the phone reveal ------------------------------------------------------------------------
def phone_url(member) -> str:
    return reverse("members:phone", args=[member.pk])


@pytest.fixture
def ringer(request, county):
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("ringer", ["branch_a1_user", "town_a_user"], indirect=True)
def test_a_ringer_reveals_one_phone_as_a_tel_link_audited(county, client_as, ringer, people):
    member = people["young"]
    client = client_as(ringer)
    list_body = client.get(LIST).content.decode()
    assert "138****5678" in list_body and "13812345678" not in list_body
    assert f'hx-post="{phone_url(member)}"' in list_body
    response = client.post(phone_url(member))
    assert response.status_code == 200
    assert response.content.decode().strip() == (
        '<a class="tel" href="tel:13812345678">13812345678</a>'
    )
    row = AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL).latest("id")
    assert (row.actor, row.target_type, row.target_id) == (
        ringer,
        "members.member",
        str(member.pk),
    )
    assert "联系电话" in row.message and "公民身份号码" not in row.message
    assert row.org_path == county.village_a1.path


def test_the_detail_page_offers_the_reveal(county, client_as, branch_a1_user, people):
    body = client_as(branch_a1_user).get(reverse("members:detail", args=[people["young"].pk]))
    assert f'hx-post="{phone_url(people["young"])}"' in body.content.decode()


def test_a_phone_out_of_scope_is_not_found(county, client_as, branch_a1_user, people):
    client = client_as(branch_a1_user)
    before = AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL).count()
    # Village A2 is in the same township, but not the secretary's branch.
    assert client.post(phone_url(people["sixty"])).status_code == 404
    assert client.post(phone_url(people["other_town"])).status_code == 404
    assert AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL).count() == before
    assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == 2


def test_the_reveal_is_a_post(county, client_as, branch_a1_user, people):
    assert client_as(branch_a1_user).get(phone_url(people["young"])).status_code == 405


@override_settings(ZUZHI_UNMASKED_ROLES=[])
def test_other_roles_are_refused(county, client_as, county_user, people):
    """County staff may only where their role sees personal data unmasked (the default)."""
    client = client_as(county_user)
    assert client.post(phone_url(people["young"])).status_code == 403
    assert f'hx-post="{phone_url(people["young"])}"' not in client.get(LIST).content.decode()
    assert not AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL).exists()


def test_a_judge_or_an_administrator_gets_nothing(county, client, people, sysadmin_user):
    judge = user_with_role(Role.JUDGE, county.county)
    for user in (judge, sysadmin_user):
        client.force_login(user)
        assert client.post(phone_url(people["young"])).status_code == 404
    assert not AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL).exists()


def test_the_organization_filter_is_the_picker_showing_the_chosen_one(
    county, client_as, town_a_user
):
    page = client_as(town_a_user).get(LIST, {"org": county.village_a1.pk}).content.decode()
    assert 'id="id_org_q"' in page and '<select name="org"' not in page
    assert "已选：李庄村党支部" in page
    # Another township's organization is not a filter the clerk can choose.
    other = client_as(town_a_user).get(LIST, {"org": county.village_b1.pk})
    assert other.status_code == 404
