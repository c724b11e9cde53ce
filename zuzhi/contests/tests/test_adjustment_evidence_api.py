"""Evidence (佐证材料) of bonus/penalty items through the API: a flag in the listing, the file
only through the scoped download."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zuzhi.contests import services
from zuzhi.contests.models import Adjustment
from zuzhi.core.models import AuditAction, AuditLog

PDF = b"%PDF-1.4 adjustment evidence"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def request_item(actor, entrant, *, reason="获省级表彰") -> Adjustment:
    return services.adjustment_request(
        actor=actor,
        entrant=entrant,
        kind="bonus",
        amount=1,
        reason=reason,
        evidence=SimpleUploadedFile("表彰文件.pdf", PDF, content_type="application/pdf"),
    )


@pytest.fixture
def with_file(running, county, town_a_user) -> Adjustment:
    return request_item(town_a_user, running.entrants.get(organization=county.village_a1))


@pytest.fixture
def without_file(running, county, town_a_user) -> Adjustment:
    """The service requires a file, so only a row changed outside it has none."""
    item = request_item(town_a_user, running.entrants.get(organization=county.village_a2))
    Adjustment.objects.filter(pk=item.pk).update(evidence="")
    return item


def evidence_url(contest, item) -> str:
    return f"/api/contests/{contest.pk}/adjustments/{item.pk}/evidence"


def downloads():
    return AuditLog.objects.filter(action=AuditAction.EXPORT, target_type="contests.adjustment")


def test_listing_says_has_evidence_and_never_where_the_file_is(
    running, with_file, without_file, county_user, api_as
):
    response = api_as(county_user).get(f"/api/contests/{running.pk}/adjustments")
    assert response.status_code == 200, response.content
    rows = response.json()
    assert {row["id"]: row["has_evidence"] for row in rows} == {
        with_file.pk: True,
        without_file.pk: False,
    }
    stored = Adjustment.objects.get(pk=with_file.pk).evidence.name
    for row in rows:
        assert "evidence" not in row
        for value in row.values():
            text = str(value)
            assert "/media/" not in text and "contests/evidence" not in text
            assert stored not in text and "表彰文件" not in text


def test_download_returns_the_file_to_the_organizer(running, with_file, county_user, api_as):
    response = api_as(county_user).get(evidence_url(running, with_file))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]


def test_township_outside_the_scope_gets_404(running, with_file, town_a_user, town_b_user, api_as):
    response = api_as(town_b_user).get(evidence_url(running, with_file))
    assert response.status_code == 404
    assert response.json()["message"] == "未找到该对象。"
    assert not downloads().exists()
    # The same item is served inside the scope: the 404 above is the scope's doing.
    assert api_as(town_a_user).get(evidence_url(running, with_file)).status_code == 200


def test_item_without_evidence_gets_404(running, without_file, county_user, api_as):
    response = api_as(county_user).get(evidence_url(running, without_file))
    assert response.status_code == 404
    assert response.json()["message"] == "未找到该对象。"
    assert not downloads().exists()


def test_item_of_another_contest_or_beyond_64_bits_gets_404(
    running, county, with_file, county_user, api_as
):
    other = services.contest_create(
        actor=county_user,
        organization=county.county,
        data={"name": "另一项评比", "track": "village", "period_label": "2026年"},
        stages=[{"kind": "public_vote", "name": "投票", "weight": 100}],
    )
    client = api_as(county_user)
    assert client.get(evidence_url(other, with_file)).status_code == 404
    too_big = f"/api/contests/{running.pk}/adjustments/{10**20}/evidence"
    assert client.get(too_big).status_code == 404
