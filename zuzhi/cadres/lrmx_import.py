"""Importing and exporting appointment forms (干部任免审批表 `.lrmx`): one file or a zip.

An upload is read and checked at once, and the preview says for each file whether it adds a
cadre or updates one (matched by ID number) and what changes, field by field. Confirming
writes every file or none: the files are read again and checked against the registry as it
is then, in one transaction. The imported file is kept with the cadre, so an export rewrites
only what changed in it and every element the city's software wrote goes back unchanged."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from zuzhi.core.audit import audit_bulk_record, audit_record, snapshot
from zuzhi.core.crypto import blind_index
from zuzhi.core.masking import mask_id_number
from zuzhi.core.models import AuditAction
from zuzhi.core.personal import may_see_personal
from zuzhi.core.text import initials_index
from zuzhi.members.models import Member
from zuzhi.orgs.models import Organization

from .exchange import FIELD_LABELS, FormValues, cadre_form, form_values
from .lrmx import LrmxError, parse
from .lrmx_write import rewrite, write
from .lrmx_zip import write_zip, zip_files
from .models import Cadre, CareerEntry, FamilyMember, LrmxImport
from .resume import career_from_resume
from .services import AUDIT_FIELDS, require_cadre_section, unit_name_of
from .yearmonth import ym_display

NEW, UPDATE, UNCHANGED, ERROR = "new", "update", "unchanged", "error"
# A career row read from a résumé line keeps this much of its text; the résumé keeps it all.
POST_LENGTH = CareerEntry._meta.get_field("post").max_length
OUTCOME_LABELS = {NEW: "新增", UPDATE: "更新", UNCHANGED: "无变化", ERROR: "有错误"}


@dataclass
class _File:
    name: str
    content: bytes
    values: FormValues | None
    errors: list[str]


def _files(filename: str, content: bytes) -> list[_File]:
    if filename.lower().endswith(".zip") or content[:4] == b"PK\x03\x04":
        entries = zip_files(content)
        if not entries:
            raise LrmxError(["压缩包中没有 .lrmx 文件。"])
    else:
        entries = [(filename, content)]
    files = []
    for name, data in entries:
        if isinstance(data, list):
            files.append(_File(name, b"", None, data))
            continue
        try:
            values = form_values(parse(data))
        except LrmxError as exc:
            files.append(_File(name, data, None, exc.messages))
            continue
        files.append(_File(name, data, values, list(values.errors)))
    return files


def _shown(name: str, value) -> str:
    if value is None:
        return ""
    if name in ("party_joined", "work_started", "age_reference_date", "filled_date"):
        return ym_display(value)
    if name == "birth_date":
        return f"{value:%Y.%m}"
    return str(value)


def _family_rows(cadre: Cadre) -> list[dict[str, str]]:
    return [
        {
            k: getattr(m, k)
            for k in ("relation", "name", "birth", "political_status", "work_and_post")
        }
        for m in cadre.family.all()
    ]


def _number_key(number: str) -> str:
    """A file's ID number as the registry finds it: by its blind index (numbers are
    encrypted), so matching a file to its cadre decrypts nothing."""
    return blind_index("id_number", number)


def _changes(cadre: Cadre, values: FormValues) -> list[list[str]]:
    # The cadre was found by the number's blind index: the number itself has not changed.
    changes = [
        [FIELD_LABELS[name], _shown(name, getattr(cadre, name)), _shown(name, new)]
        for name, new in values.fields.items()
        if name != "id_number" and (getattr(cadre, name) or "") != (new or "")
    ]
    old_family = _family_rows(cadre)
    if old_family != values.family:
        changes.append(
            [
                "家庭主要成员及重要社会关系",
                "、".join(f"{m['relation']}{m['name']}" for m in old_family),
                "、".join(f"{m['relation']}{m['name']}" for m in values.family),
            ]
        )
    if bytes(cadre.photo or b"") != values.photo:
        changes.append(["照片", "有" if cadre.photo else "无", "有" if values.photo else "无"])
    return changes


def _plan(*, actor, files: list[_File]) -> list[dict]:
    """What each file would do, checked against the registry as it is now."""
    keys = [_number_key(f.values.fields["id_number"]) for f in files if f.values and not f.errors]
    # The files' cadres and their families in two queries, not a query per file.
    registered = (
        Cadre.objects.filter(id_number_index__in=keys)
        .defer("lrmx_source")
        .prefetch_related(_ordered_family())
    )
    existing = {c.id_number_index: c for c in registered}
    visible = set(
        Cadre.objects.visible_to(actor)
        .filter(id_number_index__in=keys)
        .values_list("pk", flat=True)
    )
    unmasked = may_see_personal(actor)
    seen: dict[str, str] = {}
    items = []
    for f in files:
        item = {"file": f.name, "errors": list(f.errors), "changes": []}
        if f.values is not None:
            number = f.values.fields["id_number"]
            item["name"] = f.values.fields["name"]
            item["id_number"] = number if unmasked else mask_id_number(number)
            if number and number in seen:
                item["errors"].append(
                    f"与“{seen[number]}”是同一个公民身份号码，同一人只能导入一份。"
                )
            seen.setdefault(number, f.name)
            cadre = existing.get(_number_key(number)) if number else None
            if cadre is not None and cadre.pk not in visible:
                item["errors"].append("该公民身份号码的干部在您管理范围以外的单位登记，不能导入。")
            elif cadre is not None and not item["errors"]:
                item["cadre_id"] = cadre.pk
                item["changes"] = _changes(cadre, f.values)
        if item["errors"]:
            item["outcome"] = ERROR
        elif "cadre_id" in item:
            item["outcome"] = UPDATE if item["changes"] else UNCHANGED
        else:
            item["outcome"] = NEW
        items.append(item)
    return items


def _ordered_family() -> Prefetch:
    return Prefetch("family", queryset=FamilyMember.objects.order_by("position"))


def _summary(items: list[dict]) -> dict:
    return {k: sum(1 for i in items if i["outcome"] == k) for k in OUTCOME_LABELS}


def lrmx_preview(*, actor, filename: str, content: bytes, organization: Organization) -> dict:
    """What an upload (one `.lrmx` or a zip of them) would do, file by file, without keeping
    anything: the API's dry run. New cadres would be registered in `organization`, which must
    be in the actor's cadre section. A file that cannot be read at all raises LrmxError."""
    require_cadre_section(actor, organization.path, target=organization)
    items = _plan(actor=actor, files=_files(filename, content))
    return {"items": items, "summary": _summary(items)}


