"""The import pages as an uploader uses them (导入页面): upload in the formats offices save,
the marked file back, the sheet choice, the queued job without a worker, the template, and
the boundaries (another user's job is 404; the template lists only the user's branches)."""

import csv
import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zuzhi.core import imports
from zuzhi.core.imports import import_files_forget, import_job_confirm, import_job_create
from zuzhi.core.models import ImportJob
from zuzhi.members.models import Member
from zuzhi.testing.factories import OrganizationFactory, make_member, valid_id_number
from zuzhi.testing.sheets import office_ods, office_xlsx

from .member_sheets import (
    ID_A,
    ID_B,
    MEMBER_HEADERS,
    member_import,
    member_row,
    ods_book,
    ods_rows,
    sheet_replaced,
)

KIND = "members"
HEADERS = ["姓名", "公民身份号码", "性别", "民族", "入党日期", "党员状态", "所在党组织代码"]
ID1 = valid_id_number("19700101", 11)  # a man
ID2 = valid_id_number("19720304", 22)  # a woman


def member(name="李明", number=ID1, **cells) -> list:
    values = {
        "姓名": name,
        "公民身份号码": number,
        "民族": "汉族",
        "入党日期": "1995-07-01",
        "党员状态": "正式党员",
        "所在党组织代码": "VA1",
    }
    values.update(cells)
    return [values.get(h) for h in HEADERS]


def roster(*rows, title=None, sheets=None) -> bytes:
    table = ([[title]] if title else []) + [HEADERS, *rows]
    return office_xlsx(sheets or {"党员": table})


def create(actor, content, filename="党员.xlsx") -> ImportJob:
    return import_job_create(actor=actor, kind=KIND, filename=filename, content=content)


def job_page(client, job) -> str:
    response = client.get(reverse("imports:job", args=[job.pk]))
    assert response.status_code == 200
    return response.content.decode()


# Uploading -----------------------------------------------------------------------------------


