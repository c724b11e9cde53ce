"""Every evidence download (附件下载) through attachment_response is audited once, as exports
are: who, from where, which object and which file; a refused download writes nothing."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zuzhi.contests import selectors, services
from zuzhi.contests.models import StageKind
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.ratings.models import StarQuota, StarScheme
from zuzhi.ratings.services import award_propose

PDF = b"%PDF-1.4 evidence"


def pdf(name: str):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def contest(county, county_user):
    contest = services.contest_create(
        actor=county_user,
        organization=county.county,
        data={"name": "村级评比", "track": "village", "period_label": "2026年"},
        stages=[
            {
                "kind": StageKind.INDICATORS,
                "name": "综合指标",
                "weight": Decimal(100),
                "indicators": [{"name": "村集体经济收入", "weight": Decimal(100)}],
            }
        ],
    )
    services.entrants_add_eligible(actor=county_user, contest=contest)
    return services.contest_start(actor=county_user, contest=contest)


@pytest.fixture
def adjustment(contest, county, town_a_user):
    return services.adjustment_request(
        actor=town_a_user,
        entrant=contest.entrants.get(organization=county.village_a1),
        kind="bonus",
        amount=1,
        reason="获省级表彰",
        evidence=pdf("表彰文件.pdf"),
    )


@pytest.fixture
def value(contest, county, town_a_user):
    entrant = contest.entrants.get(organization=county.village_a1)
    indicator = selectors.leaf_indicators(contest.stages.get())[0]
    services.indicator_value_set(actor=town_a_user, entrant=entrant, indicator=indicator, value=12)
    return services.indicator_value_evidence_set(
        actor=town_a_user, entrant=entrant, indicator=indicator, evidence=pdf("统计年报.pdf")
    )


@pytest.fixture
def award(county, town_a_user):
    StarQuota.objects.all().delete()
    star = StarScheme.objects.get(code="five-star-branch").stars.first()
    return award_propose(
        actor=town_a_user,
        star=star,
        period="2026",
        subject=county.village_a1,
        evidence_file=pdf("产业台账.pdf"),
    )


def adjustment_page(contest, item):
    return reverse("contests:evidence", args=[contest.pk, item.pk])


def adjustment_api(contest, item):
    return f"/api/contests/{contest.pk}/adjustments/{item.pk}/evidence"


def value_page(contest, item):
    return reverse(
        "contests:value_evidence_download", args=[contest.pk, item.entrant_id, item.indicator_id]
    )


def value_api(contest, item):
    return (
        f"/api/contests/{contest.pk}/indicator-values/evidence"
        f"?entrant_id={item.entrant_id}&indicator_id={item.indicator_id}"
    )


def downloads():
    return AuditLog.objects.filter(action=AuditAction.EXPORT)


@pytest.mark.parametrize(
    "kind, url, via_api",
    [
        ("adjustment", adjustment_page, False),
        ("adjustment", adjustment_api, True),
        ("value", value_page, False),
        ("value", value_api, True),
    ],
)
def test_each_download_writes_one_audit_row(
    request, contest, county, county_user, client_as, api_as, kind, url, via_api
):
    item = request.getfixturevalue(kind)
    client = api_as(county_user) if via_api else client_as(county_user)
    response = client.get(url(contest, item), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF

    row = downloads().get()
    assert (row.actor, row.actor_username) == (county_user, "county_staff")
    assert row.ip == "10.1.2.3" and row.request_id == response["X-Request-ID"]
    assert (row.target_type, row.target_id) == (item._meta.label_lower, str(item.pk))
    assert row.org_path == county.county.path
    assert item.evidence.name in row.message


def test_star_rating_evidence_download_is_audited(award, county, town_a_user, client_as):
    response = client_as(town_a_user).get(reverse("ratings:evidence", args=[award.pk]))
    assert b"".join(response.streaming_content) == PDF
    row = downloads().get()
    assert row.actor == town_a_user
    assert (row.target_type, row.target_id) == ("ratings.staraward", str(award.pk))
    assert row.org_path == county.village_a1.path
    assert "产业台账.pdf" in row.message


def test_refused_downloads_write_no_audit_row(
    contest, adjustment, value, town_b_user, client_as, api_as
):
    for url, item in ((adjustment_page, adjustment), (value_page, value)):
        assert client_as(town_b_user).get(url(contest, item)).status_code == 404
    for url, item in ((adjustment_api, adjustment), (value_api, value)):
        assert api_as(town_b_user).get(url(contest, item)).status_code == 404
    assert not downloads().exists()
