"""Excel import jobs (导入任务): upload → preview every bad cell → confirm, all or nothing.

The preview is a dry run of the real write path inside a transaction that is rolled back,
so an import is validated by the same services that the pages and the API call.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.module_loading import import_string

from .audit import audit_record
from .bulk import older_objects_frozen
from .excel import Column, ExcelFileError, Row, read_rows
from .models import AuditAction, ImportJob
from .scope import user_scope_paths

logger = logging.getLogger(__name__)


@dataclass
class ImportOutcome:
    summary: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def error(self, row: int | None, column: str, message: str) -> None:
        self.errors.append({"row": row, "column": column, "message": message})

    def count(self, key: str, n: int = 1) -> None:
        self.summary[key] = self.summary.get(key, 0) + n


class Importer(Protocol):
    kind: str
    title: str
    columns: list[Column]
    notes: list[str]

    def apply(
        self,
        *,
        actor,
        rows: list[Row],
        outcome: ImportOutcome,
        progress: Callable[[int], None],
        dry_run: bool,
    ) -> None:
        """Write every row through the domain services, recording row errors in `outcome` and
        counting rows under "created", "updated" or "unchanged". With dry_run the caller rolls
        back anyway; an importer may skip work whose only effect is the write itself."""


def importer_for(kind: str) -> Importer:
    path = settings.ZUZHI_IMPORTERS.get(kind)
    if path is None:
        raise Http404("没有这种导入。")
    return import_string(path)


def validation_messages(exc: ValidationError, headers: dict[str, str]) -> list[tuple[str, str]]:
    """(column header, message) pairs for a service's ValidationError."""
    if hasattr(exc, "error_dict"):
        return [(headers.get(f, ""), m) for f, msgs in exc.message_dict.items() for m in msgs]
    return [("", m) for m in exc.messages]


def _progress_key(job_id) -> str:
    return f"import-progress:{job_id}"


def import_progress(*, job: ImportJob) -> int:
    """Rows processed so far; read from a cache every process shares, since the import's own
    transaction is invisible to other connections until it commits."""
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
        return job.total_rows
    return caches["progress"].get(_progress_key(job.pk), 0)


def _run(
    *, actor, importer: Importer, rows: list[Row], commit: bool, job: ImportJob
) -> ImportOutcome:
    outcome = ImportOutcome()
    cache = caches["progress"]
    step = max(1, len(rows) // 100)
    last = [0]

    def progress(done: int) -> None:
        """Rows done so far; written about every 1 % so the worker is not slowed down."""
        if commit and (done - last[0] >= step or done >= len(rows)):
            last[0] = done
            cache.set(_progress_key(job.pk), min(done, len(rows)), 3600)

    with transaction.atomic():
        importer.apply(
            actor=actor, rows=rows, outcome=outcome, progress=progress, dry_run=not commit
        )
        if outcome.errors or not commit:
            transaction.set_rollback(True)
        elif any(n for key, n in outcome.summary.items() if key != "unchanged"):
            # A file that changes nothing (a re-import) leaves no audit row either.
            roots = user_scope_paths(actor)
            audit_record(
                actor=actor,
                action=AuditAction.IMPORT,
                target=job,
                target_repr=f"{importer.title}：{job.filename}",
                org_path=roots[0] if roots else "",
                after=outcome.summary,
                message=f"导入 {len(rows)} 行",
            )
    outcome.errors.sort(key=lambda e: e["row"] or 0)
    return outcome


SYSTEM_ERROR = "处理时发生系统错误，未写入任何数据，请联系系统管理员。"


def _file_error(message: str) -> list[dict[str, Any]]:
    return [{"row": None, "column": "", "message": message}]


def import_job_create(*, actor, kind: str, filename: str, content: bytes) -> ImportJob:
    """Read and dry-run an uploaded file; the job lists every bad cell or awaits confirmation."""
    importer = importer_for(kind)
    job = ImportJob(kind=kind, created_by=actor, filename=filename[:255], content=content)
    try:
        with older_objects_frozen():
            rows = read_rows(content, columns=importer.columns)
    except ExcelFileError as exc:
        job.status = ImportJob.Status.INVALID
        job.errors = _file_error(str(exc))
        job.content = b""
        job.save()
        return job
    job.total_rows = len(rows)
    job.status = ImportJob.Status.READY
    job.save()
    try:
        with older_objects_frozen():
            outcome = _run(actor=actor, importer=importer, rows=rows, commit=False, job=job)
    except Exception:
        # The dry run rolled back; the uploader gets a page saying so rather than a 500.
        logger.exception("import job %s: preview failed", job.pk)
        outcome = ImportOutcome(errors=_file_error(SYSTEM_ERROR))
    job.errors, job.summary = outcome.errors, outcome.summary
    job.status = ImportJob.Status.INVALID if outcome.errors else ImportJob.Status.READY
    if outcome.errors:
        # A refused file can never be confirmed: keep none of its (personal) data.
        job.content = b""
    job.save(update_fields=["errors", "summary", "status", "content"])
    return job


def import_job_get(*, user, pk) -> ImportJob:
    """Only the uploader sees a job. The file itself is not loaded: the pages poll this."""
    try:
        return ImportJob.objects.defer("content").get(pk=pk, created_by=user)
    except (ImportJob.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404("未找到该导入任务。") from exc


def import_job_confirm(*, actor, job: ImportJob) -> ImportJob:
    """Write a previewed file: now, or through the task worker when it is large."""
    if job.created_by_id != actor.pk:
        raise Http404("未找到该导入任务。")
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.READY).update(
        status=ImportJob.Status.QUEUED
    )
    if not updated:
        raise ValidationError("该导入任务不是待确认状态，不能重复提交。")
    if job.total_rows > settings.ZUZHI_IMPORT_BACKGROUND_ROWS:
        from .tasks import run_import_job

        transaction.on_commit(lambda: run_import_job.enqueue(job_id=str(job.pk)))
    else:
        import_job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def import_job_run(*, job_id) -> ImportJob:
    """Run a confirmed job: every row or none. Re-checks everything, since data and scope
    may have changed since the preview."""
    # Only one runner may take the job, even if the task is delivered twice.
    if not ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING
    ):
        return ImportJob.objects.get(pk=job_id)
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    importer = importer_for(job.kind)
    try:
        with older_objects_frozen():
            rows = read_rows(bytes(job.content), columns=importer.columns)
        with older_objects_frozen():  # now with the rows, which the writing only reads
            outcome = _run(actor=job.created_by, importer=importer, rows=rows, commit=True, job=job)
    except ExcelFileError as exc:
        outcome = ImportOutcome(errors=_file_error(str(exc)))
    except Exception:
        # Nothing was written (the transaction rolled back); the job must not stay "running".
        logger.exception("import job %s failed", job.pk)
        outcome = ImportOutcome(errors=_file_error(SYSTEM_ERROR))
    job.errors, job.summary = outcome.errors, outcome.summary
    job.status = ImportJob.Status.FAILED if outcome.errors else ImportJob.Status.DONE
    job.processed_rows = 0 if outcome.errors else job.total_rows
    # Done or failed, the job cannot run again: the uploaded (personal) data is not kept.
    job.content = b""
    job.save(update_fields=["errors", "summary", "status", "processed_rows", "content"])
    caches["progress"].delete(_progress_key(job.pk))
    return job
