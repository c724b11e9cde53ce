"""The county opens a round from a township's spreadsheet: a title above the table and a
footer under it are read past; a broken cell is named by row and column and nothing opens."""

import io

import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zuzhi.joint_reviews.models import ReviewRound
from zuzhi.testing.factories import valid_id_number


def workbook(rows) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet("名单")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    return SimpleUploadedFile("名单.xlsx", buffer.getvalue())


def post(client, upload):
    return client.post(
        reverse("joint_reviews:open"),
        {
            "kind": "village_committee",
            "title": "村两委任前联审",
            "deadline": "2026-12-31",
            "upload": upload,
        },
    )


def test_a_sheet_with_title_and_footer_opens_the_round(client_as, county, county_user, departments):
    upload = workbook(
        [
            ["甲镇村“两委”成员候选人县级联审名单"],
            ["序号", "姓名", "公民身份号码", "村（社区）"],
            [1, "张 三", valid_id_number(sequence=11), "李庄村"],
            [2, "李四", valid_id_number(sequence=12), "VB1"],
            ["合计", "2 人"],
        ]
    )
    response = post(client_as(county_user), upload)
    assert response.status_code == 302, response.content.decode()[:2000]
    review_round = ReviewRound.objects.get()
    assert review_round.kind == "village_committee"
    assert [(i.name, i.village) for i in review_round.items.order_by("id")] == [
        ("张三", county.village_a1),
        ("李四", county.village_b1),
    ]


def test_an_id_typed_as_a_number_is_named_and_nothing_opens(
    client_as, county, county_user, departments
):
    upload = workbook(
        [
            ["姓名", "公民身份号码", "村（社区）"],
            ["张三", valid_id_number(sequence=11), "李庄村"],
            ["李四", 4.11330198001011e17, "李庄村"],
        ]
    )
    page = post(client_as(county_user), upload).content.decode()
    assert "第 3 行“公民身份号码”" in page
    assert not ReviewRound.objects.exists()


def test_neither_list_nor_file_is_refused(client_as, county, county_user, departments):
    page = post(client_as(county_user), "").content.decode()
    assert "请粘贴联审名单或上传 Excel 名单" in page
