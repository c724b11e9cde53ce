"""Exports too long for a request (导出任务): above settings.ZUZHI_EXPORT_INLINE_MAX rows the
list is written by the worker to a file with a progress page, the same rows and masking as the
download at once, audited when asked for and when downloaded, for the user who asked alone."""

import datetime
import io

import pytest
from django.utils import timezone
from python_calamine import CalamineWorkbook

from zuzhi.accounts.models import RoleAssignment
from zuzhi.core import export as core_export
from zuzhi.core.export import xlsx_bytes
from zuzhi.core.export_jobs import (
    FORBIDDEN_ERROR,
    SYSTEM_ERROR,
    Export,
    export_files_forget,
    export_job_run,
)
from zuzhi.core.models import AuditAction, AuditLog, ExportJob
from zuzhi.testing.factories import make_member, valid_id_number

LIST = "/members/"


@pytest.fixture(autouse=True)
def _export_dir(settings, tmp_path):
    settings.ZUZHI_EXPORT_DIR = tmp_path / "exports"


@pytest.fixture
def members(county):
    return [
        make_member(
            county.village_a1 if i % 2 else county.village_a2,
            name=f"党员{i}",
            id_number=valid_id_number(sequence=100 + i),
            phone=f"1381234{i:04d}",
        )
        for i in range(5)
    ]


def sheet(content: bytes, index: int = 0) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(index).to_python()


def file_rows(response) -> list[list]:
    assert response.status_code == 200, response
    return sheet(b"".join(response.streaming_content))


def exports(**kwargs):
    return AuditLog.objects.filter(action=AuditAction.EXPORT, **kwargs).order_by("id")


