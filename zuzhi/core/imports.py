"""Excel import jobs (导入任务): upload → preview every bad cell → confirm, all or nothing.

The preview is a dry run of the real write path inside a transaction that is rolled back,
so an import is validated by the same services that the pages and the API call.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.module_loading import import_string

from .audit import audit_record
from .bulk import older_objects_frozen
from .cells import PartialDate, format_partial
from .excel import (
    Column,
    ExcelFileError,
    Row,
    SheetChoiceNeeded,
    SheetRead,
    read_sheet,
)
from .models import AuditAction, ImportJob
from .parsed import rows_pack, rows_unpack
from .scope import user_scope_paths
from .xlsx_template import template_bytes

logger = logging.getLogger(__name__)

# The preview lists at most this many notices and updates (a re-import of 100,000 members
# would otherwise store each); the count of the rest is shown.
LISTED_MAX = 2000


@dataclass
class ImportOutcome:
    summary: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    notices: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    identity_rows: list[int] = field(default_factory=list)

    def error(self, row: int | None, column: str, message: str) -> None:
        self.errors.append({"row": row, "column": column, "message": message})

    def notice(self, row: int | None, column: str, message: str) -> None:
        self.notices.append({"row": row, "column": column, "message": message})

    def change(self, row: int, fields: list[dict[str, Any]]) -> None:
        """An update of an existing record, as (label, old, new, identity) per changed field;
        a row changing an identity field needs the uploader's explicit confirmation."""
        identity = any(f.get("identity") for f in fields)
        if identity:
            self.identity_rows.append(row)
        # A change of who someone is is always listed: it must be ticked to be written.
        if identity or len(self.changes) < LISTED_MAX:
            self.changes.append({"row": row, "fields": fields})
        else:
            self.count("changes_unlisted")

    def count(self, key: str, n: int = 1) -> None:
        self.summary[key] = self.summary.get(key, 0) + n


class Importer(Protocol):
    kind: str
    title: str
    columns: list[Column]
    notes: list[str]
    # The field that names a row's person or object in error lines (e.g. "name").
    label_field: str

    def apply(
        self,
        *,
        actor,
        rows: list[Row],
        outcome: ImportOutcome,
        progress: Callable[[int], None],
        dry_run: bool,
        confirmed: frozenset[int],
        params: dict[str, Any],
    ) -> None:
        """Write every row through the domain services, recording row errors in `outcome` and
        counting rows under "created", "updated" or "unchanged". With dry_run the caller rolls
        back anyway; an importer may skip work whose only effect is the write itself.
        `confirmed` holds the rows whose identity changes the uploader confirmed (without
        confirmation such a row is only listed in the preview, and refused when writing); `params`
        says which import of the kind this is (e.g. the contest of an indicator sheet)."""


def importer_columns(importer: Importer, *, actor, params: dict[str, Any]) -> list[Column]:
    """The template's columns; some imports have columns of their own per params (the
    indicators of one contest as columns of a wide sheet)."""
    columns_for = getattr(importer, "columns_for", None)
    return columns_for(actor=actor, params=params) if columns_for else importer.columns


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


def _describe(
    errors: list[dict[str, Any]], rows: list[Row], importer: Importer, columns: list[Column]
) -> None:
    """Each error line names the person (or object) of its row and the value in the cell, so
    that the clerk finds it without counting rows. A cell that could not be read is shown as
    it stood; one that was read but broke a rule (性别 against the ID number) as it was read,
    in the importer's words (`shown_value(field, value)`: 女 rather than the code 2)."""
    label_field = getattr(importer, "label_field", "")
    shown_value = getattr(importer, "shown_value", None)
    fields = {c.header: c.field for c in columns}
    by_number = {r.number: r for r in rows}
    for error in errors:
        row = by_number.get(error["row"])
        if row is None:
            continue
        who = row.values.get(label_field) if label_field else None
        error["who"] = str(who) if who not in (None, "") else ""
        value = row.shown.get(error["column"])
        field_name = fields.get(error["column"])
        if value is None and field_name is not None:
            value = row.values.get(field_name)
            if value is not None and shown_value is not None:
                value = shown_value(field_name, value)
        error["value"] = _shown(value)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, PartialDate):
        return format_partial(value)
    if isinstance(value, float) and value.is_integer():
        return f"{value:.0f}" if abs(value) < 1e15 else f"{value:.5E}"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%Y-%m-%d")
    return str(value)[:100]


