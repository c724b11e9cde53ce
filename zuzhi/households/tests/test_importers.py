"""A community's household sheet, imported: a good file lands whole in a few statements; a
messy one writes nothing and names every bad row and column."""

import io

import openpyxl

from zuzhi.core.imports import import_job_confirm, import_job_create
from zuzhi.core.models import AuditLog, ImportJob
from zuzhi.households.models import Household
from zuzhi.testing.factories import valid_id_number
from zuzhi.testing.xlsx import make_xlsx

HEADER = [
    "序号",
    "社区（村）",
    "网格",
    "住址",
    "户主姓名",
    "户主公民身份号码",
    "联系电话",
    "家庭人口",
]


def upload(actor, rows):
    return import_job_create(
        actor=actor,
        kind="households",
        filename="住户.xlsx",
        content=make_xlsx([["李庄村联系户花名册"], HEADER, *rows]),
    )


def test_a_good_file_lands_whole(world, django_assert_max_num_queries):
    village = world.county.village_a1
    rows = [
        [
            n,
            village.name if n % 2 else village.code,
            "一网格",
            f"幸福路{n}号",
            f"王{n}",
            "",
            f"1391234{n:04d}",
            3,
        ]
        for n in range(1, 301)
    ]
    rows[0][5] = valid_id_number(sequence=9)
    job = upload(world.town_a, rows)
    assert job.status == ImportJob.Status.READY, job.errors
    assert job.summary == {"created": 300}
    assert not Household.objects.exists()
    with django_assert_max_num_queries(40):
        job = import_job_confirm(actor=world.town_a, job=job)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert Household.objects.filter(community=village).count() == 300
    h = Household.objects.get(address="幸福路1号")
    assert (h.head_name, h.head_initials, h.phone, h.people) == ("王1", "w1", "13912340001", 3)
    assert AuditLog.objects.filter(target_type="households.household").count() == 300
    # The same file again registers nothing twice.
    again = upload(world.town_a, rows)
    assert again.summary == {"unchanged": 300}, again.errors


def test_a_messy_sheet_writes_nothing_and_names_each_bad_cell(world):
    village = world.county.village_a1
    rows = [
        [1, village.name, "一网格", "幸福路1号", "王一", "", "13912340001", 3],
        [2, village.name, "一网格", "幸福路2号", "王二", "", "12345", 3],
        [3, village.name, "一网格", "幸福路3号", "王三", "411330198001011230", "", ""],
        [4, world.county.village_b1.name, "", "乙村1号", "王四", "", "", ""],
        [5, village.name, "", "幸福路1号", "王五", "", "", ""],
        [6, village.name, "", "", "王六", "", "", "很多"],
    ]
    job = upload(world.town_a, rows)
    assert job.status == ImportJob.Status.INVALID
    cells = {(e["row"], e["column"]) for e in job.errors}
    # The title row is row 1 and the header row 2: data starts on row 3.
    assert {
        (4, "联系电话"),
        (5, "户主公民身份号码"),
        (6, "社区（村）"),
        (7, "住址"),
        (8, "住址"),
        (8, "家庭人口"),
    } <= cells, job.errors
    assert all(e["message"] for e in job.errors)
    assert not any(e["row"] == 3 for e in job.errors)
    assert next(e for e in job.errors if e["row"] == 4)["who"] == "王二"
    assert not Household.objects.exists()


def test_the_template_offers_the_clerks_villages(world, client_as):
    response = client_as(world.town_a).get("/imports/households/template/")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    text = str([list(s.iter_rows(values_only=True)) for s in book.worksheets])
    assert "户主姓名" in text and world.county.village_a1.name in text
    assert world.county.village_b1.name not in text