def lrmx_upload(*, actor, filename: str, content: bytes, organization: Organization) -> LrmxImport:
    """Check an upload and keep it for the preview and the confirmation (see lrmx_preview);
    uploads not confirmed in time lose their files (lrmx_uploads_forget)."""
    lrmx_uploads_forget()
    preview = lrmx_preview(
        actor=actor, filename=filename, content=content, organization=organization
    )
    return LrmxImport.objects.create(
        organization=organization,
        created_by=actor,
        filename=filename[:255],
        content=content,
        status=LrmxImport.Status.INVALID if preview["summary"][ERROR] else LrmxImport.Status.READY,
        **preview,
    )


def lrmx_uploads_forget() -> int:
    """Drop the files (personal data) of uploads not confirmed within the keeping time."""
    limit = timezone.now() - datetime.timedelta(hours=settings.ZUZHI_IMPORT_KEEP_HOURS)
    return (
        LrmxImport.objects.filter(created_at__lt=limit)
        .exclude(content=b"")
        .exclude(status__in=(LrmxImport.Status.QUEUED, LrmxImport.Status.RUNNING))
        .update(content=b"")
    )


def lrmx_confirm(*, actor, upload: LrmxImport) -> LrmxImport:
    """Write every file of a checked upload, or none: the files are checked again against
    the registry as it is now; any error refuses the whole upload (ValidationError)."""
    require_cadre_section(actor, upload.organization.path, target=upload)
    if upload.status == LrmxImport.Status.DONE:
        raise ValidationError("这批任免审批表已经导入过了。")
    files = _files(upload.filename, bytes(upload.content))
    with transaction.atomic():
        items = _plan(actor=actor, files=files)
        upload.items, upload.summary = items, _summary(items)
        if upload.summary[ERROR]:
            upload.status = LrmxImport.Status.INVALID
        else:
            created = _write(actor=actor, upload=upload, files=files, items=items)
            upload.status, upload.confirmed_at = LrmxImport.Status.DONE, timezone.now()
            audit_record(
                actor=actor,
                action=AuditAction.IMPORT,
                target=upload,
                org_path=upload.organization.path,
                after=upload.summary,
                message=f"导入任免审批表 {upload.filename}：新增 {len(created)} 人，"
                f"更新 {upload.summary[UPDATE]} 人",
            )
        upload.save(update_fields=["items", "summary", "status", "confirmed_at"])
    if upload.status == LrmxImport.Status.INVALID:
        raise ValidationError(f"有 {upload.summary[ERROR]} 个文件有错误，未导入任何文件。")
    return upload


