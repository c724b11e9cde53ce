from decimal import Decimal

import pytest

from zuzhi.contests import selectors
from zuzhi.contests.importers import COLUMNS
from zuzhi.contests.models import IndicatorValue
from zuzhi.core.imports import import_job_confirm, import_job_create
from zuzhi.core.models import ImportJob
from zuzhi.testing.xlsx import make_xlsx

HEADERS = [c.header for c in COLUMNS]


def upload(actor, rows):
    return import_job_create(
        actor=actor,
        kind="indicator_values",
        filename="指标.xlsx",
        content=make_xlsx([HEADERS, *rows]),
    )


def test_township_imports_its_villages_values(running, county, town_a_user):
    a1 = running.entrants.get(organization=county.village_a1)
    a2 = running.entrants.get(organization=county.village_a2)
    rows = [
        [running.pk, a1.number, a1.name, "村集体经济收入", "35.5", "年报"],
        [running.pk, a2.number, "", "信访件数", "2", ""],
    ]
    job = upload(town_a_user, rows)
    assert job.status == ImportJob.Status.READY, job.errors
    assert not IndicatorValue.objects.exists()  # the preview writes nothing
    job = import_job_confirm(actor=town_a_user, job=job)
    assert job.status == ImportJob.Status.DONE and job.summary == {"created": 2}
    values = {(v.entrant_id, v.indicator.name): v.value for v in IndicatorValue.objects.all()}
    assert values == {(a1.pk, "村集体经济收入"): Decimal("35.5"), (a2.pk, "信访件数"): Decimal(2)}


def test_bad_rows_are_each_named_and_nothing_is_written(running, county, town_a_user):
    a1 = running.entrants.get(organization=county.village_a1)
    b1 = running.entrants.get(organization=county.village_b1)
    rows = [
        [running.pk, a1.number, a1.name, "村集体经济收入", "35.5", ""],  # good
        [running.pk, b1.number, "", "村集体经济收入", "1", ""],  # other township
        [running.pk, a1.number, "王庄村党支部", "信访件数", "1", ""],  # name mismatch
        [running.pk, a1.number, "", "不存在的指标", "1", ""],
        [running.pk, a1.number, "", "信访件数", "1.23456", ""],  # 5 decimals
        [running.pk, a1.number, "", "信访件数", "很多", ""],
        [99999, 1, "", "信访件数", "1", ""],
    ]
    job = upload(town_a_user, rows)
    assert job.status == ImportJob.Status.INVALID
    by_row = {(e["row"], e["column"]) for e in job.errors}
    assert by_row == {
        (3, "参评对象编号"),
        (4, "参评对象名称"),
        (5, "指标"),
        (6, "数值"),
        (7, "数值"),
        (8, "考评编号"),
    }
    assert not IndicatorValue.objects.exists()


def test_published_contest_refuses_import(running, county, county_user, judges):
    from .test_services import fill_indicators, judge_all

    fill_indicators(running, county, county_user)
    judge_all(
        running, county_user, judges, {e.organization_id: [80] * 5 for e in running.entrants.all()}
    )
    from zuzhi.contests import services

    services.result_publish(
        actor=county_user, version=services.result_compute(actor=county_user, contest=running)
    )
    a1 = running.entrants.get(organization=county.village_a1)
    leaf = selectors.leaf_indicators(running.stages.get(kind="indicators"))[0]
    job = upload(county_user, [[running.pk, a1.number, "", leaf.name, "1", ""]])
    assert job.status == ImportJob.Status.INVALID
    assert "结果已发布" in job.errors[0]["message"]


def wide_upload(actor, contest, sheet_rows, shape=None):
    from zuzhi.testing.sheets import office_xlsx

    return import_job_create(
        actor=actor,
        kind="indicator_values",
        filename="指标宽表.xlsx",
        content=office_xlsx({"汇总": sheet_rows}, shape=shape),
        params={"contest": contest.pk},
    )


def test_the_county_wide_sheet_one_row_per_entrant_by_name(running, county, town_a_user):
    a1 = running.entrants.get(organization=county.village_a1)
    a2 = running.entrants.get(organization=county.village_a2)
    job = wide_upload(
        town_a_user,
        running,
        [
            ["2026年村级十强指标汇总表"],
            ["序号", "参评对象名称", "村集体经济收入（万元）", "信访件数", "备注"],
            [1, a1.name, 35.5, 2, "年报"],
            [2, a2.name[:3], 12, None, None],
        ],
    )
    assert job.status == ImportJob.Status.READY, job.errors
    job = import_job_confirm(actor=town_a_user, job=job)
    values = {(v.entrant_id, v.indicator.name): v.value for v in IndicatorValue.objects.all()}
    assert values == {
        (a1.pk, "村集体经济收入"): Decimal("35.5"),
        (a1.pk, "信访件数"): Decimal(2),
        (a2.pk, "村集体经济收入"): Decimal(12),
    }


