"""Exports too large for a request (导出任务): counted in the request, written by the task
worker to a file in constant memory, downloaded by the user who asked for it.

Each large list registers an exporter in settings.ZUZHI_EXPORTERS: a function
`(*, actor, params, where) -> Export` built on the list's selector with the page's own query
string. The request builds it to count the rows; the worker builds it again as the same user,
so the scope and the filters are applied again when the file is written, by the same code.

A report laid out by its own module (党内统计's workbook, the overview's PDF) registers in
settings.ZUZHI_REPORTS a function of the same arguments returning a `Report`: over a scope of
more than ZUZHI_EXPORT_INLINE_MAX members the worker computes it, writes its file and keeps
the figures of its page beside it, which the page then shows with their time (数据截至).
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
from django.utils.safestring import SafeString, mark_safe

from .audit import audit_record
from .export import xlsx_response, xlsx_write
from .models import AuditAction, ExportJob

logger = logging.getLogger(__name__)

# The worker tells its progress every this many rows.
PROGRESS_STEP = 2000
# Query-string keys that choose the page or the format, not the rows.
NOT_FILTERS = ("export", "page")
# A report's page figures are kept beside its file under this suffix (deleted with it).
FIGURES_SUFFIX = ".figures.html"

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


@dataclass(frozen=True)
class Report:
    """A report as its exporter hands it over. `count` is the members of its scope, from the
    kept figures (one cheap query): the measure against ZUZHI_EXPORT_INLINE_MAX. `build`
    computes it and returns the file's content and the figures of its page as HTML, rendered
    from the same figures (the aggregates are small: the content is held whole)."""

    count: Callable[[], int]
    build: Callable[[], tuple[bytes, str]]
    filename: str
    extension: str
    target_type: str
    org_path: str = ""


class Exporter(Protocol):
    def __call__(self, *, actor, params: QueryDict, where: str) -> Export:
        """The list as `actor` sees it with the page's query string `params`; a parameter
        naming something out of scope is refused as on the page (Http404). `where` is the
        page, named in the audit row of an unmasked view."""


def exporter_for(kind: str) -> Exporter:
    path = settings.ZUZHI_EXPORTERS.get(kind) or settings.ZUZHI_REPORTS.get(kind)
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
    *, actor, kind: str, params: QueryDict, where: str, export: Export | Report, total: int
) -> ExportJob:
    """Queue the export for the worker; the export is audited now (who asked for which rows)
    and again when the file is downloaded."""
    asked = f"统计范围内党员 {total} 名" if isinstance(export, Report) else f"导出 {total} 行"
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
            message=f"{asked}：已交后台生成（导出任务 {job.pk}）",
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
    # Written under another name and renamed when complete: a half-written file is never served.
    partial = directory / f"{job.pk}.writing.xlsx"
    figures_path = directory / f"{job.pk}{FIGURES_SUFFIX}"
    try:
        export = exporter_for(job.kind)(
            actor=job.created_by, params=_query(job.params), where=job.page_path
        )
        if isinstance(export, Report):
            # Its size is the members counted when it was asked for; nothing is written by row.
            count, name = job.total_rows, f"{job.pk}.{export.extension}"
            content, figures = export.build()
            partial.write_bytes(content)
            figures_path.write_text(figures, encoding="utf-8")
        else:
            name = f"{job.pk}.xlsx"
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
        figures_path.unlink(missing_ok=True)
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
    size = f"统计范围内党员 {job.total_rows} 名" if job.is_report else f"{job.processed_rows} 行"
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        target_type=job.target_type,
        target_repr=job.filename,
        org_path=job.org_path,
        message=f"下载导出文件：{size}（导出任务 {job.pk}）",
    )
    stamp = timezone.localtime(job.created_at).strftime("%Y%m%d%H%M")
    # FileResponse closes the file when the answer has been sent.
    extension = Path(job.file_name).suffix
    return FileResponse(handle, as_attachment=True, filename=f"{job.filename}-{stamp}{extension}")


def export_files_forget(*, now: datetime.datetime | None = None) -> int:
    """Delete the files written more than ZUZHI_EXPORT_KEEP_DAYS ago (they hold personal
    data); the jobs stay listed, marked as deleted. Runs whenever an export job is created."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.ZUZHI_EXPORT_KEEP_DAYS)
    old = ExportJob.objects.filter(finished_at__lt=cutoff).exclude(file_name="")
    directory = Path(settings.ZUZHI_EXPORT_DIR)
    names = list(old.values_list("file_name", flat=True))
    for name in names:
        (directory / name).unlink(missing_ok=True)
        (directory / (Path(name).stem + FIGURES_SUFFIX)).unlink(missing_ok=True)
    old.update(file_name="")
    return len(names)


# --- reports (settings.ZUZHI_REPORTS) -------------------------------------------------------


def report_is_large(*, members: int) -> bool:
    """A report over more members than ZUZHI_EXPORT_INLINE_MAX is computed by the worker."""
    return members > settings.ZUZHI_EXPORT_INLINE_MAX


def report_in_worker(
    request, *, kind: str, members: int, params: QueryDict, where: str
) -> HttpResponse | None:
    """For a report over `members` that is large: its job started (or the one running) and the
    way to its progress page; None for a report small enough to answer at once."""
    if not report_is_large(members=members):
        return None
    job = report_job_start(actor=request.user, kind=kind, params=params, where=where)
    return redirect("exports:job", pk=job.pk)


def _same_params(job: ExportJob, params: QueryDict) -> bool:
    return job.params == {k: params.getlist(k) for k in params if k not in NOT_FILTERS}


def report_job_last(*, user, kind: str, params: QueryDict) -> ExportJob | None:
    """The user's newest job of this report with these parameters (the user's own only:
    another user's figures were computed in that user's scope and roles)."""
    # A user asks for a few reports a day: the newest few jobs of the kind are enough to look at.
    recent = ExportJob.objects.filter(created_by=user, kind=kind).order_by("-created_at")[:20]
    return next((job for job in recent if _same_params(job, params)), None)


def report_job_start(*, actor, kind: str, params: QueryDict, where: str) -> ExportJob:
    """Queue the report for the worker, as `actor` (the exporter refuses a subtree out of
    scope); a job of the same report still queued or running is returned instead of a second."""
    last = report_job_last(user=actor, kind=kind, params=params)
    if last is not None and last.status in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING):
        return last
    report = exporter_for(kind)(actor=actor, params=params, where=where)
    return export_job_create(
        actor=actor,
        kind=kind,
        params=params,
        where=where,
        export=report,
        total=report.count(),
    )


def report_figures(*, job: ExportJob | None) -> SafeString | None:
    """The page figures a finished report job kept (rendered by the app's own template, so
    escaped there), or None when there are none or they were deleted with the file."""
    if job is None or job.status != ExportJob.Status.DONE or not job.file_name:
        return None
    path = Path(settings.ZUZHI_EXPORT_DIR) / (Path(job.file_name).stem + FIGURES_SUFFIX)
    try:
        return mark_safe(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def report_state(*, user, kind: str, params: QueryDict, members: int, start_url: str) -> dict:
    """What a report's page shows over a large scope (core/_report_state.html): the user's
    last job of it, the figures it kept, and `start_url`, which starts it again."""
    job = report_job_last(user=user, kind=kind, params=params)
    return {
        "members": members,
        "inline_max": settings.ZUZHI_EXPORT_INLINE_MAX,
        "job": job,
        "figures": report_figures(job=job),
        "worker_missing": job is not None and export_worker_missing(job=job),
        "start_url": start_url,
    }
