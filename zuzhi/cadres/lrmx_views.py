"""Importing appointment forms (导入任免审批表): upload, preview, confirm."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import selectors
from .forms import LrmxUploadForm
from .lrmx import LrmxError
from .lrmx_import import OUTCOME_LABELS, lrmx_upload
from .lrmx_queue import SYSTEM_ERROR, lrmx_confirm_request, lrmx_worker_missing
from .models import LrmxImport
from .models.scoping import is_cadre_staff


@login_required
def lrmx_upload_view(request):
    if not is_cadre_staff(request.user):
        raise Http404("未找到该对象。")
    form = LrmxUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = lrmx_upload(
                actor=request.user,
                filename=upload.name,
                content=upload.read(),
                organization=form.cleaned_data["organization"],
            )
        except LrmxError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            return redirect("cadres:lrmx_preview", job.pk)
    return render(request, "cadres/lrmx_upload.html", {"form": form})


@login_required
def lrmx_preview_view(request, pk):
    job = selectors.lrmx_import_get(user=request.user, pk=pk)
    outcome = request.GET.get("outcome", "")
    items = [i for i in job.items if not outcome or i["outcome"] == outcome]
    return render(
        request,
        "cadres/lrmx_preview.html",
        {
            "job": job,
            "items": items,
            "outcome": outcome,
            "outcomes": [(k, v, job.summary.get(k, 0)) for k, v in OUTCOME_LABELS.items()],
            **_status(job),
        },
    )


@login_required
@require_POST
def lrmx_confirm_view(request, pk):
    job = selectors.lrmx_import_get(user=request.user, pk=pk)
    try:
        job = lrmx_confirm_request(actor=request.user, upload=job)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if job.status == LrmxImport.Status.DONE:
            s = job.summary
            messages.success(
                request,
                f"已导入：新增 {s['new']} 人，更新 {s['update']} 人，无变化 {s['unchanged']} 人。",
            )
    return redirect("cadres:lrmx_preview", job.pk)


@login_required
def lrmx_status_view(request, pk):
    """The state of an upload the worker is writing (htmx polls it); the page reloads when
    the worker is done."""
    job = selectors.lrmx_import_get(user=request.user, pk=pk)
    response = render(request, "cadres/_lrmx_status.html", _status(job))
    if job.status not in (LrmxImport.Status.QUEUED, LrmxImport.Status.RUNNING):
        response["HX-Refresh"] = "true"
    return response


def _status(job) -> dict:
    return {
        "job": job,
        "worker_missing": lrmx_worker_missing(upload=job),
        "system_error": SYSTEM_ERROR,
    }