def test_percent_cells_and_percent_text_store_the_number_shown(running, county, town_a_user):
    a1 = running.entrants.get(organization=county.village_a1)
    a2 = running.entrants.get(organization=county.village_a2)

    def shape(book):
        book["汇总"]["B2"].number_format = "0.0%"

    job = wide_upload(
        town_a_user,
        running,
        [["参评对象名称", "村集体经济收入"], [a1.name, 0.925], [a2.name, "92.5%"]],
        shape=shape,
    )
    assert job.status == ImportJob.Status.READY, job.errors
    import_job_confirm(actor=town_a_user, job=job)
    assert set(IndicatorValue.objects.values_list("scaled", flat=True)) == {925_000}


def test_an_entrant_name_outside_the_scope_or_ambiguous_is_named(running, county, town_a_user):
    from zuzhi.contests.models import Entrant

    b1 = running.entrants.get(organization=county.village_b1)
    a1 = running.entrants.get(organization=county.village_a1)
    a2 = running.entrants.get(organization=county.village_a2)
    Entrant.objects.filter(pk=a2.pk).update(name="李庄村第二党支部")
    job = wide_upload(
        town_a_user,
        running,
        [["参评对象名称", "信访件数"], [b1.name, 1], ["李庄村", 1]],
    )
    assert job.status == ImportJob.Status.INVALID
    errors = {e["row"]: e["message"] for e in job.errors}
    assert "没有名为" in errors[2]
    assert "对应多个参评对象" in errors[3]
    assert f"{a1.number} 李庄村党支部" in errors[3] and f"{a2.number} 李庄村第二党支部" in errors[3]
    assert not IndicatorValue.objects.exists()


def test_a_wide_sheet_row_of_another_contest_is_refused(running, county, town_a_user):
    a1 = running.entrants.get(organization=county.village_a1)
    job = wide_upload(
        town_a_user,
        running,
        [["考评编号", "参评对象编号", "信访件数"], [running.pk + 1, a1.number, 1]],
    )
    assert job.errors[0]["column"] == "考评编号"


def test_an_updated_value_is_listed_old_to_new(running, county, town_a_user):
    a1 = running.entrants.get(organization=county.village_a1)
    rows = [["参评对象名称", "村集体经济收入", "信访件数"], [a1.name, 35.5, 2]]
    import_job_confirm(actor=town_a_user, job=wide_upload(town_a_user, running, rows))
    rows[1] = [a1.name, 40, 2]
    job = wide_upload(town_a_user, running, rows)
    assert job.changes == [
        {
            "row": 2,
            "fields": [
                {
                    "label": f"{a1.name}：村集体经济收入",
                    "old": "35.5",
                    "new": "40",
                    "identity": False,
                }
            ],
        }
    ]


def test_the_contest_template_lists_the_entrants_in_scope_and_goes_back_in(
    running, county, town_a_user, client_as
):
    import io

    import openpyxl
    from django.urls import reverse

    response = client_as(town_a_user).get(
        reverse("imports:template", args=["indicator_values"]), {"contest": running.pk}
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0] == ["参评对象编号", "参评对象名称", "村集体经济收入", "信访件数"]
    mine = {
        e.number: e.name
        for e in running.entrants.filter(organization__path__startswith=county.town_a.path)
    }
    assert {int(r[0]): r[1] for r in rows[1:]} == mine  # 张湾村 (another township) is not listed
    assert sheet["C1"].comment.text == "单位：万元"
    for r in range(2, len(rows) + 1):
        sheet.cell(r, 3, 10 + r)
        sheet.cell(r, 4, 1)
    buffer = io.BytesIO()
    book.save(buffer)
    job = import_job_create(
        actor=town_a_user,
        kind="indicator_values",
        filename="模板.xlsx",
        content=buffer.getvalue(),
        params={"contest": running.pk},
    )
    assert job.status == ImportJob.Status.READY, job.errors
    assert import_job_confirm(actor=town_a_user, job=job).summary == {"created": 2 * len(mine)}


def test_import_cell_with_odd_digits_is_a_cell_error():
    """importers.parse_id: a ValueError instead of a CellError escapes core.excel._read_cell,
    so one "²" cell fails the whole import instead of being reported on its row."""
    from zuzhi.contests.importers import parse_id
    from zuzhi.core.excel import CellError

    with pytest.raises(CellError):
        parse_id("²")
