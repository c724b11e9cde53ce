"""Exports too large for a request (导出任务): counted in the request, written by the task
worker to a file in constant memory, downloaded by the user who asked for it.

Each large list registers an exporter in settings.ZUZHI_EXPORTERS: a function
`(*, actor, params, where) -> Export` built on the list's selector with the page's own query
string. The request builds it to count the rows; the worker builds it again as the same user,
so the scope and the filters are applied again when the file is written, by the same code.
"""

import datetime
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.module_loading import import_string

from .audit import audit_record
from .export import xlsx_response, xlsx_write
from .models import AuditAction, ExportJob

logger = logging.getLogger(__name__)

# The worker tells its progress every this many rows.
PROGRESS_STEP = 2000
# Query-string keys that choose the page or the format, not the rows.
NOT_FILTERS = ("export", "page")

FORBIDDEN_ERROR = "您已不能导出这些数据（管理范围、角色或筛选的党组织已变更），文件未生成。"
SYSTEM_ERROR = "导出时发生系统错误，文件未生成。请稍后重试；如仍失败，请联系系统管理员。"


@dataclass(frozen=True)
class Export:
    """A list as its exporter hands it over. `rows` is lazy (nothing is read before the file
    is written) and shows personal data through core.personal.personal_view; `count` is one
    COUNT query of the same rows."""

    headers: list[str]
    rows: Iterable[list]
    count: Callable[[], int]
    filename: str
    target_type: str
    org_path: str = ""


class Exporter(Protocol):
    def __call__(self, *, actor, params: QueryDict, where: str) -> Export:
        """The list as `actor` sees it with the page's query string `params`; a parameter
        naming something out of scope is refused as on the page (Http404). `where` is the
        page, named in the audit row of an unmasked view."""


def exporter_for(kind: str) -> Exporter:
    path = settings.ZUZHI_EXPORTERS.get(kind)
    if path is None:
        raise Http404("没有这种导出。")
    return import_string(path)


def export_or_enqueue(request, *, kind: str, params: QueryDict | None = None) -> HttpResponse:
    """The list's Excel export: up to settings.ZUZHI_EXPORT_INLINE_MAX rows downloaded at
    once, as before; more written by the worker, the user sent to the job's progress page."""
    params = request.GET if params is None else params
    export = exporter_for(kind)(actor=request.user, params=params, where=request.path)
    total = export.count()
    if total <= settings.ZUZHI_EXPORT_INLINE_MAX:
        return xlsx_response(
            actor=request.user,
            filename=export.filename,
            headers=export.headers,
            rows=export.rows,
            target_type=export.target_type,
            org_path=export.org_path,
        )
    job = export_job_create(
        actor=request.user, kind=kind, params=params, where=request.path, export=export, total=total
    )
    return redirect("exports:job", pk=job.pk)


def export_job_create(
    *, actor, kind: str, params: QueryDict, where: str, export: Export, total: int
) -> ExportJob:
    """Queue the export for the worker; the export is audited now (who asked for which rows)
    and again when the file is downloaded."""
    export_files_forget()
    with transaction.atomic():
        job = ExportJob.objects.create(
            kind=kind,
            params={k: params.getlist(k) for k in params if k not in NOT_FILTERS},
            page_path=where[:255],
            created_by=actor,
            org_path=export.org_path,
            filename=export.filename[:255],
            target_type=export.target_type,
            total_rows=total,
        )
        audit_record(
            actor=actor,
            action=AuditAction.EXPORT,
            target_type=export.target_type,
            target_repr=export.filename,
            org_path=export.org_path,
            message=f"导出 {total} 行：已交后台生成（导出任务 {job.pk}）",
        )
        from .tasks import run_export_job

        transaction.on_commit(lambda: run_export_job.enqueue(job_id=str(job.pk)))
    return job


def _progress_key(job_id) -> str:
    return f"export-progress:{job_id}"


def _query(params: dict[str, list[str]]) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, values in params.items():
        query.setlist(key, values)
    return query


def _reported(job: ExportJob, rows: Iterable[list]) -> Iterator[list]:
    """`rows`, telling the progress every PROGRESS_STEP rows through a cache every process
    shares (as imports do: the pages read it without waiting on the worker's database work)."""
    cache = caches["progress"]
    for done, row in enumerate(rows, start=1):
        yield row
        if done % PROGRESS_STEP == 0:
            cache.set(_progress_key(job.pk), done, 86400)