def enqueue(client, params, django_capture_on_commit_callbacks):
    """Ask for an export and let the test's "worker" run it, as the ImmediateBackend does
    once the request's transaction commits."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(LIST, {**params, "export": "xlsx"})
    assert response.status_code == 302, response
    return ExportJob.objects.get(), response["Location"]


def test_a_short_list_is_downloaded_at_once_as_before(members, client_as, town_a_user):
    response = client_as(town_a_user).get(LIST, {"export": "xlsx", "sort": "name"})
    rows = sheet(response.content)
    assert [r[0] for r in rows[1:]] == [f"党员{i}" for i in range(5)]
    assert not ExportJob.objects.exists()
    assert exports().get().message == "导出 5 行"


@pytest.mark.parametrize("user_fixture", ["town_a_user", "county_user"])
def test_a_long_list_is_written_by_the_worker_with_the_same_rows_and_masking(
    request, members, client_as, settings, django_capture_on_commit_callbacks, user_fixture
):
    user = request.getfixturevalue(user_fixture)
    client = client_as(user)
    params = {"sort": "name", "status": "full"}
    at_once = sheet(client.get(LIST, {**params, "export": "xlsx"}).content)
    unmasked_at_once = AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL).count()

    settings.ZUZHI_EXPORT_INLINE_MAX = 3
    job, location = enqueue(client, params, django_capture_on_commit_callbacks)
    assert location == f"/exports/{job.pk}/"
    assert job.status == ExportJob.Status.DONE and job.created_by == user
    assert job.total_rows == job.processed_rows == 5
    page = client.get(location).content.decode()
    assert "已完成" in page and f"/exports/{job.pk}/file/" in page
    in_worker = file_rows(client.get(f"/exports/{job.pk}/file/"))
    assert in_worker == at_once and len(in_worker) == 6
    # Masked for the township (138****0001), in full for the county, as at once; an unmasked
    # export is audited as such in the worker too.
    phone = in_worker[2][12]
    assert (phone == "13812340001") == (user_fixture == "county_user")
    assert "*" in in_worker[1][1] or user_fixture == "county_user"
    unmasked = AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL).count()
    assert unmasked == 2 * unmasked_at_once
    # Audited when asked for and when downloaded (after the one at once).
    asked, downloaded = exports(actor=user)[1:]
    assert asked.message.startswith("导出 5 行：已交后台生成") and asked.target_type == (
        "members.member"
    )
    assert downloaded.message.startswith("下载导出文件：5 行")


def test_the_job_and_its_file_are_the_askers_alone(
    members, client_as, town_a_user, county_user, settings, django_capture_on_commit_callbacks
):
    settings.ZUZHI_EXPORT_INLINE_MAX = 3
    job, _ = enqueue(client_as(town_a_user), {}, django_capture_on_commit_callbacks)
    # Even a user whose scope holds every row of it.
    other = client_as(county_user)
    for path in ("", "progress/", "file/"):
        assert other.get(f"/exports/{job.pk}/{path}").status_code == 404
    assert str(job.pk) not in other.get("/exports/").content.decode()
    assert not exports(actor=county_user).exists()
    mine = client_as(town_a_user).get("/exports/").content.decode()
    assert f"/exports/{job.pk}/file/" in mine


def test_an_out_of_scope_filter_is_refused_as_on_the_page(
    members, county, client_as, town_a_user, settings
):
    settings.ZUZHI_EXPORT_INLINE_MAX = 3
    client = client_as(town_a_user)
    assert client.get(LIST, {"org": county.town_b.pk}).status_code == 404
    assert client.get(LIST, {"org": county.town_b.pk, "export": "xlsx"}).status_code == 404
    assert not ExportJob.objects.exists() and not exports().exists()


def test_a_scope_lost_before_the_worker_runs_fails_the_job(
    members, county, client_as, town_a_user, settings
):
    settings.ZUZHI_EXPORT_INLINE_MAX = 3
    client = client_as(town_a_user)
    # Queued (the test's transaction never commits, so no worker takes it yet).
    response = client.get(LIST, {"org": county.town_a.pk, "export": "xlsx"})
    job = ExportJob.objects.get()
    assert response["Location"] == f"/exports/{job.pk}/"
    progress = client.get(f"/exports/{job.pk}/progress/").content.decode()
    assert 'hx-trigger="every 2s"' in progress and "排队中" in progress
    RoleAssignment.objects.filter(user=town_a_user).delete()
    job = export_job_run(job_id=job.pk)
    assert job.status == ExportJob.Status.FAILED and job.error == FORBIDDEN_ERROR
    assert not list(job_dir(settings).iterdir())


def job_dir(settings):
    settings.ZUZHI_EXPORT_DIR.mkdir(parents=True, exist_ok=True)
    return settings.ZUZHI_EXPORT_DIR


def failing_export(*, actor, params, where):
    def rows():
        yield ["一"]
        raise RuntimeError("disk full")

    return Export(
        headers=["列"], rows=rows(), count=lambda: 100, filename="测试", target_type="x.y"
    )


def test_a_failure_in_the_exporter_marks_the_job_failed_in_chinese(
    county, client_as, town_a_user, settings, django_capture_on_commit_callbacks
):
    settings.ZUZHI_EXPORT_INLINE_MAX = 3
    settings.ZUZHI_EXPORTERS = {
        **settings.ZUZHI_EXPORTERS,
        "members": "zuzhi.core.tests.test_export_jobs.failing_export",
    }
    client = client_as(town_a_user)
    job, location = enqueue(client, {}, django_capture_on_commit_callbacks)
    assert job.status == ExportJob.Status.FAILED and job.error == SYSTEM_ERROR
    assert job.finished_at is not None and not job.file_name
    assert not list(job_dir(settings).iterdir())  # no half-written file is left
    page = client.get(location).content.decode()
    assert SYSTEM_ERROR in page and "hx-get" not in page
    assert client.get(f"/exports/{job.pk}/file/").status_code == 404


def test_files_are_deleted_after_the_keeping_time(
    members, client_as, town_a_user, settings, django_capture_on_commit_callbacks
):
    settings.ZUZHI_EXPORT_INLINE_MAX = 3
    settings.ZUZHI_EXPORT_KEEP_DAYS = 3
    client = client_as(town_a_user)
    job, _ = enqueue(client, {}, django_capture_on_commit_callbacks)
    assert export_files_forget(now=timezone.now() + datetime.timedelta(days=2)) == 0
    assert export_files_forget(now=timezone.now() + datetime.timedelta(days=4)) == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and not job.file_name
    assert not list(job_dir(settings).iterdir())
    assert client.get(f"/exports/{job.pk}/file/").status_code == 404
    assert "已删除" in client.get("/exports/").content.decode()


def test_a_sheet_past_excels_row_limit_goes_on_in_another(monkeypatch):
    monkeypatch.setattr(core_export, "XLSX_MAX_ROWS", 3)
    content = xlsx_bytes(headers=["姓名"], rows=([f"党员{i}"] for i in range(5)), sheet_name="名册")
    assert sheet(content, 0) == [["姓名"], ["党员0"], ["党员1"]]
    assert sheet(content, 1) == [["姓名"], ["党员2"], ["党员3"]]
    assert sheet(content, 2) == [["姓名"], ["党员4"]]
    names = CalamineWorkbook.from_filelike(io.BytesIO(content)).sheet_names
    assert names == ["名册", "名册（2）", "名册（3）"]


# Each registered exporter: its list's export URL and a user who may export it.
EXPORT_URLS = {
    "members": ("/members/?export=xlsx&sort=name", "county_user"),
    "orgs": ("/orgs/?export=xlsx", "county_user"),
    "households": ("/households/export/", "county_user"),
    "tickets": ("/tickets/export/", "county_user"),
    "audit": ("/audit/?export=xlsx&action=create", "auditor_user"),
    "points": ("/points/?export=xlsx&year=2026", "county_user"),
    "dues_arrears": ("/dues/?export=xlsx", "county_user"),
}


def test_every_exporter_is_exercised_below(settings):
    assert set(settings.ZUZHI_EXPORTERS) == set(EXPORT_URLS)


@pytest.mark.parametrize("kind", sorted(EXPORT_URLS))
def test_each_exporter_writes_in_the_worker_what_it_downloads_at_once(
    kind, request, members, client_as, settings, django_capture_on_commit_callbacks
):
    url, user_fixture = EXPORT_URLS[kind]
    client = client_as(request.getfixturevalue(user_fixture))
    at_once = sheet(client.get(url).content)
    settings.ZUZHI_EXPORT_INLINE_MAX = -1  # even an empty list goes to the worker
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url)
    job = ExportJob.objects.get()
    assert response["Location"] == f"/exports/{job.pk}/"
    assert (job.kind, job.status, job.error) == (kind, ExportJob.Status.DONE, "")
    assert file_rows(client.get(f"/exports/{job.pk}/file/")) == at_once


def test_the_member_export_reads_any_number_of_rows_in_the_same_queries(
    members, county, client_as, county_user
):
    """The export reads only the columns it writes: none is fetched again row by row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(county_user)
    with CaptureQueriesContext(connection) as five:
        assert len(sheet(client.get(LIST, {"export": "xlsx"}).content)) == 6
    for i in range(5):
        make_member(county.village_b1, name=f"乙{i}", id_number=valid_id_number(sequence=200 + i))
    with CaptureQueriesContext(connection) as ten:
        assert len(sheet(client.get(LIST, {"export": "xlsx"}).content)) == 11
    assert len(ten) <= len(five)
