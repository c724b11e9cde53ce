"""Checks on uploaded attachments (附件): allowed types and size, with Chinese messages."""

from django.conf import settings
from django.http import FileResponse, Http404

ATTACHMENT_TYPES = ("pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx", "txt")
IMAGE_TYPES = ("jpg", "jpeg", "png")


def upload_error(upload, *, types: tuple[str, ...] = ATTACHMENT_TYPES) -> str | None:
    """The reason an uploaded file is refused, or None."""
    suffix = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if suffix not in types:
        return f"“{upload.name}”的格式不支持，可上传：{'、'.join(types)}。"
    if upload.size > settings.ZUZHI_MAX_UPLOAD_BYTES:
        return f"“{upload.name}”太大，单个文件不超过 {settings.ZUZHI_MAX_UPLOAD_BYTES // 1024 // 1024} MB。"
    return None


def attachment_response(stored, *, filename: str = "") -> FileResponse:
    """A stored attachment as a download under its uploaded name; 404 when there is none.
    Callers look the owner up through their scoped selectors first: files are never public."""
    if not stored:
        raise Http404("没有附件。")
    name = filename or stored.name.rsplit("/", 1)[-1]
    return FileResponse(stored.open("rb"), as_attachment=True, filename=name)
