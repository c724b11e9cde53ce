"""Import pages: upload, preview, confirm, progress. Thin over zuzhi.core.imports."""

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .excel import template_bytes
from .export import XLSX_TYPE
from .imports import (
    import_job_confirm,
    import_job_create,
    import_job_get,
    import_progress,
    importer_for,
)
from .models import ImportJob
from .scope import user_scope_paths


def _require_data_role(request):
    if not user_scope_paths(request.user):
        raise Http404("您的账号没有导入数据的权限。")


@login_required
def upload_view(request, kind):
    _require_data_role(request)
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
        elif not upload.name.lower().endswith(".xlsx"):
            error = "只能上传 .xlsx 格式的 Excel 文件（旧版 .xls 请先另存为 .xlsx）。"
        else:
            job = import_job_create(
                actor=request.user, kind=kind, filename=upload.name, content=upload.read()
            )
            return redirect("imports:job", pk=job.pk)
    recent = ImportJob.objects.filter(created_by=request.user, kind=kind).defer("content")[:10]
    return render(
        request,
        "core/import_upload.html",
        {"importer": importer, "kind": kind, "error": error, "recent": recent},
        status=400 if error else 200,
    )


@login_required
def template_view(request, kind):
    _require_data_role(request)
    importer = importer_for(kind)
    content = template_bytes(
        columns=importer.columns, sheet_name=importer.title, notes=importer.notes
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
        },
    )


@login_required
def job_progress_view(request, pk):
    job = import_job_get(user=request.user, pk=pk)
    done = import_progress(job=job)
    response = render(request, "core/_import_progress.html", {"job": job, "done": done})
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
        # Show the outcome page once the worker has finished.
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def job_confirm_view(request, pk):
    job = import_job_get(user=request.user, pk=pk)
    try:
        job = import_job_confirm(actor=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if job.status == ImportJob.Status.DONE:
            messages.success(request, "导入完成。")
    return redirect("imports:job", pk=job.pk)