def _run(
    *,
    actor,
    importer: Importer,
    sheet: SheetRead,
    commit: bool,
    job: ImportJob,
) -> ImportOutcome:
    rows = sheet.rows
    outcome = ImportOutcome(notices=list(sheet.notices))
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
            actor=actor,
            rows=rows,
            outcome=outcome,
            progress=progress,
            dry_run=not commit,
            confirmed=frozenset(job.confirmed_rows),
            params=job.params,
        )
        if outcome.errors or not commit:
            transaction.set_rollback(True)
        elif any(n for key, n in outcome.summary.items() if key in ("created", "updated")):
            # A file that changes nothing (a re-import) leaves no audit row either.
            roots = user_scope_paths(actor)
            audit_record(
                actor=actor,
                action=AuditAction.IMPORT,
                target=job,
                target_repr=f"{importer.title}：{job.filename}",
                org_path=roots[0] if roots else "",
                after=outcome.summary,
                message=f"导入 {len(rows)} 行（工作表“{sheet.sheet}”）",
            )
    outcome.errors.sort(key=lambda e: e["row"] or 0)
    _describe(
        outcome.errors, rows, importer, importer_columns(importer, actor=actor, params=job.params)
    )
    cells = [n for n in outcome.notices if n.get("cell")]
    if len(cells) > LISTED_MAX:
        # Only notes on single cells are shortened: what was skipped or assumed for the file
        # or many rows is always shown.
        dropped = {id(n) for n in cells[LISTED_MAX:]}
        outcome.notices = [n for n in outcome.notices if id(n) not in dropped]
        outcome.notice(None, "", f"另有 {len(dropped)} 条单元格读取说明未列出。")
    return outcome


SYSTEM_ERROR = "处理时发生系统错误，未写入任何数据，请联系系统管理员。"


def _file_error(message: str) -> list[dict[str, Any]]:
    return [{"row": None, "column": "", "message": message}]


def _fields(importer: Importer, actor, job: ImportJob) -> list[str]:
    return [c.field for c in importer_columns(importer, actor=actor, params=job.params)]


def _read(job: ImportJob, importer: Importer, actor) -> SheetRead:
    columns = importer_columns(importer, actor=actor, params=job.params)
    with older_objects_frozen():
        return read_sheet(
            bytes(job.content),
            columns=columns,
            filename=job.filename,
            sheet=job.sheet_name or None,
        )


def _keep_window() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=settings.ZUZHI_IMPORT_KEEP_HOURS)


def import_files_forget() -> int:
    """Drop the files of jobs past their keeping time (refused or never confirmed): the
    uploaded sheets hold personal data. Runs with every upload and before a kept file is
    used again (its marked copy, a sheet choice)."""
    return ImportJob.objects.filter(kept_until__lt=timezone.now()).update(
        content=b"", parsed=b"", kept_until=None
    )


def import_job_create(
    *,
    actor,
    kind: str,
    filename: str,
    content: bytes,
    params: dict[str, Any] | None = None,
) -> ImportJob:
    """Read and dry-run an uploaded file; the job lists every bad cell or awaits confirmation
    (or asks which sheet, when several match the template)."""
    importer = importer_for(kind)
    import_files_forget()
    job = ImportJob(
        kind=kind,
        created_by=actor,
        filename=filename[:255],
        content=content,
        params=params or {},
        kept_until=_keep_window(),
    )
    job.save()
    return _check(job=job, importer=importer, actor=actor)


