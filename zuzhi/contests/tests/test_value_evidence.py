"""Evidence (佐证材料) on indicator values: upload by page and API, scope, locking, downloads."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zuzhi.contests import selectors, services
from zuzhi.contests.models import IndicatorValue, StageKind
from zuzhi.core.models import AuditAction, AuditLog

from .conftest import stage_of

PDF = b"%PDF-1.4 evidence"


def pdf(name="证明.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def a1(running, county):
    return running.entrants.get(organization=county.village_a1)


@pytest.fixture
def leaf(running):
    return selectors.leaf_indicators(stage_of(running, StageKind.INDICATORS))[0]


@pytest.fixture
def entered(a1, leaf, town_a_user):
    """Township A's value for its village on the first leaf, without evidence yet."""
    return services.indicator_value_set(actor=town_a_user, entrant=a1, indicator=leaf, value=12)


def evidence_audits(item):
    return AuditLog.objects.filter(
        action=AuditAction.UPDATE,
        target_type="contests.indicatorvalue",
        target_id=str(item.pk),
        message="上传佐证材料",
    )


def page_upload(client, contest, entrant, indicator, upload):
    return client.post(
        reverse("contests:value_evidence", args=[contest.pk]),
        {"entrant": entrant.pk, "indicator": indicator.pk, "page": "1", "evidence": upload},
        follow=True,
    )


def api_upload(client, contest, entrant, indicator, upload):
    return client.post(
        f"/api/contests/{contest.pk}/indicator-values/evidence",
        {"entrant_id": entrant.pk, "indicator_id": indicator.pk, "file": upload},
    )


def download_url(contest, entrant, indicator):
    return reverse("contests:value_evidence_download", args=[contest.pk, entrant.pk, indicator.pk])


def test_page_upload_attaches_evidence_audits_and_links_a_scoped_download(
    running, a1, leaf, entered, town_a_user, client_as
):
    client = client_as(town_a_user)
    values_url = reverse("contests:values", args=[running.pk])
    assert download_url(running, a1, leaf) not in client.get(values_url).content.decode()

    response = page_upload(client, running, a1, leaf, pdf())
    assert response.redirect_chain[-1][0] == f"{values_url}?page=1"
    page = response.content.decode()
    assert "已上传“李庄村党支部·村集体经济收入”的佐证材料。" in page
    assert download_url(running, a1, leaf) in page and "/media/" not in page
    item = IndicatorValue.objects.get(pk=entered.pk)
    assert item.evidence and item.value == 12  # the value itself is untouched
    audit = evidence_audits(item).get()
    assert audit.actor == town_a_user
    assert audit.before["evidence"] == "" and audit.after["evidence"] == item.evidence.name

    download = client.get(download_url(running, a1, leaf))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]


def test_page_upload_replaces_earlier_evidence(running, a1, leaf, entered, town_a_user, client_as):
    client = client_as(town_a_user)
    page_upload(client, running, a1, leaf, pdf())
    first = IndicatorValue.objects.get(pk=entered.pk).evidence.name
    page_upload(client, running, a1, leaf, pdf("新证明.pdf", b"%PDF-1.4 second"))
    item = IndicatorValue.objects.get(pk=entered.pk)
    assert item.evidence.name != first
    assert evidence_audits(item).order_by("-pk").first().before["evidence"] == first
    download = client_as(town_a_user).get(download_url(running, a1, leaf))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 second"


def test_api_upload_calls_the_service_and_listing_says_has_evidence(
    running, county, a1, leaf, entered, town_a_user, api_as
):
    client = api_as(town_a_user)
    a2 = running.entrants.get(organization=county.village_a2)
    services.indicator_value_set(actor=town_a_user, entrant=a2, indicator=leaf, value=3)

    response = api_upload(client, running, a1, leaf, pdf())
    assert response.status_code == 200, response.content
    assert response.json()["has_evidence"] is True
    assert Decimal(response.json()["value"]) == 12
    item = IndicatorValue.objects.get(pk=entered.pk)
    assert item.evidence
    assert evidence_audits(item).get().actor == town_a_user

    listing = client.get(f"/api/contests/{running.pk}/indicator-values")
    assert listing.status_code == 200
    flags = {(v["entrant_id"], v["indicator_id"]): v["has_evidence"] for v in listing.json()}
    assert flags == {(a1.pk, leaf.pk): True, (a2.pk, leaf.pk): False}
    body = listing.content.decode()
    assert "/media/" not in body and "contests/evidence" not in body

    download = client.get(
        f"/api/contests/{running.pk}/indicator-values/evidence",
        {"entrant_id": a1.pk, "indicator_id": leaf.pk},
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    missing = client.get(
        f"/api/contests/{running.pk}/indicator-values/evidence",
        {"entrant_id": a2.pk, "indicator_id": leaf.pk},
    )
    assert missing.status_code == 404


def test_township_out_of_scope_gets_404_and_nothing_is_written(
    running, county, leaf, town_a_user, town_b_user, client_as, api_as
):
    b1 = running.entrants.get(organization=county.village_b1)
    value = services.indicator_value_set(actor=town_b_user, entrant=b1, indicator=leaf, value=7)

    response = client_as(town_a_user).post(
        reverse("contests:value_evidence", args=[running.pk]),
        {"entrant": b1.pk, "indicator": leaf.pk, "evidence": pdf()},
    )
    assert response.status_code == 404
    assert api_upload(api_as(town_a_user), running, b1, leaf, pdf()).status_code == 404
    assert not IndicatorValue.objects.get(pk=value.pk).evidence
    assert not evidence_audits(value).exists()
    assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED, actor=town_a_user).exists()


