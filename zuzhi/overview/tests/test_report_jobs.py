"""The overview over a large scope (more members than ZUZHI_EXPORT_INLINE_MAX): the page and the
PDF are computed by the worker (a report job), the page showing the figures it kept with their
time; a small scope is computed at once as before."""

import pytest
from django.urls import reverse

from zuzhi.core import export as core_export
from zuzhi.core.export_jobs import FIGURES_SUFFIX
from zuzhi.core.models import ExportJob
from zuzhi.core.roles import Role
from zuzhi.overview import exports, selectors
from zuzhi.testing.factories import make_member, user_with_role, valid_id_number

URL, PDF = reverse("overview:index"), reverse("overview:pdf")


@pytest.fixture(autouse=True)
def _export_dir(settings, tmp_path):
    settings.ZUZHI_EXPORT_DIR = tmp_path / "exports"


@pytest.fixture
def members(county):
    return [
        make_member(org, id_number=valid_id_number("19800101", i))
        for i, org in enumerate((county.village_a1, county.village_a2, county.village_b1), 1)
    ]


@pytest.fixture
def pdf_tables(monkeypatch):
    """The tables handed to the PDF writer, at once and in the worker."""
    seen = []
    real = core_export.pdf_bytes

    def spy(**kwargs):
        seen.append((kwargs["title"], kwargs["headers"], [list(r) for r in kwargs["rows"]]))
        return real(**kwargs)

    monkeypatch.setattr(core_export, "pdf_bytes", spy)
    monkeypatch.setattr(exports, "pdf_bytes", spy)
    return seen


def test_a_large_scope_computes_nothing_in_the_request(
    members, county, client_as, county_user, settings, monkeypatch
):
    def refuse(**kwargs):
        raise AssertionError("概览在请求中计算")

    monkeypatch.setattr(selectors, "overview", refuse)
    settings.ZUZHI_EXPORT_INLINE_MAX = 2
    client = client_as(county_user)
    body = client.get(URL, {"preset": "quarter"}).content.decode()
    assert "本范围有党员 3 名" in body and "尚未统计" in body and "主要数字" not in body
    assert f"/overview/pdf/?org={county.county.pk}&amp;preset=quarter" in body
    response = client.get(PDF, {"preset": "quarter"})
    job = ExportJob.objects.get()
    assert response["Location"] == f"/exports/{job.pk}/"
    assert job.kind == "overview" and job.status == ExportJob.Status.QUEUED
    assert job.params == {"org": [str(county.county.pk)], "preset": ["quarter"]}


def test_the_workers_pdf_and_page_hold_the_same_figures_as_at_once(
    members, client_as, county_user, settings, pdf_tables, django_capture_on_commit_callbacks
):
    client = client_as(county_user)
    query = {"start": "2026-01-01", "end": "2026-06-30"}
    assert client.get(PDF, query)["Content-Type"] == "application/pdf"
    live = client.get(URL, query).content.decode()

    settings.ZUZHI_EXPORT_INLINE_MAX = 2
    with django_capture_on_commit_callbacks(execute=True):
        client.get(PDF, query)
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE and job.file_name == f"{job.pk}.pdf"
    at_once, in_worker = pdf_tables
    assert in_worker == at_once and ["党员", "党员总数", 3] in at_once[2]
    download = client.get(f"/exports/{job.pk}/file/")
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")

    page = client.get(URL, query).content.decode()
    kept = (settings.ZUZHI_EXPORT_DIR / f"{job.pk}{FIGURES_SUFFIX}").read_text(encoding="utf-8")
    assert "数据截至" in page and kept in page and kept.strip() in live
    assert "主要数字" in kept and 'id="overview-chart-data"' in kept
    # Another period has no figures yet.
    assert "尚未统计" in client.get(URL, {"preset": "year"}).content.decode()


def test_the_job_is_the_askers_alone(
    members, county, client_as, county_user, settings, django_capture_on_commit_callbacks
):
    settings.ZUZHI_EXPORT_INLINE_MAX = 2
    with django_capture_on_commit_callbacks(execute=True):
        client_as(county_user).get(PDF)
    job = ExportJob.objects.get()
    other = client_as(user_with_role(Role.COUNTY_STAFF, county.county, username="other"))
    assert other.get(f"/exports/{job.pk}/file/").status_code == 404
    assert "尚未统计" in other.get(URL).content.decode()


def test_a_clerk_cannot_start_one_for_another_township(
    members, county, client_as, town_a_user, settings
):
    settings.ZUZHI_EXPORT_INLINE_MAX = 0
    response = client_as(town_a_user).get(PDF, {"org": county.town_b.pk})
    assert response.status_code == 404 and not ExportJob.objects.exists()