def _csv(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([HEADERS, *rows])
    return out.getvalue().encode("gbk")


def _xls(rows) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("党员")
    for r, values in enumerate([HEADERS, *rows]):
        for c, value in enumerate(values):
            if value is not None:
                sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _ods(rows) -> bytes:
    return office_ods([HEADERS, *rows], sheet="党员")


@pytest.mark.parametrize(
    "filename,build", [("名册.csv", _csv), ("名册.xls", _xls), ("名册.ods", _ods)]
)
def test_the_upload_page_takes_the_formats_offices_save(
    county, town_a_user, client_as, filename, build
):
    client = client_as(town_a_user)
    upload = SimpleUploadedFile(filename, build([member()]))
    response = client.post(reverse("imports:upload", args=[KIND]), {"file": upload})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("imports:job", args=[job.pk])
    assert job.filename == filename and job.created_by == town_a_user
    assert job.status == ImportJob.Status.READY, job.errors
    assert job.summary == {"created": 1}


def test_the_upload_page_refuses_other_files_by_name(county, town_a_user, client_as):
    client = client_as(town_a_user)
    upload = SimpleUploadedFile("名册.docx", b"PK\x03\x04")
    response = client.post(reverse("imports:upload", args=[KIND]), {"file": upload})
    assert response.status_code == 400 and "只能上传" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_refused_job_offers_a_re_upload_that_creates_a_new_job(county, town_a_user, client_as):
    client = client_as(town_a_user)
    refused = create(town_a_user, roster(member(民族="火星族")))
    assert refused.status == ImportJob.Status.INVALID
    page = job_page(client, refused)
    upload_url = reverse("imports:upload", args=[KIND])
    form = re.search(r'<form method="post" enctype="multipart/form-data" action="([^"]+)"', page)
    assert form and form.group(1) == upload_url
    assert 'type="file"' in page and "重新上传" in page

    fixed = SimpleUploadedFile("党员（改）.xlsx", roster(member()))
    response = client.post(upload_url, {"file": fixed})
    again = ImportJob.objects.exclude(pk=refused.pk).get()
    assert response["Location"] == reverse("imports:job", args=[again.pk])
    assert again.status == ImportJob.Status.READY, again.errors
    refused.refresh_from_db()
    assert refused.status == ImportJob.Status.INVALID
    assert "确认导入" in job_page(client, again)


def test_the_preview_page_lists_errors_with_the_person_and_the_cell(county, town_a_user, client_as):
    job = create(town_a_user, roster(member(name="王　芳", number=ID2, 民族="火星族")))
    page = job_page(client_as(town_a_user), job)
    assert (
        '第 2 行</td><td data-label="姓名/名称">王芳</td><td data-label="列">民族</td>'
        '<td data-label="所填内容">火星族</td>'
    ) in page
    assert "下载标注了错误的文件" in page
    assert "已去掉多余的空格" in page  # the notices are shown too


# The marked file -----------------------------------------------------------------------------


def _red(cell) -> bool:
    return cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb.endswith("FFC7CE")


def test_the_refused_file_comes_back_with_the_bad_cells_marked(county, town_a_user, client_as):
    content = roster(
        member(),
        member(name="王芳", number=ID2, 民族="火星族"),
        title="城关镇党员花名册",
    )
    job = create(town_a_user, content)
    assert [(e["row"], e["column"]) for e in job.errors] == [(4, "民族")]
    response = client_as(town_a_user).get(reverse("imports:marked", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["党员", "错误清单"]
    sheet = book["党员"]
    # The sheet as uploaded: title, header, the rows, the IDs as text with every digit.
    assert sheet["A1"].value == "城关镇党员花名册" and sheet["A2"].value == "姓名"
    assert sheet["B3"].value == ID1 and sheet["B4"].value == ID2
    bad = sheet["D4"]
    assert bad.value == "火星族" and _red(bad)
    assert bad.comment is not None and job.errors[0]["message"] in bad.comment.text
    assert not _red(sheet["D3"]) and sheet["D3"].comment is None
    assert not _red(sheet["A4"]) and sheet["A4"].comment is None
    listing = [[c.value for c in r] for r in book["错误清单"].iter_rows()]
    assert listing == [
        ["行号", "姓名/名称", "列", "所填内容", "原因及修改方法"],
        ["第 4 行", "王芳", "民族", "火星族", job.errors[0]["message"]],
    ]


def test_a_rule_broken_by_a_readable_cell_is_marked_on_that_cell(county, town_a_user, client_as):
    job = create(town_a_user, roster(member(number=ID2, 性别="男")))
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "性别")]
    response = client_as(town_a_user).get(reverse("imports:marked", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(response.content))["党员"]
    assert _red(sheet["C2"]) and "号码中为女" in sheet["C2"].comment.text


def test_the_marked_file_is_the_uploaders_only(
    county, town_a_user, town_b_user, county_user, client_as
):
    job = create(town_a_user, roster(member(民族="火星族")))
    # Not another township, nor the county above the uploader: the file holds their data.
    for other in (town_b_user, county_user):
        assert client_as(other).get(reverse("imports:marked", args=[job.pk])).status_code == 404
        assert client_as(other).get(reverse("imports:job", args=[job.pk])).status_code == 404


def test_the_marked_file_is_gone_once_the_upload_is_forgotten(county, town_a_user, client_as):
    job = create(town_a_user, roster(member(民族="火星族")))
    client = client_as(town_a_user)
    url = reverse("imports:marked", args=[job.pk])
    assert client.get(url).status_code == 200
    ImportJob.objects.filter(pk=job.pk).update(
        kept_until=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert import_files_forget() == 1
    assert client.get(url).status_code == 404
    assert "下载标注了错误的文件" not in job_page(client, job)
    job.refresh_from_db()
    assert bytes(job.content) == b"" and job.kept_until is None


def test_a_file_that_could_not_be_read_has_no_marked_copy(county, town_a_user, client_as):
    job = create(town_a_user, b"not a spreadsheet", filename="党员.xlsx")
    assert job.status == ImportJob.Status.INVALID and job.errors[0]["row"] is None
    client = client_as(town_a_user)
    assert client.get(reverse("imports:marked", args=[job.pk])).status_code == 404
    assert "下载标注了错误的文件" not in job_page(client, job)


# Which sheet -----------------------------------------------------------------------------------


def _two_rosters() -> bytes:
    return roster(
        sheets={
            "2025年": [HEADERS, member(name="李明", number=ID1)],
            "2026年": [HEADERS, member(name="王芳", number=ID2)],
        }
    )


def test_two_matching_sheets_ask_which_one(county, town_a_user, client_as):
    job = create(town_a_user, _two_rosters())
    assert job.status == ImportJob.Status.CHOOSE_SHEET
    assert job.sheet_choices == ["2025年", "2026年"]
    page = job_page(client_as(town_a_user), job)
    assert reverse("imports:choose_sheet", args=[job.pk]) in page
    for name in ("2025年", "2026年"):
        assert f'name="sheet" value="{name}">导入工作表“{name}”</button>' in page
    assert "确认导入" not in page and "错误明细" not in page


def test_the_chosen_sheet_is_checked_and_named(county, town_a_user, client_as):
    job = create(town_a_user, _two_rosters())
    client = client_as(town_a_user)
    response = client.post(
        reverse("imports:choose_sheet", args=[job.pk]), {"sheet": "2026年"}, follow=True
    )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY, job.errors
    assert job.sheet_name == "2026年" and job.summary == {"created": 1}
    page = response.content.decode()
    assert "工作表“2026年”" in page and "确认导入" in page
    job = import_job_confirm(actor=town_a_user, job=job)
    from zuzhi.members.models import Member

    assert list(Member.objects.values_list("name", flat=True)) == ["王芳"]


def test_a_sheet_that_was_not_offered_is_refused(county, town_a_user, client_as):
    job = create(town_a_user, _two_rosters())
    client = client_as(town_a_user)
    response = client.post(
        reverse("imports:choose_sheet", args=[job.pk]), {"sheet": "说明"}, follow=True
    )
    assert "请选择文件中的一个工作表" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHOOSE_SHEET and job.sheet_name == ""


def test_another_user_cannot_choose_the_sheet(county, town_a_user, town_b_user, client_as):
    job = create(town_a_user, _two_rosters())
    response = client_as(town_b_user).post(
        reverse("imports:choose_sheet", args=[job.pk]), {"sheet": "2026年"}
    )
    assert response.status_code == 404
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHOOSE_SHEET


# A queued job nobody runs ----------------------------------------------------------------------

WORKER_MISSING = "后台任务未运行，请联系管理员启动 zuzhi db_worker"


def test_a_queued_job_says_when_no_worker_has_taken_it(county, town_a_user, client_as, settings):
    settings.ZUZHI_IMPORT_BACKGROUND_ROWS = 1
    settings.ZUZHI_WORKER_WAIT_SECONDS = 20
    job = create(town_a_user, roster(member(), member(name="王芳", number=ID2)))
    assert job.status == ImportJob.Status.READY
    # The test's transaction never commits, so the task is never handed to a worker.
    job = import_job_confirm(actor=town_a_user, job=job)
    assert job.status == ImportJob.Status.QUEUED
    client = client_as(town_a_user)
    progress = reverse("imports:progress", args=[job.pk])

    def shown() -> tuple[bool, bool]:
        return (
            WORKER_MISSING in job_page(client, job),
            WORKER_MISSING in client.get(progress).content.decode(),
        )

    assert shown() == (False, False)
    assert "排队中" in job_page(client, job)
    ImportJob.objects.filter(pk=job.pk).update(
        queued_at=timezone.now() - datetime.timedelta(seconds=15)
    )
    assert shown() == (False, False)
    ImportJob.objects.filter(pk=job.pk).update(
        queued_at=timezone.now() - datetime.timedelta(seconds=25)
    )
    assert shown() == (True, True)


def test_a_small_job_is_written_at_once_without_the_worker(county, town_a_user, client_as):
    job = create(town_a_user, roster(member()))
    client = client_as(town_a_user)
    response = client.post(reverse("imports:confirm", args=[job.pk]), follow=True)
    page = response.content.decode()
    assert "导入完成" in page and "已写入" in page and WORKER_MISSING not in page
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE


# The template ----------------------------------------------------------------------------------


def _template(client):
    response = client.get(reverse("imports:template", args=[KIND]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def test_the_template_keeps_digits_offers_lists_and_explains_the_rules(
    county, town_a_user, client_as
):
    from zuzhi.members.importers import COLUMNS

    book = _template(client_as(town_a_user))
    assert book.sheetnames[0] == "党员"
    sheet = book["党员"]
    headers = [c.value for c in sheet[1]]
    assert headers == [c.header for c in COLUMNS]
    letters = {h: sheet.cell(1, i + 1).column_letter for i, h in enumerate(headers)}
    # Every column is text, so IDs and phones keep every digit (xlsxwriter writes runs of
    # alike columns as one <col min max>, which openpyxl keys by its first letter).
    formats = {}
    for dimension in sheet.column_dimensions.values():
        for index in range(dimension.min, dimension.max + 1):
            formats[index] = dimension.number_format
    assert [formats.get(i + 1) for i in range(len(headers))] == ["@"] * len(headers)
    # 民族 is a drop-down list read from the 代码表 sheet.
    validation = next(
        v for v in sheet.data_validations.dataValidation if f"{letters['民族']}2" in v.sqref
    )
    assert validation.type == "list" and "代码表" in validation.formula1
    source = re.search(r"\$([A-Z]+)\$2:\$[A-Z]+\$(\d+)", validation.formula1)
    codes = book["代码表"]
    listed = [codes[f"{source.group(1)}{r}"].value for r in range(2, int(source.group(2)) + 1)]
    assert listed[0] == "汉族" and "回族" in listed and len(listed) >= 56
    guide = "\n".join(str(c.value) for c in book["填写说明"]["A"] if c.value)
    assert "92.5%" in guide and "百分" in guide
    assert "公民身份号码列必须是“文本”格式" in guide


def test_the_template_lists_only_the_branches_in_the_users_scope(
    county, town_a_user, town_b_user, client_as
):
    def branches(user):
        rows = _template(client_as(user))["可导入的党组织"].iter_rows(values_only=True)
        return list(rows)[1:]

    assert branches(town_a_user) == [("李庄村党支部", "VA1"), ("王庄村党支部", "VA2")]
    assert branches(town_b_user) == [("张湾村党支部", "VB1")]


def test_the_same_sheet_chosen_twice_is_no_error(county, town_a_user, client_as):
    job = create(town_a_user, _two_rosters())
    client = client_as(town_a_user)
    url = reverse("imports:choose_sheet", args=[job.pk])
    client.post(url, {"sheet": "2026年"})
    response = client.post(url, {"sheet": "2026年"}, follow=True)
    assert response.status_code == 200 and "确认导入" in response.content.decode()
    response = client.post(url, {"sheet": "2025年"}, follow=True)
    assert "已选定工作表" in response.content.decode()
    job.refresh_from_db()
    assert job.sheet_name == "2026年"


def test_a_preview_past_its_keeping_time_cannot_be_confirmed_but_a_queued_job_is_kept(
    county, town_a_user, settings
):
    from django.core.exceptions import ValidationError

    from zuzhi.members.models import Member

    job = create(town_a_user, roster(member()))
    ImportJob.objects.filter(pk=job.pk).update(
        kept_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    with pytest.raises(ValidationError, match="超过保留时间"):
        import_job_confirm(actor=town_a_user, job=job)
    assert not Member.objects.exists()

    settings.ZUZHI_IMPORT_BACKGROUND_ROWS = 0  # queued for the worker, which is not running
    job = create(town_a_user, roster(member()))
    job = import_job_confirm(actor=town_a_user, job=job)
    assert job.status == ImportJob.Status.QUEUED and job.kept_until is None
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    import_files_forget()
    assert bytes(ImportJob.objects.get(pk=job.pk).content)


# A branch name matched by its ending to another village's branch -----------------------


def test_a_branch_name_is_not_taken_for_a_branch_whose_name_merely_ends_with_it(
    county, town_b_user
):
    # 城郊乡 has 小李庄村党支部; 李庄村党支部 is 城关镇's (out of this user's scope). The resolver's
    # name__endswith finds 小李庄村党支部 as the only match in scope and the member is registered
    # there without a word: a different village's branch.
    OrganizationFactory(parent=county.town_b, code="VB2", name="小李庄村党支部")
    headers = [h if h != "所在党组织代码" else "所在党支部" for h in MEMBER_HEADERS]
    content = office_xlsx({"党员": [headers, member_row(所在党组织代码="李庄村党支部")]})
    job = member_import(town_b_user, content)
    assert job.status == ImportJob.Status.INVALID, job.notices
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "所在党组织")]
    assert "VA1" not in job.errors[0]["message"]  # nor does it name the other township's branch
    assert not Member.objects.exists()


# An identity change past the listed updates cannot be confirmed ---------------------------


def test_every_identity_change_has_its_tick_box_even_past_the_listed_updates(
    county, town_a_user, client_as, monkeypatch
):
    # The preview lists at most LISTED_MAX updates (2,000) but every identity row must be
    # ticked: an identity change listed after them has no tick box, so the file can never be
    # confirmed from the page. Shown with LISTED_MAX at 1: a phone change, then a rename.
    monkeypatch.setattr(imports, "LISTED_MAX", 1)
    make_member(county.village_a1, name="李明", id_number=ID_A, education="37")
    make_member(county.village_a1, name="王芳", id_number=ID_B, education="37")
    content = office_xlsx(
        {
            "党员": [
                MEMBER_HEADERS + ["联系电话"],
                member_row() + ["13700001111"],
                member_row("王芳芳", ID_B),
            ]
        }
    )
    job = member_import(town_a_user, content)
    assert job.status == ImportJob.Status.READY, job.errors
    assert job.identity_rows == [3]
    page = client_as(town_a_user).get(reverse("imports:job", args=[job.pk])).content.decode()
    assert 'name="confirm_row" value="3"' in page


# Indicator leaves whose names differ by a bracket ------------------------------------------


@pytest.fixture
def two_leaf_contest(county, county_user):
    from decimal import Decimal

    from zuzhi.contests import services
    from zuzhi.contests.models import StageKind

    return services.contest_create(
        actor=county_user,
        organization=county.county,
        data={
            "name": "村级十强",
            "track": "village",
            "period_label": "2026年",
            "top_n": 1,
            "red_list_size": 1,
            "black_list_size": 1,
            "tiers": [{"name": "一般", "min": "0"}],
        },
        stages=[
            {
                "kind": StageKind.INDICATORS,
                "name": "综合指标",
                "weight": Decimal(100),
                "indicators": [
                    {"name": "党员教育（线上）", "weight": Decimal(50), "method": "minmax"},
                    {"name": "党员教育（线下）", "weight": Decimal(50), "method": "minmax"},
                ],
            }
        ],
    )


def test_a_contest_whose_leaves_differ_only_by_a_bracket_takes_its_own_template(
    county, county_user, two_leaf_contest
):
    # normalize_header drops a trailing bracket, so both leaves become the header 党员教育 and
    # header_lookup raises ValueError ("never the user's" mistake, it says) for every upload
    # from this contest's page; the uploader is told the file is damaged.
    from zuzhi.contests.importers import INDICATOR_VALUE_IMPORTER

    params = {"contest": two_leaf_contest.pk}
    headers = [
        c.header
        for c in imports.importer_columns(
            INDICATOR_VALUE_IMPORTER, actor=county_user, params=params
        )
    ]
    assert "党员教育（线上）" in headers and "党员教育（线下）" in headers
    content = office_xlsx(
        {"汇总": [["参评对象名称", "党员教育（线上）", "党员教育（线下）"], ["李庄村党支部", 1, 2]]}
    )
    job = import_job_create(
        actor=county_user,
        kind="indicator_values",
        filename="指标.xlsx",
        content=content,
        params=params,
    )
    file_errors = [e["message"] for e in job.errors if e["row"] is None]
    assert file_errors == [], file_errors


# A notice that is never shown: the hidden rows after many cell notes ---------------------


def test_the_hidden_rows_notice_is_shown_however_many_cells_were_noted(
    county, town_a_user, monkeypatch
):
    # The preview keeps the first LISTED_MAX notices (2,000). The reader lists each changed
    # cell (a name without its alignment spaces: one notice per name) before the notice of
    # the rows it skipped as hidden, so a large roster with padded names loses the only word
    # about the rows that were not imported. Shown with LISTED_MAX at 2.
    monkeypatch.setattr(imports, "LISTED_MAX", 2)
    ids = [valid_id_number("19700101", n) for n in (11, 13, 15, 17)]
    rows = [
        member_row(name, number)
        for name, number in zip(["王　一", "王　二", "王　三", "王四"], ids, strict=True)
    ]

    def hide_row_5(book):
        book["党员"].row_dimensions[5].hidden = True

    job = member_import(
        town_a_user, office_xlsx({"党员": [MEMBER_HEADERS, *rows]}, shape=hide_row_5)
    )
    assert job.status == ImportJob.Status.READY, job.errors
    assert any("隐藏" in n["message"] for n in job.notices), job.notices


# A sheet name longer than the column holding it ----------------------------------------


def test_a_long_ods_sheet_name_does_not_break_saving_the_job(county, town_a_user):
    # .ods sheet names have no 31-character limit. ImportJob.sheet_name is a CharField of 128
    # and _check saves the name read unchecked: PostgreSQL refuses the UPDATE (a 500 on the
    # upload), SQLite stores it whole.
    name = "城关镇" + "党员" * 80
    content = ods_book(ods_rows([MEMBER_HEADERS, member_row()]), sheet=name)
    job = member_import(town_a_user, content, filename="党员.ods")
    stored = ImportJob.objects.get(pk=job.pk).sheet_name
    assert len(stored) <= ImportJob._meta.get_field("sheet_name").max_length


# The marked file loses what the first upload read around: merges and hidden rows ---------


def test_the_marked_file_fixed_and_uploaded_again_imports_what_the_first_upload_read(
    county, town_a_user
):
    # The marked copy is written from the raw grid: a cell merged down comes back unmerged
    # with its value on the first row only, and a hidden row comes back visible. The clerk
    # fixes the red cell and uploads the copy: 王芳 is stored without the 学历 her row showed,
    # and 张三, skipped as hidden the first time, is imported.
    from openpyxl import load_workbook

    from zuzhi.core.imports import import_job_marked_file

    id3, id4 = valid_id_number("19700101", 13), valid_id_number("19700101", 15)

    def shape(book):
        book["党员"].merge_cells("D2:D3")
        book["党员"].row_dimensions[4].hidden = True

    content = office_xlsx(
        {
            "党员": [
                MEMBER_HEADERS,
                member_row("李明", ID_A),
                member_row("王芳", ID_B, 学历=None),
                member_row("张三", id3),
                member_row("赵四", "123"),
            ]
        },
        shape=shape,
    )
    job = member_import(town_a_user, content)
    assert [(e["row"], e["column"]) for e in job.errors] == [(5, "公民身份号码")]
    marked = load_workbook(io.BytesIO(import_job_marked_file(actor=town_a_user, job=job)))
    marked["党员"]["B5"] = id4  # the clerk fixes the red cell
    buffer = io.BytesIO()
    marked.save(buffer)
    again = member_import(town_a_user, buffer.getvalue())
    assert again.status == ImportJob.Status.READY, again.errors
    import_job_confirm(actor=town_a_user, job=again)
    assert dict(Member.objects.values_list("name", "education")) == {
        "李明": "37",
        "王芳": "37",
        "赵四": "37",
    }


# The marked file of a sheet holding an out-of-range number ------------------------------


def test_the_marked_file_of_a_sheet_with_an_overflowing_number_is_served(
    county, town_a_user, client_as
):
    # A number cell written 1e400 reads as float("inf"): the import refuses the cell, but
    # marked._write passes it to xlsxwriter's write_number, which raises TypeError for INF,
    # so "下载标注了错误的文件" answers 500.
    content = office_xlsx({"党员": [MEMBER_HEADERS, member_row(学历="PLACEHOLDER")]})
    content = sheet_replaced(
        content,
        b'<c r="D2" t="inlineStr"><is><t>PLACEHOLDER</t></is></c>',
        b'<c r="D2"><v>1e400</v></c>',
    )
    job = member_import(town_a_user, content)
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "学历")]
    client = client_as(town_a_user)
    client.raise_request_exception = False
    response = client.get(reverse("imports:marked", args=[job.pk]))
    assert response.status_code == 200