def test_published_contest_refuses_evidence(
    running, county, county_user, judges, town_a_user, client_as, api_as
):
    from .test_services import fill_indicators, judge_all

    fill_indicators(running, county, county_user)
    judge_all(
        running, county_user, judges, {e.organization_id: [80] * 5 for e in running.entrants.all()}
    )
    services.result_publish(
        actor=county_user, version=services.result_compute(actor=county_user, contest=running)
    )
    a1 = running.entrants.get(organization=county.village_a1)
    leaf = selectors.leaf_indicators(stage_of(running, StageKind.INDICATORS))[0]

    page = page_upload(client_as(town_a_user), running, a1, leaf, pdf()).content.decode()
    assert "结果已发布，数据已锁定" in page
    assert 'name="evidence"' not in page  # no upload control on a locked contest
    response = api_upload(api_as(town_a_user), running, a1, leaf, pdf())
    assert response.status_code == 400
    assert "结果已发布" in response.json()["message"]
    item = IndicatorValue.objects.get(entrant=a1, indicator=leaf)
    assert not item.evidence and not evidence_audits(item).exists()


@pytest.mark.parametrize(
    "name, content, expected",
    [("病毒.exe", b"MZ", "格式不支持"), ("大文件.pdf", b"%PDF-1.4 " + b"x" * 64, "太大")],
)
def test_bad_file_shows_chinese_error_and_writes_nothing(
    running, a1, leaf, entered, town_a_user, client_as, api_as, settings, name, content, expected
):
    settings.ZUZHI_MAX_UPLOAD_BYTES = 32
    page = page_upload(client_as(town_a_user), running, a1, leaf, pdf(name, content))
    assert f"李庄村党支部·村集体经济收入：“{name}”" in page.content.decode()
    assert expected in page.content.decode()
    response = api_upload(api_as(town_a_user), running, a1, leaf, pdf(name, content))
    assert response.status_code == 400
    assert expected in response.json()["errors"]["evidence"][0]
    assert not IndicatorValue.objects.get(pk=entered.pk).evidence
    assert not evidence_audits(entered).exists()


def test_evidence_needs_a_value_and_a_file(running, a1, leaf, town_a_user, client_as, api_as):
    page = page_upload(client_as(town_a_user), running, a1, leaf, pdf()).content.decode()
    assert "还没有录入数值，请先录入数值再上传佐证材料" in page
    response = api_upload(api_as(town_a_user), running, a1, leaf, pdf())
    assert response.status_code == 400 and "请先录入数值" in str(response.json()["errors"])
    assert not IndicatorValue.objects.filter(entrant=a1, indicator=leaf).exists()

    services.indicator_value_set(actor=town_a_user, entrant=a1, indicator=leaf, value=1)
    response = client_as(town_a_user).post(
        reverse("contests:value_evidence", args=[running.pk]),
        {"entrant": a1.pk, "indicator": leaf.pk},
        follow=True,
    )
    assert "请选择要上传的佐证材料。" in response.content.decode()


def test_download_refuses_out_of_scope_and_serves_in_scope(
    running, a1, leaf, entered, county_user, town_a_user, town_b_user, judges, client_as, api_as
):
    url = download_url(running, a1, leaf)
    assert client_as(town_a_user).get(url).status_code == 404  # no evidence yet
    services.indicator_value_evidence_set(
        actor=town_a_user, entrant=a1, indicator=leaf, evidence=pdf()
    )
    assert client_as(town_b_user).get(url).status_code == 404
    assert client_as(judges[0]).get(url).status_code == 404
    api = f"/api/contests/{running.pk}/indicator-values/evidence"
    query = {"entrant_id": a1.pk, "indicator_id": leaf.pk}
    assert api_as(town_b_user).get(api, query).status_code == 404
    for user in (town_a_user, county_user):
        response = client_as(user).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
    # An id beyond 64 bits is simply not found.
    too_big = f"/contests/{running.pk}/values/{a1.pk}/{10**20}/evidence/"
    assert client_as(town_a_user).get(too_big).status_code == 404


def test_saving_the_grid_page_keeps_a_note_entered_through_the_api(
    running, a1, leaf, town_a_user, client_as, api_as
):
    api = api_as(town_a_user)
    response = api.put(
        f"/api/contests/{running.pk}/indicator-values",
        {"entrant_id": a1.pk, "indicator_id": leaf.pk, "value": "12", "note": "据统计年报"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    # The grid page has no note box: saving a new number there must not blank the note.
    client_as(town_a_user).post(
        reverse("contests:values", args=[running.pk]), {f"v_{a1.pk}_{leaf.pk}": "13"}
    )
    item = IndicatorValue.objects.get(entrant=a1, indicator=leaf)
    assert (item.value, item.note) == (Decimal(13), "据统计年报")