def export_job_run(*, job_id) -> ExportJob:
    """Write a queued job's file. The exporter is built again as the job's user: a scope or
    role lost since the request refuses the export (the job fails, saying why)."""
    # Only one runner may take the job, even if the task is delivered twice.
    if not ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING
    ):
        return ExportJob.objects.get(pk=job_id)
    job = ExportJob.objects.select_related("created_by").get(pk=job_id)
    directory = Path(settings.ZUZHI_EXPORT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{job.pk}.xlsx"
    # Written under another name and renamed when complete: a half-written file is never served.
    partial = directory / f"{job.pk}.writing.xlsx"
    try:
        export = exporter_for(job.kind)(
            actor=job.created_by, params=_query(job.params), where=job.page_path
        )
        count = xlsx_write(
            partial,
            headers=export.headers,
            rows=_reported(job, export.rows),
            sheet_name=export.filename,
        )
        partial.replace(directory / name)
    except (Http404, PermissionDenied):
        job.status, job.error = ExportJob.Status.FAILED, FORBIDDEN_ERROR
    except Exception:
        logger.exception("export job %s failed", job.pk)
        job.status, job.error = ExportJob.Status.FAILED, SYSTEM_ERROR
    else:
        job.status, job.file_name = ExportJob.Status.DONE, name
        job.total_rows = job.processed_rows = count
    if job.status == ExportJob.Status.FAILED:
        partial.unlink(missing_ok=True)
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "error",
            "file_name",
            "total_rows",
            "processed_rows",
            "finished_at",
        ]
    )
    caches["progress"].delete(_progress_key(job.pk))
    return job


def export_progress(*, job: ExportJob) -> int:
    """Rows written so far."""
    if job.status == ExportJob.Status.DONE:
        return job.processed_rows
    if job.status == ExportJob.Status.FAILED:
        return 0
    return min(caches["progress"].get(_progress_key(job.pk), 0), job.total_rows)


def export_worker_missing(*, job: ExportJob) -> bool:
    """A job that no worker has taken after ZUZHI_WORKER_WAIT_SECONDS: the page says so
    instead of showing 排队中 forever."""
    return job.status == ExportJob.Status.QUEUED and timezone.now() - (
        job.created_at
    ) > datetime.timedelta(seconds=settings.ZUZHI_WORKER_WAIT_SECONDS)


def export_job_get(*, user, pk) -> ExportJob:
    """Only the user who asked for an export sees its job, whatever their scope."""
    try:
        return ExportJob.objects.get(pk=pk, created_by=user)
    except (ExportJob.DoesNotExist, ValueError) as exc:
        raise Http404("未找到该导出任务。") from exc


def export_job_list(*, user):
    """我的导出: the user's export jobs, newest first."""
    return ExportJob.objects.filter(created_by=user).order_by("-created_at")


def export_file_response(*, user, job: ExportJob) -> FileResponse:
    """The written file, for the job's user only; each download is audited like an export."""
    if job.created_by_id != user.pk or job.status != ExportJob.Status.DONE or not job.file_name:
        raise Http404("该导出文件不存在或已按规定删除。")
    try:
        handle = open(Path(settings.ZUZHI_EXPORT_DIR) / job.file_name, "rb")
    except FileNotFoundError as exc:
        raise Http404("该导出文件不存在或已按规定删除。") from exc
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        target_type=job.target_type,
        target_repr=job.filename,
        org_path=job.org_path,
        message=f"下载导出文件：{job.processed_rows} 行（导出任务 {job.pk}）",
    )
    stamp = timezone.localtime(job.created_at).strftime("%Y%m%d%H%M")
    # FileResponse closes the file when the answer has been sent.
    return FileResponse(handle, as_attachment=True, filename=f"{job.filename}-{stamp}.xlsx")


def export_files_forget(*, now: datetime.datetime | None = None) -> int:
    """Delete the files written more than ZUZHI_EXPORT_KEEP_DAYS ago (they hold personal
    data); the jobs stay listed, marked as deleted. Runs whenever an export job is created."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.ZUZHI_EXPORT_KEEP_DAYS)
    old = ExportJob.objects.filter(finished_at__lt=cutoff).exclude(file_name="")
    directory = Path(settings.ZUZHI_EXPORT_DIR)
    names = list(old.values_list("file_name", flat=True))
    for name in names:
        (directory / name).unlink(missing_ok=True)
    old.update(file_name="")
    return len(names)
