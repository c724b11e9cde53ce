import pytest

from zuzhi.accounts.services import token_issue
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.members.models import Member
from zuzhi.testing.factories import make_member, valid_id_number


@pytest.fixture
def api(client):
    tokens = {}

    def call(user, method, path, data=None):
        tokens.setdefault(user.pk, token_issue(user=user))
        headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[user.pk]}"}
        if method in ("post", "patch"):
            return getattr(client, method)(
                f"/api{path}", data=data or {}, content_type="application/json", **headers
            )
        return client.get(f"/api{path}", data or {}, **headers)

    return call


def test_list_is_scoped_and_masked(county, api, town_a_user, town_b_user, county_user):
    member = make_member(county.village_a1, name="王小明")
    items = api(town_a_user, "get", "/members").json()["items"]
    assert [i["name"] for i in items] == ["王小明"]
    assert items[0]["id_number"] == member.id_number[:6] + "********" + member.id_number[-4:]
    assert items[0]["phone"] == "138****5678"
    assert api(town_b_user, "get", "/members").json()["items"] == []
    for q in ("王小明", "wxm", member.id_number):
        assert api(town_b_user, "get", "/members", {"q": q}).json()["items"] == []
    assert api(town_a_user, "get", "/members", {"q": member.id_number}).json()["count"] == 1
    unmasked = api(county_user, "get", f"/members/{member.pk}").json()
    assert unmasked["id_number"] == member.id_number
    assert AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL, actor=county_user).count() == 1


def test_other_township_gets_404(county, api, town_b_user):
    member = make_member(county.village_a1)
    assert api(town_b_user, "get", f"/members/{member.pk}").status_code == 404
    assert api(town_b_user, "patch", f"/members/{member.pk}", {"name": "改"}).status_code == 404
    transfer = {"to_org_code": "VB1", "transfer_date": "2026-11-01", "reason": "迁居"}
    assert api(town_b_user, "post", f"/members/{member.pk}/transfer", transfer).status_code == 404
    member.refresh_from_db()
    assert member.name == "张三" and member.organization == county.village_a1


def test_create_with_rule_errors_in_chinese(county, api, town_a_user):
    payload = {
        "organization_id": county.village_a1.pk,
        "name": "李四",
        "id_number": valid_id_number()[:-1] + "0",
        "ethnicity": "01",
        "join_date": "2005-07-01",
        "status": "full",
        "birth_date": "1999-01-01",
    }
    response = api(town_a_user, "post", "/members", payload)
    body = response.json()
    assert response.status_code == 400 and "校验位" in body["errors"]["id_number"][0]
    payload["id_number"] = valid_id_number()
    body = api(town_a_user, "post", "/members", payload).json()
    assert "不一致" in body["errors"]["birth_date"][0]
    payload.pop("birth_date")
    assert api(town_a_user, "post", "/members", payload).status_code == 201
    assert Member.objects.get().gender == "1"


def test_transfer_across_townships_through_the_api(county, api, town_a_user, town_b_user):
    member = make_member(county.village_a1)
    sent = api(
        town_a_user,
        "post",
        f"/members/{member.pk}/transfer",
        {"to_org_code": "VB1", "transfer_date": "2026-11-01", "reason": "迁居"},
    )
    assert sent.status_code == 201 and sent.json()["status"] == "pending"
    incoming = api(town_b_user, "get", "/members/transfers").json()
    assert [t["member_name"] for t in incoming] == ["张三"]
    assert (
        api(town_a_user, "post", f"/members/transfers/{sent.json()['id']}/accept", {}).status_code
        == 404
    )
    accepted = api(town_b_user, "post", f"/members/transfers/{sent.json()['id']}/accept", {})
    assert accepted.json()["status"] == "accepted"
    assert api(town_b_user, "get", f"/members/{member.pk}").status_code == 200
    assert api(town_a_user, "get", f"/members/{member.pk}").status_code == 404


@pytest.mark.parametrize(
    "path", ["/members/{n}", "/meetings/{n}", "/recruitment/{n}", "/appraisals/{n}"]
)
def test_ids_beyond_the_database_range_are_not_found(api, county_user, path):
    response = api(county_user, "get", path.format(n=10**20))
    assert response.status_code in (404, 422)
    assert "message" in response.json()


@pytest.mark.parametrize(
    "field", ["name", "gender", "education", "category", "work_unit", "join_date_month_only"]
)
def test_patch_with_null_on_a_required_field_is_a_422(county, api, town_a_user, field):
    # These columns are NOT NULL: a null used to reach the database (a 500) or be read as
    # "no value" (200, the flag silently cleared).
    member = make_member(county.village_a1)
    response = api(town_a_user, "patch", f"/members/{member.pk}", {field: None})
    assert response.status_code == 422
    assert response.json()["errors"] == {field: ["不能为空值（null）。"]}
    # full_date may be cleared: it is nullable in the schema.
    assert (
        api(town_a_user, "patch", f"/members/{member.pk}", {"full_date": None}).status_code == 200
    )


def test_a_long_search_text_is_an_input_error(county, api, town_a_user):
    response = api(town_a_user, "get", "/members", {"q": "王" * 20_000})
    assert response.status_code == 422 and response.json()["errors"] == {"q": ["内容过长。"]}
