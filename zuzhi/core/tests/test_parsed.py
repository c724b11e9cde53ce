"""The rows a preview read are what the confirm writes, without reading the file again."""

import datetime
from decimal import Decimal

import pytest

from zuzhi.core import imports
from zuzhi.core.cells import PartialDate
from zuzhi.core.excel import Row, SheetRead
from zuzhi.core.imports import import_job_confirm, import_job_create
from zuzhi.core.models import ImportJob
from zuzhi.core.parsed import rows_pack, rows_unpack
from zuzhi.members.models import Member
from zuzhi.testing.factories import valid_id_number
from zuzhi.testing.sheets import office_xlsx

FIELDS = ["name", "day", "month", "amount", "ratio", "count", "flag", "empty", "absent"]


def test_every_kind_of_value_comes_back_as_it_was_read():
    values = {
        "name": "王芳",
        "day": datetime.date(2001, 7, 1),
        "month": PartialDate(datetime.date(1985, 3, 1), "month"),
        "amount": Decimal("92.5"),
        "ratio": 0.1,
        "count": 3,
        "flag": True,
        "empty": None,
    }
    sheet = SheetRead(
        sheet="名册",
        header_row=1,
        rows=[Row(number=2, values=values, errors={}), Row(number=5, values=values, errors={})],
        notices=[],
        columns_at={},
    )
    back = rows_unpack(rows_pack(sheet, FIELDS), FIELDS)
    assert back.sheet == "名册" and [r.number for r in back.rows] == [2, 5]
    assert back.rows[0].values == values  # "absent" stays absent, "empty" stays None
    assert "absent" not in back.rows[0].values
    # Read for other fields (the importer's columns changed): nothing is taken back.
    assert rows_unpack(rows_pack(sheet, FIELDS), FIELDS[:-1]) is None


def _roster():
    headers = ["姓名", "公民身份号码", "民族", "入党日期", "党员状态", "所在党组织代码"]
    return office_xlsx(
        {
            "党员": [
                headers,
                ["王芳", valid_id_number("19800101", 12), "汉族", "2001.07", "正式党员", "VA1"],
                ["李明", valid_id_number("19800101", 13), "汉族", "2002-07-01", "正式党员", "VA1"],
            ]
        }
    )


def test_the_confirm_writes_the_rows_the_preview_read_without_reading_the_file(
    county, town_a_user, monkeypatch
):
    job = import_job_create(
        actor=town_a_user, kind="members", filename="党员.xlsx", content=_roster()
    )
    assert job.status == ImportJob.Status.READY and bytes(ImportJob.objects.get(pk=job.pk).parsed)

    def no_reading(*args, **kwargs):
        raise AssertionError("the confirm read the file again")

    monkeypatch.setattr(imports, "read_sheet", no_reading)
    job = import_job_confirm(actor=town_a_user, job=job)
    assert job.status == ImportJob.Status.DONE, job.errors
    wang = Member.objects.get(name="王芳")
    assert wang.join_date == datetime.date(2001, 7, 1) and wang.join_date_month_only
    assert bytes(ImportJob.objects.get(pk=job.pk).parsed) == b""  # not kept after the run


@pytest.mark.parametrize("damage", ["other fields", "nothing kept"])
def test_without_usable_kept_rows_the_confirm_reads_the_file(county, town_a_user, damage):
    job = import_job_create(
        actor=town_a_user, kind="members", filename="党员.xlsx", content=_roster()
    )
    stored = ImportJob.objects.get(pk=job.pk)
    if damage == "nothing kept":
        ImportJob.objects.filter(pk=job.pk).update(parsed=b"")
    else:
        sheet = rows_unpack(
            bytes(stored.parsed),
            imports._fields(imports.importer_for("members"), town_a_user, stored),
        )
        ImportJob.objects.filter(pk=job.pk).update(parsed=rows_pack(sheet, ["name"]))
    job = import_job_confirm(actor=town_a_user, job=job)
    assert job.status == ImportJob.Status.DONE and Member.objects.count() == 2


def test_a_value_that_cannot_be_kept_leaves_the_confirm_to_read_the_file():
    sheet = SheetRead(
        sheet="名册",
        header_row=1,
        rows=[Row(number=2, values={"name": object()}, errors={})],
        notices=[],
        columns_at={},
    )
    assert rows_pack(sheet, ["name"]) == b""
    lone = SheetRead(
        sheet="名册",
        header_row=1,
        rows=[Row(number=2, values={"name": "\ud800"}, errors={})],
        notices=[],
        columns_at={},
    )
    assert rows_pack(lone, ["name"]) == b""
