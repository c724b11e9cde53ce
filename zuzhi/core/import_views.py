"""Import pages: upload, preview, confirm, progress. Thin over zuzhi.core.imports."""

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .access import may_import
from .export import XLSX_TYPE
from .imports import (
    import_job_choose_sheet,
    import_job_confirm,
    import_job_create,
    import_job_get,
    import_job_marked_file,
    import_progress,
    import_template,
    import_worker_missing,
    importer_for,
)
from .models import ImportJob

ACCEPTED = (".xlsx", ".xls", ".ods", ".csv")


def _params(importer, data) -> dict:
    """Which import of a kind the request is for (e.g. ?contest=12), as the importer reads it."""
    params_from = getattr(importer, "params_from", None)
    return params_from(data) if params_from else {}


def _require_import_role(request, kind):
    if not may_import(request.user, kind):
        raise Http404("您的账号没有导入这类数据的权限。")


@login_required
def upload_view(request, kind):
    _require_import_role(request, kind)
    importer = importer_for(kind)
    error = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = "请选择要上传的 Excel 文件。"
        elif upload.size > settings.ZUZHI_MAX_UPLOAD_BYTES:
            error = (
                f"文件过大（{upload.size / 1024 / 1024:.1f} MB），上限为 "
                f"{settings.ZUZHI_MAX_UPLOAD_BYTES // 1024 // 1024} MB，请分批导入。"
            )
        elif not upload.name.lower().endswith(ACCEPTED):
            error = "只能上传 Excel 表格（.xlsx、.xls）、WPS/LibreOffice 表格（.ods）或 .csv 文件。"
        else:
            job = import_job_create(
                actor=request.user,
                kind=kind,
                filename=upload.name,
                content=upload.read(),
                params=_params(importer, request.POST),
            )
            return redirect("imports:job", pk=job.pk)
    recent = ImportJob.objects.filter(created_by=request.user, kind=kind).defer(
        "content", "parsed"
    )[:10]
    return render(
        request,
        "core/import_upload.html",
        {
            "importer": importer,
            "kind": kind,
            "error": error,
            "recent": recent,
            "params": _params(importer, request.GET if request.method == "GET" else request.POST),
        },
        status=400 if error else 200,
    )


@login_required
def template_view(request, kind):
    _require_import_role(request, kind)
    importer = importer_for(kind)
    content = import_template(
        user=request.user, importer=importer, params=_params(importer, request.GET)
    )
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(importer.title + '导入模板.xlsx')}"
    )
    return response


@login_required
def job_view(request, pk):
    job = import_job_get(user=request.user, pk=pk)
    return render(
        request,
        "core/import_job.html",
        {
            "job": job,
            "importer": importer_for(job.kind),
            "done": import_progress(job=job),
            "background": job.total_rows > settings.ZUZHI_IMPORT_BACKGROUND_ROWS,
            "worker_missing": import_worker_missing(job=job),
            "identity_rows": set(job.identity_rows),
        },
    )


@login_required
def job_progress_view(request, pk):
    job = import_job_get(user=request.user, pk=pk)
    done = import_progress(job=job)
    response = render(
        request,
        "core/_import_progress.html",
        {"job": job, "done": done, "worker_missing": import_worker_missing(job=job)},
    )
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
        # Show the outcome page once the worker has finished.
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def job_confirm_view(request, pk):
    job = import_job_get(user=request.user, pk=pk)
    # A job uploaded while the user held a role that may import it is written only if they
    # still do.
    _require_import_role(request, job.kind)
    try:
        confirmed = [int(v) for v in request.POST.getlist("confirm_row") if v.isdigit()]
        job = import_job_confirm(actor=request.user, job=job, confirmed_rows=confirmed)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if job.status == ImportJob.Status.DONE:
            messages.success(request, "导入完成。")
    return redirect("imports:job", pk=job.pk)


@login_required
@require_POST
def job_choose_sheet_view(request, pk):
    job = import_job_get(user=request.user, pk=pk)
    try:
        job = import_job_choose_sheet(
            actor=request.user, job=job, sheet=request.POST.get("sheet", "")
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("imports:job", pk=job.pk)


@login_required
def job_marked_view(request, pk):
    """The uploaded file back with its errors marked, for fixing in Excel."""
    job = import_job_get(user=request.user, pk=pk)
    content = import_job_marked_file(actor=request.user, job=job)
    stem = job.filename.rsplit(".", 1)[0]
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(stem + '（已标注错误）.xlsx')}"
    )
    return response
