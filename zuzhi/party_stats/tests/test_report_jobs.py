"""党内统计 over a large scope (more members than ZUZHI_EXPORT_INLINE_MAX): the page, the Excel
and the API do not compute the tables in the request; the worker does (a report job), keeping
the page's figures beside the workbook, for the user who asked alone."""

import datetime
import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from zuzhi.accounts.models import RoleAssignment
from zuzhi.core.export_jobs import (
    FIGURES_SUFFIX,
    FORBIDDEN_ERROR,
    export_files_forget,
    export_job_run,
)
from zuzhi.core.models import AuditAction, AuditLog, ExportJob
from zuzhi.core.roles import Role
from zuzhi.party_stats import selectors
from zuzhi.testing.factories import make_member, user_with_role, valid_id_number

INDEX, XLSX = reverse("party_stats:index"), reverse("party_stats:xlsx")


@pytest.fixture(autouse=True)
def _export_dir(settings, tmp_path):
    settings.ZUZHI_EXPORT_DIR = tmp_path / "exports"


@pytest.fixture
def members(county):
    return [
        make_member(county.village_a1, name="甲", id_number=valid_id_number("19800101", 1)),
        make_member(
            county.village_a2, name="乙", id_number=valid_id_number("19750101", 2), education=""
        ),
        make_member(county.village_b1, name="丙", id_number=valid_id_number("19700101", 3)),
    ]


