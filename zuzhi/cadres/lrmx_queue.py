"""Confirming an appointment-form upload (确认导入): small ones at once, large zips through
the task worker (`zuzhi db_worker`), as the Excel imports do. The upload's files carry
personal data: kept only until they are written, or ZUZHI_IMPORT_KEEP_HOURS at most."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .lrmx_import import lrmx_confirm, lrmx_uploads_forget
from .models import LrmxImport
from .models.scoping import require_cadre_section

logger = logging.getLogger(__name__)
SYSTEM_ERROR = "导入时发生系统错误，未导入任何文件；请稍后重试或联系系统管理员。"


def lrmx_confirm_request(*, actor, upload: LrmxImport, background: bool = True) -> LrmxImport:
    """Confirm a previewed upload: written now, or (`background`, the pages) queued for the
    worker when it holds more than ZUZHI_LRMX_BACKGROUND_FILES files. Every file or none,
    either way."""
    require_cadre_section(actor, upload.organization.path, target=upload)
    lrmx_uploads_forget()
    if upload.status != LrmxImport.Status.READY:
        raise ValidationError("这批任免审批表不是待确认状态，不能重复提交。")
    if not LrmxImport.objects.filter(pk=upload.pk).exclude(content=b"").exists():
        raise ValidationError(
            f"上传的文件已超过保留时间（{settings.ZUZHI_IMPORT_KEEP_HOURS} 小时）被删除，请重新上传。"
        )
    if not background or len(upload.items) <= settings.ZUZHI_LRMX_BACKGROUND_FILES:
        try:
            lrmx_confirm(actor=actor, upload=upload)
        finally:
            _forget_if_finished(upload.pk)
        return upload
    if not LrmxImport.objects.filter(pk=upload.pk, status=LrmxImport.Status.READY).update(
        status=LrmxImport.Status.QUEUED, queued_at=timezone.now()
    ):
        raise ValidationError("这批任免审批表不是待确认状态，不能重复提交。")
    from .tasks import run_lrmx_import

    transaction.on_commit(lambda: run_lrmx_import.enqueue(import_id=str(upload.pk)))
    upload.refresh_from_db()
    return upload


def lrmx_run(*, import_id) -> LrmxImport:
    """The worker's side: write a queued upload once, even if the task comes twice."""
    if not LrmxImport.objects.filter(pk=import_id, status=LrmxImport.Status.QUEUED).update(
        status=LrmxImport.Status.RUNNING
    ):
        return LrmxImport.objects.get(pk=import_id)
    upload = LrmxImport.objects.select_related("created_by", "organization").get(pk=import_id)
    try:
        lrmx_confirm(actor=upload.created_by, upload=upload)
    except ValidationError:
        pass  # lrmx_confirm saved the files' errors with the upload
    except Exception:
        # Nothing was written (the transaction rolled back); it must not stay "running".
        logger.exception("lrmx import %s failed", import_id)
        LrmxImport.objects.filter(pk=import_id).update(status=LrmxImport.Status.FAILED)
    _forget_if_finished(import_id)
    return LrmxImport.objects.get(pk=import_id)


def _forget_if_finished(import_id) -> None:
    LrmxImport.objects.filter(pk=import_id, status=LrmxImport.Status.DONE).update(content=b"")


def lrmx_worker_missing(*, upload: LrmxImport) -> bool:
    """A queued upload no worker has taken after ZUZHI_WORKER_WAIT_SECONDS."""
    return (
        upload.status == LrmxImport.Status.QUEUED
        and upload.queued_at is not None
        and timezone.now() - upload.queued_at
        > datetime.timedelta(seconds=settings.ZUZHI_WORKER_WAIT_SECONDS)
    )
