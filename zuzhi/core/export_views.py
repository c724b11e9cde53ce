"""Export job pages: progress, download, 我的导出. Thin over zuzhi.core.export_jobs."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from .export_jobs import (
    export_file_response,
    export_job_get,
    export_job_list,
    export_progress,
    export_worker_missing,
)


def _progress(job) -> dict:
    return {
        "job": job,
        "done": export_progress(job=job),
        "worker_missing": export_worker_missing(job=job),
    }


@login_required
def job_view(request, pk):
    job = export_job_get(user=request.user, pk=pk)
    return render(
        request,
        "core/export_job.html",
        {**_progress(job), "inline_max": settings.ZUZHI_EXPORT_INLINE_MAX},
    )


@login_required
def job_progress_view(request, pk):
    """The progress bar alone, polled by the job's page every 2 s until the file is written."""
    job = export_job_get(user=request.user, pk=pk)
    return render(request, "core/_export_progress.html", _progress(job))


@login_required
def job_file_view(request, pk):
    job = export_job_get(user=request.user, pk=pk)
    return export_file_response(user=request.user, job=job)


@login_required
def job_list_view(request):
    page = Paginator(export_job_list(user=request.user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/export_list.html",
        {
            "page": page,
            "query": "",
            "inline_max": settings.ZUZHI_EXPORT_INLINE_MAX,
            "keep_days": settings.ZUZHI_EXPORT_KEEP_DAYS,
        },
    )