def import_job_choose_sheet(*, actor, job: ImportJob, sheet: str) -> ImportJob:
    """Check the file again, reading the sheet the uploader chose."""
    if job.created_by_id != actor.pk:
        raise Http404("未找到该导入任务。")
    if job.status != ImportJob.Status.CHOOSE_SHEET:
        if job.sheet_name == sheet:
            return job  # the same choice sent twice (a double click)
        raise ValidationError("该导入任务已选定工作表，请重新上传文件以选择其他工作表。")
    if sheet not in job.sheet_choices:
        raise ValidationError("请选择文件中的一个工作表。")
    import_files_forget()
    job = ImportJob.objects.get(pk=job.pk)
    if not job.content:
        raise ValidationError("上传的文件已超过保留时间被删除，请重新上传。")
    job.sheet_name = sheet
    return _check(job=job, importer=importer_for(job.kind), actor=actor)


def _check(*, job: ImportJob, importer: Importer, actor) -> ImportJob:
    job.errors, job.notices, job.changes, job.identity_rows, job.summary = [], [], [], [], {}
    try:
        sheet = _read(job, importer, actor)
    except SheetChoiceNeeded as exc:
        job.status = ImportJob.Status.CHOOSE_SHEET
        job.sheet_choices = exc.choices
        job.errors = _file_error(str(exc))
        job.save()
        return job
    except Exception as exc:
        if not isinstance(exc, ExcelFileError):
            # A reader library failing on a file it cannot handle: the uploader is told, a
            # 500 is not the answer.
            logger.exception("import job %s: file unreadable", job.pk)
            exc = ExcelFileError(
                "无法读取该文件，文件可能已损坏。请在 Excel 或 WPS 中打开后另存为 .xlsx 再上传。"
            )
        job.status = ImportJob.Status.INVALID
        job.errors = _file_error(str(exc))
        job.content = b""
        job.kept_until = None
        job.save()
        return job
    job.sheet_name = sheet.sheet
    job.total_rows = len(sheet.rows)
    job.status = ImportJob.Status.READY
    job.parsed = b""
    job.save()
    try:
        with older_objects_frozen():
            outcome = _run(actor=actor, importer=importer, sheet=sheet, commit=False, job=job)
    except Exception:
        # The dry run rolled back; the uploader gets a page saying so rather than a 500.
        logger.exception("import job %s: preview failed", job.pk)
        outcome = ImportOutcome(errors=_file_error(SYSTEM_ERROR))
        job.content, job.kept_until = b"", None
    job.errors, job.summary, job.notices = outcome.errors, outcome.summary, outcome.notices
    job.changes, job.identity_rows = outcome.changes, outcome.identity_rows
    job.status = ImportJob.Status.INVALID if outcome.errors else ImportJob.Status.READY
    if not outcome.errors:
        with older_objects_frozen():
            job.parsed = rows_pack(sheet, _fields(importer, actor, job))
    job.save()
    return job