def _write(*, actor, upload: LrmxImport, files: list[_File], items: list[dict]) -> list[Cadre]:
    keys = [
        _number_key(f.values.fields["id_number"])
        for f, item in zip(files, items, strict=True)
        if item["outcome"] != UNCHANGED
    ]
    # Matched by blind index, index to index: no member's or cadre's number is decrypted.
    members = dict(
        Member.objects.filter(id_number_index__in=keys).values_list("id_number_index", "pk")
    )
    # Its imported file is replaced: not read only to be overwritten.
    registered = Cadre.objects.filter(id_number_index__in=keys).defer("lrmx_source")
    existing = {c.id_number_index: c for c in registered.select_related("organization")}
    new: list[Cadre] = []
    touched: list[tuple[Cadre, _File]] = []
    updates: list[tuple[Cadre, dict]] = []
    for f, item in zip(files, items, strict=True):
        if item["outcome"] == UNCHANGED:
            continue
        fields = f.values.fields
        key = _number_key(fields["id_number"])
        cadre = existing.get(key)
        if cadre is None:
            cadre = Cadre(
                organization=upload.organization, unit_name=unit_name_of(upload.organization)
            )
            new.append(cadre)
        else:
            updates.append((cadre, snapshot(cadre, AUDIT_FIELDS)))
        for name, value in fields.items():
            setattr(cadre, name, value)
        cadre.name_initials = initials_index(cadre.name)
        cadre.photo = f.values.photo
        cadre.lrmx_source = f.content
        cadre.resume_from_career = False
        cadre.member_id = cadre.member_id or members.get(key)
        touched.append((cadre, f))
    # A hundred rows at a time: each carries its photo and file, and PostgreSQL would get the
    # whole upload as one statement (client-side binding: every byte spelled out in hex).
    Cadre.objects.bulk_create(new, batch_size=100)
    for cadre, _ in updates:
        cadre.save()
    ids = [c.pk for c, _ in touched]
    FamilyMember.objects.filter(cadre_id__in=ids).delete()
    CareerEntry.objects.filter(cadre_id__in=ids).delete()
    FamilyMember.objects.bulk_create(
        FamilyMember(cadre=c, position=i, **row)
        for c, f in touched
        for i, row in enumerate(f.values.family)
    )
    CareerEntry.objects.bulk_create(
        CareerEntry(
            cadre=c, position=i, start=p.start, end=p.end, post=p.text[:POST_LENGTH], note=p.note
        )
        for c, f in touched
        for i, p in enumerate(career_from_resume(c.resume))
    )
    path = upload.organization.path
    audit_bulk_record(
        actor=actor,
        action=AuditAction.CREATE,
        items=[
            (c, c.organization.path if c.organization_id else path, snapshot(c, AUDIT_FIELDS))
            for c in new
        ],
    )
    for cadre, before in updates:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=cadre,
            org_path=cadre.organization.path,
            before=before,
            after=snapshot(cadre, AUDIT_FIELDS),
            message="由任免审批表导入更新",
        )
    return new


def lrmx_export(*, actor, cadre: Cadre) -> bytes:
    """The cadre's `.lrmx` file: the imported file with what changed rewritten in place, or a
    new file when the cadre was never imported. The export is audited."""
    if cadre.lrmx_source:
        data = rewrite(bytes(cadre.lrmx_source), lambda old: cadre_form(cadre, original=old))
    else:
        data = write(cadre_form(cadre))
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        target=cadre,
        org_path=cadre.organization.path,
        message="导出任免审批表（.lrmx）",
    )
    return data


def lrmx_filename(cadre: Cadre) -> str:
    return f"{cadre.name}.lrmx"


# Cadres read at a time for a zip: their photos and files (tens of KB each) in a few queries,
# without holding every one of them at once.
EXPORT_CHUNK = 200


def lrmx_export_zip(*, actor, cadres: list[Cadre]) -> bytes:
    """Several cadres' `.lrmx` files in one zip (names made unique by lrmx_zip). Its audit
    rows are written together: all of them, or none when the zip fails."""
    with transaction.atomic():
        return write_zip(
            (lrmx_filename(c), lrmx_export(actor=actor, cadre=c)) for c in _full(cadres)
        )


def _full(cadres: list[Cadre]):
    """The given cadres in their order, read again with photo, file and family."""
    for start in range(0, len(cadres), EXPORT_CHUNK):
        ids = [c.pk for c in cadres[start : start + EXPORT_CHUNK]]
        full = Cadre.objects.select_related("organization").prefetch_related(_ordered_family())
        by_id = full.in_bulk(ids)
        yield from (by_id[pk] for pk in ids if pk in by_id)
