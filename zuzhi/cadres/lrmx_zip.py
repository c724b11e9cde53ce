"""Zips of appointment forms (`.lrmx`): a county's cadres exchanged with the city in one
file. Read with limits that refuse zip bombs and path tricks; names without the UTF-8 flag
are read as GBK, as Chinese Windows writes them."""

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterable

from .lrmx import AppointmentForm, LrmxError, parse

# A zip of a county's cadres is a few hundred files of at most a few hundred KB (the photo);
# these limits refuse zip bombs long before they cost memory or minutes.
MAX_ZIP_FILES = 5000
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_ZIP_BYTES = 512 * 1024 * 1024


def read_zip(data: bytes) -> list[tuple[str, AppointmentForm | list[str]]]:
    """Each `.lrmx` file of a zip with its form or the Chinese reasons it cannot be read
    (see `zip_files` for the limits)."""
    results: list[tuple[str, AppointmentForm | list[str]]] = []
    for name, content in zip_files(data):
        if isinstance(content, list):
            results.append((name, content))
            continue
        try:
            results.append((name, parse(content)))
        except LrmxError as exc:
            results.append((name, exc.messages))
    return results


def zip_files(data: bytes) -> list[tuple[str, bytes | list[str]]]:
    """Each file of a zip with its bytes, or the Chinese reasons it cannot be taken.

    Directories and the litter of archivers (__MACOSX, Thumbs.db) are ignored; other files
    are listed with a message. A zip with more than MAX_ZIP_FILES files or more than
    MAX_ZIP_BYTES unpacked is refused whole, a file over MAX_FILE_BYTES alone (sizes are
    counted while unpacking, not trusted from the directory); names with `..` or an absolute
    path are refused. Names without the zip's UTF-8 flag are read as GBK, as Chinese Windows
    writes them.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as exc:
        raise LrmxError(["文件不是有效的 zip 压缩包，或压缩包已损坏。"]) from exc
    named = [(info, _member_name(info)) for info in archive.infolist() if not info.is_dir()]
    members = [(info, name) for info, name in named if not _is_litter(name)]
    if len(members) > MAX_ZIP_FILES:
        raise LrmxError(
            [
                f"压缩包中有 {len(members)} 个文件，超过一次导入的上限 {MAX_ZIP_FILES} 个，请分批导入。"
            ]
        )
    too_big = [f"压缩包解压后超过 {MAX_ZIP_BYTES // 1024 // 1024} MB，拒绝导入。"]
    if sum(info.file_size for info, _ in members) > MAX_ZIP_BYTES:
        raise LrmxError(too_big)
    results: list[tuple[str, bytes | list[str]]] = []
    total = 0
    for info, name in members:
        content = _member_content(archive, info, name)
        if not isinstance(content, list):
            total += len(content)
            if total > MAX_ZIP_BYTES:
                raise LrmxError(too_big)
        results.append((name, content))
    return results


def _member_name(info: zipfile.ZipInfo) -> str:
    name = info.orig_filename
    if not info.flag_bits & 0x800:
        # zipfile read the bytes as CP437; they are GBK when Chinese Windows wrote them.
        try:
            name = name.encode("cp437").decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name.replace("\\", "/")


def _is_litter(name: str) -> bool:
    base = posixpath.basename(name)
    return (
        name.startswith("__MACOSX/")
        or base.startswith("._")
        or base.lower() in ("thumbs.db", "desktop.ini", ".ds_store")
    )


def _member_content(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str):
    """The bytes of a member, or the reasons it is not read."""
    parts = name.split("/")
    if name.startswith("/") or re.match(r"[A-Za-z]:", name) or ".." in parts:
        return ["文件名中含有绝对路径或“..”，出于安全原因拒绝读取。"]
    suffix = posixpath.splitext(name)[1].lower()
    if suffix == ".lrm":
        return ["这是旧版任免审批表（.lrm），请用任免审批表软件另存为 .lrmx 后再导入。"]
    if suffix != ".lrmx":
        return ["不是干部任免审批表（.lrmx）文件，未导入。"]
    if info.flag_bits & 0x1:
        return ["文件已加密，无法读取。"]
    too_big = [
        f"文件解压后超过 {MAX_FILE_BYTES // 1024 // 1024} MB，不像干部任免审批表，拒绝读取。"
    ]
    if info.file_size > MAX_FILE_BYTES:
        return too_big
    try:
        with archive.open(info) as stream:
            content = stream.read(MAX_FILE_BYTES + 1)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, zlib.error, EOFError) as exc:
        return [f"文件在压缩包中已损坏，无法解压（{type(exc).__name__}）。"]
    return too_big if len(content) > MAX_FILE_BYTES else content


def write_zip(items: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip of `.lrmx` files given as (file name, content from `write`). Only the base name
    is kept; a name used twice (two cadres called 张伟) gets （2）, （3）… before the suffix.
    Names are stored in UTF-8 with the zip's UTF-8 flag."""
    buffer = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in items:
            archive.writestr(_unique_name(name, used), content)
    return buffer.getvalue()


def _unique_name(name: str, used: set[str]) -> str:
    base = posixpath.basename(name.replace("\\", "/")) or "干部任免审批表.lrmx"
    stem, suffix = posixpath.splitext(base)
    candidate, number = base, 1
    while candidate.lower() in used:
        number += 1
        candidate = f"{stem}（{number}）{suffix}"
    used.add(candidate.lower())
    return candidate