def import_job_get(*, user, pk) -> ImportJob:
    """Only the uploader sees a job. The file itself is not loaded: the pages poll this."""
    try:
        return ImportJob.objects.defer("content", "parsed").get(pk=pk, created_by=user)
    except (ImportJob.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404("未找到该导入任务。") from exc


def import_job_confirm(*, actor, job: ImportJob, confirmed_rows: list[int] = ()) -> ImportJob:
    """Write a previewed file: now, or through the task worker when it is large. Every row
    whose update changes who someone is must be among `confirmed_rows`."""
    if job.created_by_id != actor.pk:
        raise Http404("未找到该导入任务。")
    unconfirmed = sorted(set(job.identity_rows) - set(confirmed_rows))
    if unconfirmed:
        raise ValidationError(
            "以下行会改变人员的姓名、出生日期或性别，请逐行核对并勾选确认，"
            "或修改文件后重新上传：第 " + "、".join(map(str, unconfirmed[:50])) + " 行。"
        )
    now = timezone.now()
    # A queued job's file is no longer subject to the keeping time: it is about to be read.
    updated = ImportJob.objects.filter(
        pk=job.pk, status=ImportJob.Status.READY, kept_until__gt=now
    ).update(
        status=ImportJob.Status.QUEUED,
        queued_at=now,
        kept_until=None,
        confirmed_rows=sorted(set(confirmed_rows) & set(job.identity_rows)),
    )
    if not updated:
        if ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.READY).exists():
            raise ValidationError(
                f"上传的文件已超过保留时间（{settings.ZUZHI_IMPORT_KEEP_HOURS} 小时）被删除，"
                "请重新上传。"
            )
        raise ValidationError("该导入任务不是待确认状态，不能重复提交。")
    if job.total_rows > settings.ZUZHI_IMPORT_BACKGROUND_ROWS:
        from .tasks import run_import_job

        transaction.on_commit(lambda: run_import_job.enqueue(job_id=str(job.pk)))
    else:
        import_job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def import_worker_missing(*, job: ImportJob) -> bool:
    """A queued job that no worker has taken after ZUZHI_WORKER_WAIT_SECONDS: the page says
    so instead of showing 排队中 forever."""
    return (
        job.status == ImportJob.Status.QUEUED
        and job.queued_at is not None
        and timezone.now() - job.queued_at
        > datetime.timedelta(seconds=settings.ZUZHI_WORKER_WAIT_SECONDS)
    )


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
        # The rows the preview read, unless the importer's columns have changed since.
        with older_objects_frozen():
            sheet = rows_unpack(bytes(job.parsed), _fields(importer, job.created_by, job))
        if sheet is None:
            sheet = _read(job, importer, job.created_by)
        with older_objects_frozen():  # now with the rows, which the writing only reads
            outcome = _run(
                actor=job.created_by, importer=importer, sheet=sheet, commit=True, job=job
            )
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
    job.content = job.parsed = b""
    job.kept_until = None
    job.save(
        update_fields=[
            "errors",
            "summary",
            "status",
            "processed_rows",
            "content",
            "parsed",
            "kept_until",
        ]
    )
    caches["progress"].delete(_progress_key(job.pk))
    return job


def import_job_marked_file(*, actor, job: ImportJob) -> bytes:
    """The uploaded file with every bad cell marked, while the job still keeps the file."""
    from .marked import marked_workbook

    if job.created_by_id != actor.pk or not job.errors:
        raise Http404("未找到该导入任务。")
    import_files_forget()
    job = ImportJob.objects.get(pk=job.pk)
    if not job.content:
        raise Http404("上传的文件已按规定删除，请重新上传。")
    importer = importer_for(job.kind)
    try:
        return marked_workbook(
            content=bytes(job.content),
            filename=job.filename,
            sheet=job.sheet_name,
            columns=importer_columns(importer, actor=actor, params=job.params),
            errors=job.errors,
        )
    except ExcelFileError as exc:
        raise Http404("无法读取上传的文件。") from exc


TEMPLATE_ROWS_MAX = 20_000


def import_template(*, user, importer: Importer, params: dict[str, Any]) -> bytes:
    """The template a user downloads: the importer's columns (its own template columns where
    it has them, e.g. a contest's wide sheet), rows it fills in beforehand (the entrants to
    score), the organizations the user may import into, and the rules. Core knows no domain
    model: the importer answers each through optional hooks."""
    columns_for = getattr(importer, "template_columns", None)
    columns = (
        columns_for(actor=user, params=params)
        if columns_for
        else importer_columns(importer, actor=user, params=params)
    )
    rows_for = getattr(importer, "template_rows", None)
    orgs_for = getattr(importer, "template_orgs", None)
    return template_bytes(
        columns=columns,
        sheet_name=importer.title,
        notes=importer.notes,
        orgs=orgs_for(actor=user, limit=TEMPLATE_ROWS_MAX) if orgs_for else [],
        rows=rows_for(actor=user, params=params, limit=TEMPLATE_ROWS_MAX) if rows_for else [],
    )
