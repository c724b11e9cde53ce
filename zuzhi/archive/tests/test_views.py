"""Who sees what: the cadre section everything; the cadre their own entries only (not the
supervision file, not the watch list); county and township staff the logged 404."""

import datetime

import pytest
from django.urls import reverse

from zuzhi.archive import services
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.home import todo_items


def denials() -> int:
    return AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()


@pytest.fixture
def filed(staff, cadre):
    entry = services.entry_record(
        actor=staff,
        cadre=cadre,
        date=datetime.date(2026, 7, 1),
        kind="achievement",
        text="招商引资",
    )
    record = services.supervision_record(
        actor=staff,
        cadre=cadre,
        kind="performance_view",
        date=datetime.date(2026, 7, 2),
        source="巡察反馈",
        text="搞形象工程",
    )
    services.watch_add(actor=staff, cadre=cadre, reason_kind="priority_reserve")
    return entry, record


def test_the_cadre_section_sees_all_three(client_as, staff, cadre, filed):
    client = client_as(staff)
    assert "招商引资" in client.get(reverse("archive:cadre", args=[cadre.pk])).text
    assert "搞形象工程" in client.get(reverse("archive:supervision", args=[cadre.pk])).text
    assert "张三" in client.get(reverse("archive:watch")).text
    assert "招商引资" in client.get(reverse("archive:quarter")).text  # to be reviewed


def test_the_cadre_sees_own_entries_only(client_as, owner, cadre, filed):
    client = client_as(owner)
    page = client.get(reverse("archive:mine"))
    assert "招商引资" in page.text and "搞形象工程" not in page.text
    for url in (
        reverse("archive:cadre", args=[cadre.pk]),
        reverse("archive:supervision", args=[cadre.pk]),
        reverse("archive:summary_pdf", args=[cadre.pk]),
        reverse("archive:watch"),
        reverse("archive:quarter"),
    ):
        before = denials()
        assert client.get(url).status_code == 404, url
        assert denials() == before + 1, url


@pytest.mark.parametrize("who", ["county_user", "town_b_user", "branch_a1_user"])
def test_other_staff_get_the_logged_404(request, client_as, cadre, filed, who):
    client = client_as(request.getfixturevalue(who))
    entry, record = filed
    for url in (
        reverse("archive:cadre", args=[cadre.pk]),
        reverse("archive:supervision", args=[cadre.pk]),
        reverse("archive:evidence", args=[entry.pk]),
        reverse("archive:quarter"),
        reverse("archive:watch"),
    ):
        before = denials()
        assert client.get(url).status_code == 404, url
        assert denials() == before + 1, url
    assert client.get(reverse("archive:mine")).status_code == 404


def test_excuse_by_page_keeps_the_record(client_as, staff, cadre, filed):
    _, record = filed
    client = client_as(staff)
    client.post(reverse("archive:supervision_excuse", args=[record.pk]), {"reason": "符合容错"})
    record.refresh_from_db()
    assert record.status == "excused" and record.decided_by == staff
    assert "容错免责" in client.get(reverse("archive:supervision", args=[cadre.pk])).text


def test_entry_form_and_reversal_by_page(client_as, staff, cadre):
    client = client_as(staff)
    answer = client.post(
        reverse("archive:entry_create", args=[cadre.pk]),
        {"date": "2026-07-03", "kind": "fault", "category": "作风", "text": "会议迟到"},
    )
    assert answer.status_code == 302
    entry = cadre.archive_entries.get()
    client.post(reverse("archive:reverse", args=[entry.pk]), {"reason": "系误记"})
    assert cadre.archive_entries.count() == 2
    assert cadre.archive_entries.get(reverses=entry).reason == "系误记"


def test_summary_pdf_for_an_inspection(client_as, staff, cadre, filed):
    answer = client_as(staff).get(reverse("archive:summary_pdf", args=[cadre.pk]))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    assert AuditLog.objects.filter(action=AuditAction.EXPORT, actor=staff).exists()


def test_home_reminds_in_the_quarters_last_month(staff, cadre):
    labels = [i.label for i in todo_items(user=staff, today=datetime.date(2026, 9, 1))]
    assert "本季度实绩档案尚无审核条目的干部" in labels
    labels = [i.label for i in todo_items(user=staff, today=datetime.date(2026, 8, 31))]
    assert "本季度实绩档案尚无审核条目的干部" not in labels


def test_offers_page_accepts_once(client_as, county, staff, published_index):
    from .conftest import appoint_chief

    last = appoint_chief(county.town_b, "钱书记", 23)
    client = client_as(staff)
    page = client.get(reverse("archive:offers", args=[published_index.pk]))
    assert "钱书记" in page.text
    url = reverse("archive:offer_accept", args=[published_index.pk, last.pk])
    client.post(url)
    client.post(url)
    assert last.archive_entries.count() == 1
    assert "钱书记" not in client.get(reverse("archive:offers", args=[published_index.pk])).text


def test_evidence_is_checked_on_upload_and_its_download_audited(client_as, staff, cadre, owner):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as(staff)
    url = reverse("archive:entry_create", args=[cadre.pk])
    data = {"date": "2026-07-03", "kind": "honour", "text": "市级表彰"}
    refused = client.post(url, {**data, "evidence": SimpleUploadedFile("证书.exe", b"MZ")})
    assert refused.status_code == 200 and "格式不支持" in refused.text
    assert not cadre.archive_entries.exists()
    client.post(url, {**data, "evidence": SimpleUploadedFile("证书.pdf", b"%PDF-1.4\n")})
    entry = cadre.archive_entries.get()
    assert entry.evidence_name == "证书.pdf"
    # The cadre downloads the evidence of their own entry; the download is audited.
    answer = client_as(owner).get(reverse("archive:evidence", args=[entry.pk]))
    assert answer.status_code == 200
    assert AuditLog.objects.filter(action=AuditAction.EXPORT, actor=owner).exists()
