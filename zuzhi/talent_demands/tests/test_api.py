"""/api/talent-demands is the office's; /api/public/talent-demands shows published editions
only, without the internal fields."""

import pytest

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.talent_demands import services

from .test_services import ENTRY


@pytest.fixture
def editions(talent_world):
    office = talent_world.office
    published = services.edition_create(actor=office, data={"year": 2026})
    services.entry_create(actor=office, edition=published, data=ENTRY)
    services.entry_create(
        actor=office, edition=published, data={**ENTRY, "industry": "新材料", "post": "材料工程师"}
    )
    services.edition_publish(actor=office, edition=published)
    draft = services.edition_create(actor=office, data={"year": 2027})
    services.entry_create(actor=office, edition=draft, data={**ENTRY, "post": "草稿岗位"})
    return published, draft


def test_public_api_lists_only_published_editions_without_login(client, editions):
    published, draft = editions
    answer = client.get("/api/public/talent-demands/editions")
    assert answer.status_code == 200
    assert [e["id"] for e in answer.json()["items"]] == [published.pk]
    # The catalogue itself: the published edition's posts, never the draft's.
    catalogue = client.get("/api/public/talent-demands").json()["items"]
    assert {i["post"] for i in catalogue} == {"工艺工程师", "材料工程师"}
    assert all(i["edition_id"] == published.pk and "note" not in i for i in catalogue)
    assert client.get("/api/public/talent-demands?year=2027").json()["items"] == []
    assert client.get("/api/public/talent-demands?industry=新材料").json()["count"] == 1
    assert client.get(f"/api/public/talent-demands/{draft.pk}/entries").status_code == 404


def test_public_api_entries_have_no_internal_fields(client, editions):
    published, _ = editions
    answer = client.get(f"/api/public/talent-demands/{published.pk}/entries")
    assert answer.status_code == 200
    items = answer.json()["items"]
    assert {i["post"] for i in items} == {"工艺工程师", "材料工程师"}
    assert items[0]["degree"] == "master" and items[0]["degree_label"] == "硕士研究生"
    for item in items:
        assert "note" not in item and "order" not in item and "edition_id" not in item
        assert "企业急需" not in str(item)
    only = client.get(f"/api/public/talent-demands/{published.pk}/entries?industry=新材料")
    assert [i["post"] for i in only.json()["items"]] == ["材料工程师"]


def test_unpublishing_takes_the_edition_off_the_public_api(client, talent_world, editions):
    published, _ = editions
    services.edition_unpublish(actor=talent_world.office, edition=published, reason="调整")
    assert client.get("/api/public/talent-demands").json()["items"] == []
    assert client.get("/api/public/talent-demands/editions").json()["items"] == []
    assert client.get(f"/api/public/talent-demands/{published.pk}/entries").status_code == 404


def test_office_api_shows_drafts_and_internal_note(api_as, talent_world, editions):
    published, draft = editions
    api = api_as(talent_world.office)
    years = [e["year"] for e in api.get("/api/talent-demands").json()["items"]]
    assert years == [2027, 2026]
    entries = api.get(f"/api/talent-demands/{draft.pk}/entries").json()["items"]
    assert entries[0]["note"] == "企业急需，优先推荐"


def test_office_api_copy_publish_unpublish(api_as, talent_world, editions):
    published, draft = editions
    api = api_as(talent_world.office)
    copy = api.post(
        f"/api/talent-demands/{published.pk}/copy", {"year": 2028}, content_type="application/json"
    )
    assert copy.status_code == 201 and copy.json()["status"] == "draft"
    answer = api.post(f"/api/talent-demands/{draft.pk}/publish")
    assert answer.status_code == 200 and answer.json()["status"] == "published"
    refused = api.post(
        f"/api/talent-demands/{draft.pk}/unpublish", {"reason": ""}, content_type="application/json"
    )
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"reason": ["请填写撤回发布的原因。"]}


@pytest.mark.parametrize("who", ["other_office", "county_staff", "township", "talent_user"])
def test_others_get_the_logged_404(api_as, talent_world, editions, who):
    published, draft = editions
    api = api_as(getattr(talent_world, who))
    denied = AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED)
    before = denied.count()
    assert api.get(f"/api/talent-demands/{draft.pk}").status_code == 404
    assert api.post(f"/api/talent-demands/{draft.pk}/publish").status_code == 404
    if who == "other_office":
        assert api.get("/api/talent-demands").json()["items"] == []
    else:
        assert api.get("/api/talent-demands").status_code == 404
    assert denied.count() >= before + 2
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_copy_to_an_impossible_year_is_refused_in_chinese(api_as, talent_world, editions):
    published, _ = editions
    answer = api_as(talent_world.office).post(
        f"/api/talent-demands/{published.pk}/copy", {"year": 1}, content_type="application/json"
    )
    assert answer.status_code == 400 and "year" in answer.json()["errors"]


def test_the_api_refuses_a_personal_mobile_as_contact(api_as, talent_world, editions):
    _, draft = editions
    api = api_as(talent_world.office)
    answer = api.post(
        f"/api/talent-demands/{draft.pk}/entries",
        {**ENTRY, "contact": "138-1234-5678"},
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert "不能填写个人手机号码" in answer.json()["errors"]["contact"][0]
    entry = draft.entries.get()
    answer = api.patch(
        f"/api/talent-demands/entries/{entry.pk}",
        {"contact": "13812345678"},
        content_type="application/json",
    )
    assert answer.status_code == 400
    entry.refresh_from_db()
    assert entry.contact == ENTRY["contact"]
