"""Uploaded attachments (附件): checks on type and size with Chinese messages, and the
audited download."""

import logging

from django.conf import settings
from django.db import models
from django.http import FileResponse, Http404

from .audit import audit_record
from .models import AuditAction

ATTACHMENT_TYPES = ("pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx", "txt")
IMAGE_TYPES = ("jpg", "jpeg", "png")

logger = logging.getLogger(__name__)


def upload_error(upload, *, types: tuple[str, ...] = ATTACHMENT_TYPES) -> str | None:
    """The reason an uploaded file is refused, or None."""
    suffix = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if suffix not in types:
        return f"“{upload.name}”的格式不支持，可上传：{'、'.join(types)}。"
    if upload.size > settings.ZUZHI_MAX_UPLOAD_BYTES:
        return f"“{upload.name}”太大，单个文件不超过 {settings.ZUZHI_MAX_UPLOAD_BYTES // 1024 // 1024} MB。"
    return None


def attachment_response(
    stored, *, actor, target: models.Model, org_path: str, filename: str = ""
) -> FileResponse:
    """A stored attachment as a download under its uploaded name; 404 when there is none.
    Callers look the owner up through their scoped selectors first: files are never public.

    Evidence files often carry personal data, so every download is audited as an export
    (导出), naming `target` (the row the file belongs to) and the file; the IP and request
    id come from the request context, as for every audit row."""
    if not stored:
        raise Http404("没有附件。")
    name = filename or stored.name.rsplit("/", 1)[-1]
    # Opened first: a file missing from storage fails here, and no download is logged.
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        # Nothing was disclosed, so no audit row; the operators learn of it from the log.
        logger.warning("attachment missing from storage: %s (%s)", stored.name, target._meta.label)
        raise Http404("文件已不存在，请联系上传人重新上传。") from exc
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        target=target,
        org_path=org_path,
        message=f"下载附件“{name}”（{stored.name}）",
    )
    return FileResponse(handle, as_attachment=True, filename=name)
