"""Importing and exporting appointment forms (#13 part 3): preview, all or nothing, audited,
and a round trip that gives the city back its own file."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from zuzhi.cadres import lrmx, lrmx_write
from zuzhi.cadres.lrmx_import import lrmx_confirm, lrmx_export, lrmx_upload
from zuzhi.cadres.models import Cadre, LrmxImport
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.roles import Role
from zuzhi.testing.factories import make_cadre, user_with_role

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"
FILES = ("standard.lrmx", "bom_crlf.lrmx", "newer_version.lrmx", "self_closed.lrmx")


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.fixture
def officer(county):
    return user_with_role(Role.CADRE_STAFF, county.county, username="cadre_officer")


def importable() -> dict[str, bytes]:
    """The sample files that carry an ID number (a form without one cannot be matched)."""
    return {n: sample(n) for n in FILES if lrmx.parse(sample(n)).id_number}


def test_a_zip_is_previewed_then_imported_whole_and_audited(county, officer):
    files = importable()
    job = lrmx_upload(
        actor=officer, filename="乡科级.zip", content=zip_of(files), organization=county.town_a
    )
    assert job.status == LrmxImport.Status.READY
    assert job.summary["new"] == len(files) and not Cadre.objects.exists()
    lrmx_confirm(actor=officer, upload=job)
    assert Cadre.objects.count() == len(files)
    chen = Cadre.objects.get(name="陈静")
    assert chen.organization == county.town_a and chen.ethnicity == "03" and chen.gender == "2"
    assert chen.family.count() == len(lrmx.parse(files["newer_version.lrmx"]).family)
    assert chen.career.exists() and chen.education == "21"
    assert AuditLog.objects.filter(action=AuditAction.IMPORT).count() == 1
    assert AuditLog.objects.filter(
        action=AuditAction.CREATE, target_type="cadres.cadre"
    ).count() == len(files)


@pytest.mark.parametrize("name", ["standard.lrmx", "bom_crlf.lrmx", "newer_version.lrmx"])
def test_an_unchanged_cadre_exports_the_imported_file_byte_for_byte(county, officer, name):
    job = lrmx_upload(
        actor=officer, filename=name, content=sample(name), organization=county.town_a
    )
    lrmx_confirm(actor=officer, upload=job)
    cadre = Cadre.objects.get()
    assert lrmx_export(actor=officer, cadre=cadre) == sample(name)
    assert AuditLog.objects.filter(action=AuditAction.EXPORT, target_id=str(cadre.pk)).exists()


def test_a_corrected_post_is_rewritten_in_place_and_unknown_elements_stay(county, officer):
    from zuzhi.cadres import services

    original = sample("newer_version.lrmx")
    job = lrmx_upload(
        actor=officer, filename="a.lrmx", content=original, organization=county.town_a
    )
    lrmx_confirm(actor=officer, upload=job)
    cadre = Cadre.objects.get()
    services.cadre_update(actor=officer, cadre=cadre, data={"current_post": "示范县李村镇党委书记"})
    exported = lrmx_export(actor=officer, cadre=Cadre.objects.get()).decode()
    assert "<XianRenZhiWu>示范县李村镇党委书记</XianRenZhiWu>" in exported
    assert "<DaoLingNianYue>2038.02</DaoLingNianYue>" in exported
    assert exported.replace("示范县李村镇党委书记</XianRenZhiWu>", "") == original.decode().replace(
        "示范县李村镇党委副书记、镇长</XianRenZhiWu>", ""
    )


def test_a_reimport_shows_the_changes_field_by_field(county, officer):
    original = sample("standard.lrmx")
    lrmx_confirm(
        actor=officer,
        upload=lrmx_upload(
            actor=officer, filename="a.lrmx", content=original, organization=county.town_a
        ),
    )
    form = lrmx.parse(original)
    changed = lrmx_write.write(
        lrmx.AppointmentForm(**{**form.__dict__, "current_post": "新的职务"}), original=original
    )
    job = lrmx_upload(actor=officer, filename="b.lrmx", content=changed, organization=county.town_b)
    [item] = job.items
    assert item["outcome"] == "update"
    assert item["changes"] == [["现任职务", form.current_post, "新的职务"]]
    lrmx_confirm(actor=officer, upload=job)
    cadre = Cadre.objects.get()
    assert cadre.current_post == "新的职务" and cadre.organization == county.town_a
    same = lrmx_upload(
        actor=officer, filename="c.lrmx", content=changed, organization=county.town_a
    )
    assert same.items[0]["outcome"] == "unchanged"


def test_one_bad_file_refuses_the_whole_zip(county, officer):
    files = importable() | {"坏文件.lrmx": b"<Person><XingMing>x</XingMing"}
    job = lrmx_upload(
        actor=officer, filename="a.zip", content=zip_of(files), organization=county.town_a
    )
    assert job.status == LrmxImport.Status.INVALID
    bad = [i for i in job.items if i["outcome"] == "error"]
    assert [i["file"] for i in bad] == ["坏文件.lrmx"] and bad[0]["errors"]
    with pytest.raises(ValidationError):
        lrmx_confirm(actor=officer, upload=job)
    assert not Cadre.objects.exists()


def test_hostile_xml_is_refused_in_chinese_with_nothing_written(county, officer):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b"<Person><XingMing>&b;</XingMing></Person>"
    )
    job = lrmx_upload(actor=officer, filename="x.lrmx", content=bomb, organization=county.town_a)
    assert job.status == LrmxImport.Status.INVALID
    assert any("\u4e00" <= ch <= "\u9fff" for ch in job.items[0]["errors"][0])
    assert not Cadre.objects.exists()


def test_a_cadre_registered_outside_the_section_is_not_overwritten(county, officer):
    form = lrmx.parse(sample("standard.lrmx"))
    theirs = make_cadre(county.town_b, name="别人", id_number=form.id_number)
    township_section = user_with_role(Role.CADRE_STAFF, county.town_a)
    job = lrmx_upload(
        actor=township_section,
        filename="a.lrmx",
        content=sample("standard.lrmx"),
        organization=county.town_a,
    )
    assert job.items[0]["outcome"] == "error" and "管理范围以外" in job.items[0]["errors"][0]
    theirs.refresh_from_db()
    assert theirs.name == "别人"


def test_only_the_cadre_section_uploads(county):
    clerk = user_with_role(Role.COUNTY_STAFF, county.county)
    with pytest.raises(Http404):
        lrmx_upload(
            actor=clerk,
            filename="a.lrmx",
            content=sample("standard.lrmx"),
            organization=county.town_a,
        )


def test_the_pages_upload_preview_confirm_and_download(client, county, officer):
    client.force_login(officer)
    page = client.post(
        reverse("cadres:lrmx_upload"),
        {"organization": county.town_a.pk, "file": _upload("standard.lrmx")},
    )
    job = LrmxImport.objects.get()
    assert page.url == reverse("cadres:lrmx_preview", args=[job.pk])
    assert "确认导入" in client.get(page.url).content.decode()
    client.post(reverse("cadres:lrmx_confirm", args=[job.pk]))
    cadre = Cadre.objects.get()
    download = client.get(reverse("cadres:lrmx", args=[cadre.pk]))
    assert download.content == sample("standard.lrmx")
    assert "attachment" in download["Content-Disposition"]
    refused = client.post(
        reverse("cadres:lrmx_upload"),
        {"organization": county.town_a.pk, "file": _upload("standard.lrmx", "a.txt")},
    )
    assert "不是 .lrmx 或 .zip 文件" in refused.content.decode()


def _upload(name: str, as_name: str = ""):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(as_name or name, sample(name))


def test_a_large_zip_is_written_by_the_worker_and_its_files_are_not_kept(
    client, county, officer, settings
):
    from zuzhi.cadres.lrmx_queue import lrmx_confirm_request, lrmx_run

    settings.ZUZHI_LRMX_BACKGROUND_FILES = 1
    job = lrmx_upload(
        actor=officer, filename="a.zip", content=zip_of(importable()), organization=county.town_a
    )
    queued = lrmx_confirm_request(actor=officer, upload=job)
    assert queued.status == LrmxImport.Status.QUEUED and not Cadre.objects.exists()
    client.force_login(officer)
    assert "排队" in client.get(reverse("cadres:lrmx_preview", args=[job.pk])).content.decode()
    lrmx_run(import_id=job.pk)  # what the worker does when it takes the task
    job.refresh_from_db()
    assert job.status == LrmxImport.Status.DONE and Cadre.objects.count() == len(importable())
    assert bytes(job.content) == b""
    assert lrmx_run(import_id=job.pk).status == LrmxImport.Status.DONE  # a second delivery
    assert Cadre.objects.count() == len(importable())
    assert client.get(reverse("cadres:lrmx_status", args=[job.pk]))["HX-Refresh"] == "true"


def test_an_upload_not_confirmed_in_time_forgets_its_files(county, officer, settings):
    import datetime

    from django.utils import timezone

    from zuzhi.cadres.lrmx_queue import lrmx_confirm_request

    job = lrmx_upload(
        actor=officer,
        filename="a.lrmx",
        content=sample("standard.lrmx"),
        organization=county.town_a,
    )
    LrmxImport.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=settings.ZUZHI_IMPORT_KEEP_HOURS + 1)
    )
    with pytest.raises(ValidationError) as exc:
        lrmx_confirm_request(actor=officer, upload=job)
    assert "超过保留时间" in str(exc.value)
    assert not Cadre.objects.exists()


def test_a_family_item_too_long_for_the_registry_is_named_not_a_crash(county, officer):
    original = sample("standard.lrmx").decode("utf-8-sig")
    first = original.index("<ChengWei>") + len("<ChengWei>")
    end = original.index("</ChengWei>", first)
    bad = original[:first] + "称" * 40 + original[end:]
    job = lrmx_upload(
        actor=officer, filename="a.lrmx", content=bad.encode(), organization=county.town_a
    )
    assert job.status == LrmxImport.Status.INVALID
    assert any("家庭成员第 1 项的称谓超过 16 个字" in e for e in job.items[0]["errors"])