def sheets(content: bytes) -> list[list[list]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return [book.get_sheet_by_index(i).to_python() for i in range(len(book.sheet_names))]


@pytest.fixture
def no_stats_in_request(monkeypatch):
    """The tables may not be computed: any call fails the test."""

    def refuse(**kwargs):
        raise AssertionError("党内统计在请求中计算")

    monkeypatch.setattr(selectors, "party_stats", refuse)


def test_a_small_scope_is_computed_at_once(members, client_as, county_user, settings):
    settings.ZUZHI_EXPORT_INLINE_MAX = 3
    client = client_as(county_user)
    assert client.get(INDEX).context["stats"].member_total == 3
    assert client.get(XLSX)["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not ExportJob.objects.exists()


def test_a_large_scope_asks_the_worker_and_computes_nothing_in_the_request(
    members, county, client_as, county_user, settings, no_stats_in_request
):
    settings.ZUZHI_EXPORT_INLINE_MAX = 2
    client = client_as(county_user)
    page = client.get(INDEX)
    body = page.content.decode()
    assert "stats" not in page.context and "党员按学历" not in body
    assert "本范围有党员 3 名" in body and "尚未统计" in body and "开始统计" in body
    # The Excel (the page's 开始统计) queues the job; the test's transaction never commits, so
    # no worker runs it here.
    response = client.get(XLSX)
    job = ExportJob.objects.get()
    assert response["Location"] == f"/exports/{job.pk}/"
    assert job.status == ExportJob.Status.QUEUED and job.kind == "party_stats"
    assert job.total_rows == 3 and job.created_by == county_user
    year = str(datetime.date.today().year)
    assert job.params == {"org": [str(county.county.pk)], "year": [year]}
    # Asked again while it waits: the same job, not a second.
    assert client.get(XLSX)["Location"] == f"/exports/{job.pk}/"
    assert ExportJob.objects.count() == 1
    body = client.get(INDEX).content.decode()
    assert "排队中" in body and 'hx-trigger="every 2s"' in body and "开始统计" not in body
    job_page = client.get(f"/exports/{job.pk}/").content.decode()
    assert "统计范围内党员 3 名" in job_page and "/party-stats/?org=" in job_page
    asked = AuditLog.objects.get(action=AuditAction.EXPORT)
    assert asked.message.startswith("统计范围内党员 3 名：已交后台生成")


def test_the_workers_workbook_and_page_hold_the_same_figures_as_at_once(
    members, client_as, county_user, settings, django_capture_on_commit_callbacks
):
    client = client_as(county_user)
    at_once = sheets(client.get(XLSX).content)
    live = client.get(INDEX).content.decode()

    settings.ZUZHI_EXPORT_INLINE_MAX = 2
    with django_capture_on_commit_callbacks(execute=True):
        client.get(XLSX)
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE and job.file_name == f"{job.pk}.xlsx"
    download = client.get(f"/exports/{job.pk}/file/")
    assert download["Content-Disposition"].endswith(".xlsx")
    assert sheets(b"".join(download.streaming_content)) == at_once
    assert len(at_once) == len(selectors.PROBLEMS) + 6

    page = client.get(INDEX).content.decode()
    assert "数据截至" in page and "重新统计" in page and f"/exports/{job.pk}/file/" in page
    kept = (settings.ZUZHI_EXPORT_DIR / f"{job.pk}{FIGURES_SUFFIX}").read_text(encoding="utf-8")
    assert kept in page and kept.strip() in live and "未填写学历 1 名" in kept
    # Deleted with the workbook when the keeping time is over; the page says so.
    assert export_files_forget(now=job.finished_at + datetime.timedelta(days=30)) == 1
    assert not list(settings.ZUZHI_EXPORT_DIR.iterdir())
    assert "已在保留期满后删除" in client.get(INDEX).content.decode()


def test_the_job_and_its_figures_are_the_askers_alone(
    members, county, client_as, api_as, county_user, settings, django_capture_on_commit_callbacks
):
    settings.ZUZHI_EXPORT_INLINE_MAX = 2
    with django_capture_on_commit_callbacks(execute=True):
        client_as(county_user).get(XLSX)
    job = ExportJob.objects.get()
    # Another county staff user, whose scope holds the same subtree.
    other_user = user_with_role(Role.COUNTY_STAFF, county.county, username="other")
    other = client_as(other_user)
    for path in ("", "progress/", "file/"):
        assert other.get(f"/exports/{job.pk}/{path}").status_code == 404
    body = other.get(INDEX).content.decode()
    assert "尚未统计" in body and "未填写学历" not in body
    assert api_as(other_user).get("/api/party-stats").json()["job"] != str(job.pk)


def test_a_township_clerk_cannot_start_one_for_another_township(
    members, county, client_as, town_a_user, settings
):
    settings.ZUZHI_EXPORT_INLINE_MAX = 0
    response = client_as(town_a_user).get(XLSX, {"org": county.town_b.pk})
    assert response.status_code == 404 and not ExportJob.objects.exists()


def test_the_api_answers_202_with_the_job_over_a_large_scope(
    members, api_as, county_user, settings, django_capture_on_commit_callbacks
):
    settings.ZUZHI_EXPORT_INLINE_MAX = 2
    api = api_as(county_user)
    with django_capture_on_commit_callbacks(execute=True):
        first = api.get("/api/party-stats")
    assert first.status_code == 202
    job = ExportJob.objects.get()
    body = first.json()
    assert body["job"] == str(job.pk) and body["members"] == 3
    assert body["url"] == f"/exports/{job.pk}/"
    # Done in the worker: asked again, the same job with its file; refresh starts another.
    again = api.get("/api/party-stats").json()
    assert again["job"] == str(job.pk) and again["status"] == "done"
    assert again["file_url"] == f"/exports/{job.pk}/file/"
    assert api.get("/api/party-stats", {"refresh": "true"}).json()["job"] != str(job.pk)
    assert ExportJob.objects.count() == 2


def test_a_scope_lost_before_the_worker_runs_fails_the_report(
    members, client_as, town_a_user, settings
):
    settings.ZUZHI_EXPORT_INLINE_MAX = 0
    client_as(town_a_user).get(XLSX)
    job = ExportJob.objects.get()
    RoleAssignment.objects.filter(user=town_a_user).delete()
    job = export_job_run(job_id=job.pk)
    assert job.status == ExportJob.Status.FAILED and job.error == FORBIDDEN_ERROR
    assert not settings.ZUZHI_EXPORT_DIR.exists() or not list(settings.ZUZHI_EXPORT_DIR.iterdir())
