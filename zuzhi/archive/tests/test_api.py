import pytest

from zuzhi.archive import services
from zuzhi.archive.models import ArchiveEntry
from zuzhi.core.models import AuditAction, AuditLog

URL = "/api/cadres/{}/archive"


def denials() -> int:
    return AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()


def test_the_cadre_section_records_lists_and_reverses(api_as, staff, cadre):
    api = api_as(staff)
    created = api.post(
        URL.format(cadre.pk),
        {"date": "2026-07-10", "kind": "honour", "text": "获评省级优秀党务工作者"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    entry_id = created.json()["id"]
    assert created.json()["kind_label"] == "荣誉"

    refused = api.post(
        URL.format(cadre.pk) + "/reversals",
        {"entry_id": entry_id, "reason": ""},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert "reason" in refused.json()["errors"]
    reversal = api.post(
        URL.format(cadre.pk) + "/reversals",
        {"entry_id": entry_id, "reason": "实为市级"},
        content_type="application/json",
    )
    assert reversal.status_code == 201
    assert reversal.json()["reverses_id"] == entry_id

    listed = api.get(URL.format(cadre.pk)).json()
    assert [(e["id"], e["reversed"]) for e in listed] == [
        (reversal.json()["id"], False),
        (entry_id, True),
    ]


def test_a_reversal_names_an_entry_of_that_cadre(api_as, staff, cadre, other_cadre):
    entry = services.entry_record(
        actor=staff, cadre=other_cadre, date=__import__("datetime").date(2026, 7, 1),
        kind="fault", text="迟报信息",
    )  # fmt: skip
    answer = api_as(staff).post(
        URL.format(cadre.pk) + "/reversals",
        {"entry_id": entry.pk, "reason": "误"},
        content_type="application/json",
    )
    assert answer.status_code == 404
    assert ArchiveEntry.objects.count() == 1


def test_the_cadre_reads_their_own_archive_but_cannot_write(api_as, staff, cadre, owner):
    import datetime

    services.entry_record(
        actor=staff, cadre=cadre, date=datetime.date(2026, 7, 1), kind="key_task", text="防汛"
    )
    api = api_as(owner)
    assert [e["text"] for e in api.get(URL.format(cadre.pk)).json()] == ["防汛"]
    before = denials()
    answer = api.post(
        URL.format(cadre.pk),
        {"date": "2026-07-10", "kind": "honour", "text": "自己加的"},
        content_type="application/json",
    )
    assert answer.status_code == 404
    assert denials() == before + 1
    assert ArchiveEntry.objects.count() == 1


@pytest.mark.parametrize("who", ["county_user", "town_b_user"])
def test_other_staff_get_the_logged_404(request, api_as, cadre, who):
    user = request.getfixturevalue(who)
    before = denials()
    assert api_as(user).get(URL.format(cadre.pk)).status_code == 404
    assert denials() == before + 1


def test_watch_list_is_the_cadre_sections(api_as, staff, cadre, owner):
    services.watch_add(actor=staff, cadre=cadre, reason_kind="achievement", note="全市第一")
    assert [w["cadre_name"] for w in api_as(staff).get("/api/watch-list").json()] == ["张三"]
    assert api_as(owner).get("/api/watch-list").json() == []
