"""Member rosters (党员花名册) as township offices keep them, through the real import path
(import_job_create → preview → import_job_confirm): each is imported right, or refused
naming the cell and writing nothing; nothing is stored differently from what the sheet shows."""

import datetime
import io
import json

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zuzhi.core.idnumber import check_char
from zuzhi.core.imports import import_job_confirm, import_job_create
from zuzhi.core.models import AuditAction, AuditLog, ImportJob
from zuzhi.core.scope import SYSTEM
from zuzhi.members.models import Member
from zuzhi.members.services import member_update
from zuzhi.testing.factories import OrganizationFactory, make_member, valid_id_number
from zuzhi.testing.sheets import office_xlsx

HEADERS = [
    "姓名",
    "公民身份号码",
    "性别",
    "民族",
    "出生日期",
    "学历",
    "入党日期",
    "党员状态",
    "所在党组织代码",
    "所在党组织",
    "联系电话",
]
# Sequence numbers: odd is a man, even a woman (the 17th digit).
MAN = valid_id_number("19700101", 11)
WOMAN = valid_id_number("19700101", 12)


def row(**values) -> list:
    """A good row for branch VA1 (李庄村党支部); `values` replace cells by header."""
    cells = {
        "姓名": "王芳",
        "公民身份号码": WOMAN,
        "民族": "汉族",
        "学历": "高中",
        "入党日期": "1995-07-01",
        "党员状态": "正式党员",
        "所在党组织代码": "VA1",
        "联系电话": "13912345678",
    }
    cells.update(values)
    return [cells.get(h) for h in HEADERS]


def upload(actor, rows, *, headers=HEADERS, **sheet):
    content = office_xlsx({"党员": [headers, *rows]}, **sheet)
    return import_job_create(actor=actor, kind="members", filename="党员.xlsx", content=content)


def errors_at(job) -> list[tuple[int, str]]:
    return [(e["row"], e["column"]) for e in job.errors]


def notices_text(job) -> str:
    return "\n".join(n["message"] for n in job.notices)


# 1. ID numbers held as numbers ---------------------------------------------------------------


def test_an_18_digit_id_held_as_a_number_is_refused_with_how_to_fix_it(county, town_a_user):
    before = AuditLog.objects.count()
    job = upload(town_a_user, [row(公民身份号码=int(MAN[:17] + "0"))])
    assert job.status == ImportJob.Status.INVALID
    assert errors_at(job) == [(2, "公民身份号码")]
    message = job.errors[0]["message"]
    assert "15 位有效数字" in message and "“文本”格式" in message
    assert not Member.objects.exists() and AuditLog.objects.count() == before
    with pytest.raises(ValidationError):
        import_job_confirm(actor=town_a_user, job=job)
    assert not Member.objects.exists()


def test_a_15_digit_legacy_id_held_as_a_number_is_stored_as_18_digits(county, town_a_user):
    legacy = "411330700101123"  # a man born 1970-01-01
    upgraded = "41133019700101123"
    upgraded += check_char(upgraded)
    job = upload(town_a_user, [row(公民身份号码=int(legacy), 姓名="李明")])
    assert job.status == ImportJob.Status.READY, job.errors
    listed = [n for n in job.notices if n["row"] == 2 and n["column"] == "公民身份号码"]
    assert len(listed) == 1 and legacy in listed[0]["message"] and upgraded in listed[0]["message"]
    import_job_confirm(actor=town_a_user, job=job)
    member = Member.objects.get()
    assert member.id_number == upgraded
    assert member.birth_date == datetime.date(1970, 1, 1) and member.gender == "1"


# 2. A known ID number with another name: an identity change, confirmed row by row -----------


@pytest.fixture
def registered(county):
    """张三, registered in VA1 with the values row() writes (but for the name)."""
    return make_member(
        county.village_a1,
        name="张三",
        id_number=MAN,
        education="37",
        join_date=datetime.date(1995, 7, 1),
        full_date=None,
        phone="13912345678",
    )


def test_a_new_name_for_a_known_id_is_listed_old_to_new_and_must_be_confirmed(
    county, town_a_user, registered
):
    job = upload(town_a_user, [row(公民身份号码=MAN, 姓名="张四")])
    assert job.status == ImportJob.Status.READY, job.errors
    assert job.summary == {"updated": 1}
    assert job.changes == [
        {"row": 2, "fields": [{"label": "姓名", "old": "张三", "new": "张四", "identity": True}]}
    ]
    assert job.identity_rows == [2]
    before = AuditLog.objects.count()
    with pytest.raises(ValidationError, match="第 2 行"):
        import_job_confirm(actor=town_a_user, job=job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY
    assert Member.objects.get().name == "张三" and AuditLog.objects.count() == before

    job = import_job_confirm(actor=town_a_user, job=job, confirmed_rows=[2])
    assert job.status == ImportJob.Status.DONE, job.errors
    member = Member.objects.get()
    assert member.name == "张四"
    log = AuditLog.objects.get(action=AuditAction.UPDATE, target_id=str(member.pk))
    assert log.before["name"] == "张三" and log.after["name"] == "张四"
    assert log.actor == town_a_user


def test_ticking_a_row_that_is_not_an_identity_change_confirms_nothing_else(
    county, town_a_user, registered
):
    other = valid_id_number("19700101", 13)
    make_member(county.village_a1, name="赵六", id_number=other)
    job = upload(
        town_a_user,
        [row(公民身份号码=MAN, 姓名="张四"), row(公民身份号码=other, 姓名="赵七")],
    )
    assert job.identity_rows == [2, 3]
    with pytest.raises(ValidationError, match="第 3 行"):
        import_job_confirm(actor=town_a_user, job=job, confirmed_rows=[2, 4])
    assert set(Member.objects.values_list("name", flat=True)) == {"张三", "赵六"}


def test_a_phone_change_is_listed_and_needs_no_confirmation(county, town_a_user, registered):
    job = upload(town_a_user, [row(公民身份号码=MAN, 姓名="张三", 联系电话="137-0000-1111")])
    assert job.status == ImportJob.Status.READY, job.errors
    assert job.changes == [
        {
            "row": 2,
            "fields": [
                # The stored number is masked: the uploader's role may not be allowed to see it.
                {"label": "联系电话", "old": "139****5678", "new": "13700001111", "identity": False}
            ],
        }
    ]
    assert job.identity_rows == []
    job = import_job_confirm(actor=town_a_user, job=job)
    assert job.status == ImportJob.Status.DONE
    assert Member.objects.get().phone == "13700001111"


def test_a_row_that_became_an_identity_change_after_the_preview_is_refused(
    county, town_a_user, registered
):
    # Previewed as a phone change; before the confirm someone renames the member by hand, so
    # the file now renames them back, which nobody confirmed.
    job = upload(town_a_user, [row(公民身份号码=MAN, 姓名="张三", 联系电话="13700001111")])
    assert job.status == ImportJob.Status.READY and job.identity_rows == []
    member_update(actor=SYSTEM, member=registered, data={"name": "张叁"})
    job = import_job_confirm(actor=town_a_user, job=job)
    assert job.status == ImportJob.Status.FAILED
    assert errors_at(job) == [(2, "姓名")] and "勾选确认" in job.errors[0]["message"]
    member = Member.objects.get()
    assert (member.name, member.phone) == ("张叁", "13912345678")


def test_the_confirm_page_without_the_tick_writes_nothing_and_with_it_renames(
    county, town_a_user, registered, client_as
):
    client = client_as(town_a_user)
    job = upload(town_a_user, [row(公民身份号码=MAN, 姓名="张四")])
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "张三 → <strong>张四</strong>" in page
    assert 'name="confirm_row" value="2"' in page

    response = client.post(reverse("imports:confirm", args=[job.pk]), follow=True)
    page = response.content.decode()
    assert "请逐行核对并勾选确认" in page and "第 2 行" in page
    assert Member.objects.get().name == "张三"
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY

    response = client.post(reverse("imports:confirm", args=[job.pk]), {"confirm_row": "2"})
    assert response.status_code == 302
    assert Member.objects.get().name == "张四"
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE


# 3. The branch by name, within the uploader's scope ------------------------------------------


NAME_ONLY = [h for h in HEADERS if h != "所在党组织代码"]


def by_name(**values) -> list:
    full = dict(zip(HEADERS, row(所在党组织代码=None, **values), strict=True))
    return [full[h] for h in NAME_ONLY]


def test_a_branch_named_in_the_sheet_is_found_in_the_scope(county, town_a_user):
    job = upload(town_a_user, [by_name(所在党组织="李庄村党支部")], headers=NAME_ONLY)
    assert job.status == ImportJob.Status.READY, job.errors
    import_job_confirm(actor=town_a_user, job=job)
    assert Member.objects.get().organization == county.village_a1


def test_an_ambiguous_branch_name_lists_the_candidates(county, town_a_user):
    east = OrganizationFactory(parent=county.town_a, code="TA-E1", name="东街社区第一党支部")
    west = OrganizationFactory(parent=county.town_a, code="TA-W1", name="西街社区第一党支部")
    job = upload(town_a_user, [by_name(所在党组织="第一党支部")], headers=NAME_ONLY)
    assert job.status == ImportJob.Status.INVALID
    assert errors_at(job) == [(2, "所在党组织")]
    message = job.errors[0]["message"]
    assert f"{east.name}（{east.code}）" in message and f"{west.name}（{west.code}）" in message
    assert not Member.objects.exists()


def test_candidates_for_a_name_come_from_the_scope_only(county, town_a_user):
    # “村党支部” ends 李庄村、王庄村 (城关镇) and 张湾村 (城郊乡) alike.
    job = upload(town_a_user, [by_name(所在党组织="村党支部")], headers=NAME_ONLY)
    message = job.errors[0]["message"]
    assert "李庄村党支部（VA1）" in message and "王庄村党支部（VA2）" in message
    assert "张湾" not in message and "VB1" not in message


def test_an_unknown_branch_name_says_so(county, town_a_user):
    job = upload(town_a_user, [by_name(所在党组织="赵庄村党支部")], headers=NAME_ONLY)
    assert errors_at(job) == [(2, "所在党组织")]
    assert "没有名为“赵庄村党支部”" in job.errors[0]["message"]


def test_a_branch_of_another_township_by_name_is_not_found_and_not_described(county, town_a_user):
    job = upload(town_a_user, [by_name(所在党组织="张湾村党支部")], headers=NAME_ONLY)
    assert job.status == ImportJob.Status.INVALID
    assert errors_at(job) == [(2, "所在党组织")]
    assert "没有名为“张湾村党支部”" in job.errors[0]["message"]
    # Nothing the uploader did not type: not the branch's code, not its township.
    told = json.dumps([job.errors, job.notices, job.changes], ensure_ascii=False)
    assert "VB1" not in told and county.town_b.name not in told and "TB" not in told
    assert not Member.objects.exists()


def test_a_branch_of_another_township_by_code_is_not_described(county, town_a_user):
    job = upload(town_a_user, [row(所在党组织代码="VB1")])
    assert errors_at(job) == [(2, "所在党组织代码")]
    told = json.dumps([job.errors, job.notices], ensure_ascii=False)
    assert "张湾" not in told and county.town_b.name not in told


def test_a_code_and_a_name_that_contradict_are_refused(county, town_a_user):
    job = upload(town_a_user, [row(所在党组织代码="VA1", 所在党组织="王庄村党支部")])
    assert job.status == ImportJob.Status.INVALID
    assert errors_at(job) == [(2, "所在党组织")]
    assert "李庄村党支部" in job.errors[0]["message"] and "王庄村党支部" in job.errors[0]["message"]
    assert not Member.objects.exists()


def test_a_code_with_its_own_name_is_accepted(county, town_a_user):
    job = upload(town_a_user, [row(所在党组织代码="VA2", 所在党组织="王庄村党支部")])
    assert job.status == ImportJob.Status.READY, job.errors


# 4. One upload shows everything --------------------------------------------------------------


def test_every_problem_of_a_row_is_shown_in_the_first_preview(county, town_a_user):
    job = upload(
        town_a_user,
        [
            row(
                姓名="王　芳",
                公民身份号码=WOMAN,
                民族="火星族",
                性别="男",
                所在党组织代码=None,
                所在党组织="赵庄村党支部",
            )
        ],
    )
    assert job.status == ImportJob.Status.INVALID
    assert set(errors_at(job)) == {(2, "所在党组织"), (2, "民族"), (2, "性别")}
    by_column = {e["column"]: e for e in job.errors}
    assert {e["who"] for e in job.errors} == {"王芳"}
    assert by_column["民族"]["value"] == "火星族"
    assert by_column["性别"]["value"] == "男"
    assert "号码中为女" in by_column["性别"]["message"]
    assert by_column["所在党组织"]["value"] == "赵庄村党支部"


def test_a_birth_month_against_the_id_does_not_hide_the_other_problems(county, town_a_user):
    job = upload(town_a_user, [row(公民身份号码=WOMAN, 出生日期="1970.02", 性别="男", 民族="x")])
    assert set(errors_at(job)) == {(2, "出生日期"), (2, "民族"), (2, "性别")}


def test_a_number_repeated_after_a_row_with_other_errors_is_shown_at_once(county, town_a_user):
    job = upload(town_a_user, [row(公民身份号码=MAN, 民族="x"), row(公民身份号码=MAN, 姓名="李明")])
    assert set(errors_at(job)) == {(2, "民族"), (3, "公民身份号码")}
    assert "重复" in job.errors[-1]["message"]


def test_a_member_of_another_township_is_named_even_when_the_row_has_other_errors(
    county, town_a_user
):
    make_member(county.village_b1, id_number=MAN)
    job = upload(town_a_user, [row(公民身份号码=MAN, 民族="x")])
    assert set(errors_at(job)) == {(2, "民族"), (2, "公民身份号码")}
    assert "张湾" not in json.dumps(job.errors, ensure_ascii=False)


# 5. Month-only dates -------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["1995.03", "1995年3月", "199503", 199503, 1995.03])
def test_a_join_month_is_stored_as_a_month(county, town_a_user, typed):
    job = upload(town_a_user, [row(入党日期=typed)])
    assert job.status == ImportJob.Status.READY, job.errors
    import_job_confirm(actor=town_a_user, job=job)
    member = Member.objects.get()
    assert member.join_date == datetime.date(1995, 3, 1) and member.join_date_month_only


def test_a_full_join_date_is_stored_as_a_day(county, town_a_user):
    import_job_confirm(
        actor=town_a_user, job=upload(town_a_user, [row(入党日期=datetime.date(1995, 3, 17))])
    )
    member = Member.objects.get()
    assert member.join_date == datetime.date(1995, 3, 17) and not member.join_date_month_only


def test_a_birth_month_is_checked_against_the_id(county, town_a_user):
    number = valid_id_number("19850315", 12)
    job = upload(
        town_a_user,
        [row(公民身份号码=number, 出生日期="1985.04", 入党日期="2005.07")],
    )
    assert errors_at(job) == [(2, "出生日期")]
    assert "1985.03" in job.errors[0]["message"]
    assert job.errors[0]["value"] == "1985.04"

    job = upload(town_a_user, [row(公民身份号码=number, 出生日期="1985.03", 入党日期="2005.07")])
    assert job.status == ImportJob.Status.READY, job.errors
    import_job_confirm(actor=town_a_user, job=job)
    assert Member.objects.get().birth_date == datetime.date(1985, 3, 15)


def test_a_join_month_is_checked_for_18_years_at_month_level(county, town_a_user):
    number = valid_id_number("19850315", 12)
    job = upload(town_a_user, [row(公民身份号码=number, 入党日期="2003.02")])
    assert errors_at(job) == [(2, "入党日期")] and "18 周岁" in job.errors[0]["message"]
    job = upload(town_a_user, [row(公民身份号码=number, 入党日期="2003.03")])
    assert job.status == ImportJob.Status.READY, job.errors


@pytest.mark.parametrize("shown_as", ['yyyy"年"m"月"', "yyyy.mm", "yyyy-mm"])
def test_a_date_cell_shown_as_a_month_is_stored_as_a_month(county, town_a_user, shown_as):
    def shape(book):
        book["党员"]["G2"].number_format = shown_as

    job = upload(town_a_user, [row(入党日期=datetime.date(1995, 3, 1))], shape=shape)
    assert job.status == ImportJob.Status.READY, job.errors
    import_job_confirm(actor=town_a_user, job=job)
    member = Member.objects.get()
    assert member.join_date == datetime.date(1995, 3, 1) and member.join_date_month_only


def test_a_date_cell_shown_as_a_month_is_refused_where_a_day_is_needed(db):
    from zuzhi.core.excel import Column, read_sheet
    from zuzhi.core.parsers import parse_date
    from zuzhi.testing.sheets import office_xlsx

    def shape(book):
        book["名册"]["B2"].number_format = 'yyyy"年"m"月"'

    content = office_xlsx(
        {"名册": [["姓名", "成立日期"], ["李庄村党支部", datetime.date(1995, 3, 1)]]}, shape=shape
    )
    columns = [Column("姓名", "name", required=True), Column("成立日期", "day", parse=parse_date)]
    row = read_sheet(content, columns=columns).rows[0]
    assert row.values["day"] is None and "1995.03" in row.errors["成立日期"]


def test_a_month_excel_kept_as_a_number_ending_in_1_is_refused_not_guessed(county, town_a_user):
    # 1995.10 typed in a General cell is kept as the number 1995.1: October or January?
    job = upload(town_a_user, [row(入党日期=1995.1)])
    assert errors_at(job) == [(2, "入党日期")] and "1995.10" in job.errors[0]["message"]
    assert not Member.objects.exists()


# 6. Names with alignment spaces --------------------------------------------------------------


def test_a_name_with_spaces_is_stored_without_them_and_listed(county, town_a_user):
    job = upload(town_a_user, [row(姓名="王　芳")])
    assert job.status == ImportJob.Status.READY, job.errors
    listed = [n for n in job.notices if n["row"] == 2 and n["column"] == "姓名"]
    assert (
        len(listed) == 1 and "王　芳" in listed[0]["message"] and "“王芳”" in listed[0]["message"]
    )
    import_job_confirm(actor=town_a_user, job=job)
    assert Member.objects.get().name == "王芳"


# 7. Values as offices write them -------------------------------------------------------------


def test_short_names_aliases_and_dashed_phones_are_stored_as_codes(county, town_a_user):
    job = upload(
        town_a_user,
        [row(民族="汉", 学历="硕士研究生", 党员状态="中共党员", 联系电话="138-1234-5678")],
    )
    assert job.status == ImportJob.Status.READY, job.errors
    import_job_confirm(actor=town_a_user, job=job)
    member = Member.objects.get()
    assert (member.ethnicity, member.education, member.status, member.phone) == (
        "01",
        "11",
        "full",
        "13812345678",
    )


def test_an_ambiguous_education_offers_its_meanings(county, town_a_user):
    job = upload(town_a_user, [row(学历="高中/中专")])
    assert errors_at(job) == [(2, "学历")]
    assert "高中、中专" in job.errors[0]["message"]
    assert job.errors[0]["value"] == "高中/中专"


# 13. The township's own roster, end to end ---------------------------------------------------

ROSTER_HEADERS = [
    "序号",
    "姓 名",
    "身份证号码",
    "性别",
    "民族",
    "文化程度",
    "入党时间",
    "正式/预备",
    "所在党支部",
    "联系电话",
    "备注",
]
ETHNICITY = {"汉": "01", "回": "03"}
EDUCATION = {"大专": "31", "高中": "37", "本科": "21"}
GENDER = {"男": "1", "女": "2"}
STATUS = {"正式": "full", "预备": "probationary"}
BRANCH = {"李庄村党支部": "VA1", "王庄村党支部": "VA2"}
# 入党时间 as clerks leave it: a month typed in a General cell (Excel keeps the number
# 2001.07), a month typed as text, a date cell, a date typed as text.
JOINED = [
    (2001.07, datetime.date(2001, 7, 1), True),
    ("1998.10", datetime.date(1998, 10, 1), True),
    ("2003年6月", datetime.date(2003, 6, 1), True),
    (datetime.date(2005, 7, 1), datetime.date(2005, 7, 1), False),
    ("2010-07-01", datetime.date(2010, 7, 1), False),
    ("199605", datetime.date(1996, 5, 1), True),
]
PHONES = [
    ("138-1234-5678", "13812345678"),
    ("13912345678", "13912345678"),
    (13700001111, "13700001111"),  # a number cell
    ("0377-6512345", "0377-6512345"),
    ("139 0000 2222", "13900002222"),
]
SURNAMES = "赵钱孙李周吴郑冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红兰峰建国"
MERGED_FIRST, MERGED_LAST = 4, 9  # 所在党支部 merged down over Excel rows 4–9
HIDDEN = 13  # a member who left: the row was hidden, not deleted


def roster_people() -> list[dict]:
    """31 people as the sheet shows them (row 13 is hidden), in sheet order from Excel row 4."""
    people = []
    for i in range(31):
        number = valid_id_number(f"19{55 + i}0{1 + i % 9}1{i % 10}", 100 + i)
        typed_join, joined, month_only = JOINED[i % len(JOINED)]
        if joined.year - int(number[6:10]) < 19:  # 入党时应年满 18 周岁
            typed_join, joined, month_only = "2020.09", datetime.date(2020, 9, 1), True
        typed_phone, phone = PHONES[i % len(PHONES)]
        people.append(
            {
                "excel_row": 4 + i,
                "name": SURNAMES[i] + GIVEN[i],
                "typed_name": SURNAMES[i] + GIVEN[i],
                "id_number": number,
                "gender": "男" if int(number[16]) % 2 else "女",
                "ethnicity": "回" if i % 7 == 3 else "汉",
                "education": ["大专", "高中", "本科"][i % 3],
                "typed_join": typed_join,
                "join_date": joined,
                "month_only": month_only,
                "status": "正式",
                "branch": "李庄村党支部"
                if 4 + i <= 12
                else ["王庄村党支部", "李庄村党支部"][i % 2],
                "typed_phone": typed_phone,
                "phone": phone,
                "note": "村委委员" if i % 5 == 0 else None,
            }
        )
    people[10].update(typed_name="王　芳", name="王芳")
    people[20].update(status="预备", typed_join="2025.11", join_date=datetime.date(2025, 11, 1))
    people[20]["month_only"] = True
    return people


def township_roster(people: list[dict], *, wrong_check_digit_at: int | None = None) -> bytes:
    table = [
        ["城关镇党委2026年党员花名册"],
        ["填报单位：城关镇党委（盖章）", None, None, None, None, None, None, "填报日期：2026年3月"],
        ROSTER_HEADERS,
    ]
    for n, p in enumerate(people, start=1):
        number = p["id_number"]
        if p["excel_row"] == wrong_check_digit_at:
            number = number[:-1] + ("1" if number[-1] != "1" else "2")
        in_merge = MERGED_FIRST < p["excel_row"] <= MERGED_LAST
        table.append(
            [
                n,
                p["typed_name"],
                number,
                p["gender"],
                p["ethnicity"],
                p["education"],
                p["typed_join"],
                p["status"],
                None if in_merge else p["branch"],
                p["typed_phone"],
                p["note"],
            ]
        )
    table.append(["合计", f"{len(people) - 1} 人"])
    table.append(["填表人：张三", None, None, None, None, "审核人：李四"])

    def shape(book):
        sheet = book["花名册"]
        sheet.merge_cells("A1:K1")
        sheet.merge_cells(f"I{MERGED_FIRST}:I{MERGED_LAST}")
        sheet.row_dimensions[HIDDEN].hidden = True

    return office_xlsx({"花名册": table}, shape=shape)


def upload_roster(actor, content):
    return import_job_create(
        actor=actor, kind="members", filename="城关镇党员花名册.xlsx", content=content
    )


def test_a_township_roster_goes_in_with_one_round_of_fixes_and_exactly_as_shown(
    county, town_a_user, client_as
):
    people = roster_people()
    bad_row = 20
    content = township_roster(people, wrong_check_digit_at=bad_row)

    job = upload_roster(town_a_user, content)
    # Refused only for the one planted mistake, named with its person and cell.
    assert job.status == ImportJob.Status.INVALID
    assert errors_at(job) == [(bad_row, "公民身份号码")], job.errors
    assert job.errors[0]["who"] == people[bad_row - 4]["name"]
    assert (
        job.errors[0]["value"]
        == openpyxl.load_workbook(io.BytesIO(content))["花名册"][f"C{bad_row}"].value
    )
    assert "校验位" in job.errors[0]["message"]
    assert not Member.objects.exists()
    # The marked copy points at that very cell, under the title rows and beside 序号.
    marked = client_as(town_a_user).get(reverse("imports:marked", args=[job.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(marked.content))["花名册"]
    assert sheet[f"C{bad_row}"].comment is not None
    assert "校验位" in sheet[f"C{bad_row}"].comment.text
    assert [c.coordinate for r in sheet.iter_rows() for c in r if c.comment] == [f"C{bad_row}"]

    job = upload_roster(town_a_user, township_roster(people))
    assert job.status == ImportJob.Status.READY, job.errors
    assert job.total_rows == 30 and job.summary == {"created": 30}
    told = notices_text(job)
    assert "已忽略表头上方的第 1–2 行" in told
    assert "A 列“序号”" in told and "K 列“备注”" in told
    assert f"第 {MERGED_FIRST}–{MERGED_LAST} 行的“所在党组织”是合并单元格" in told
    assert f"已跳过隐藏的第 {HIDDEN} 行" in told
    assert "已忽略合计、签字等表尾行：第 35–36 行" in told
    assert "“王　芳”已去掉多余的空格" in told

    job = import_job_confirm(actor=town_a_user, job=job)
    assert job.status == ImportJob.Status.DONE, job.errors

    visible = [p for p in people if p["excel_row"] != HIDDEN]
    hidden = next(p for p in people if p["excel_row"] == HIDDEN)
    assert not Member.objects.filter(id_number=hidden["id_number"]).exists()
    stored = {m.id_number: m for m in Member.objects.select_related("organization")}
    assert set(stored) == {p["id_number"] for p in visible}
    for p in visible:
        m = stored[p["id_number"]]
        assert (
            m.name,
            m.gender,
            m.ethnicity,
            m.education,
            m.join_date,
            m.join_date_month_only,
            m.status,
            m.organization.code,
            m.phone,
        ) == (
            p["name"],
            GENDER[p["gender"]],
            ETHNICITY[p["ethnicity"]],
            EDUCATION[p["education"]],
            p["join_date"],
            p["month_only"],
            STATUS[p["status"]],
            BRANCH[p["branch"]],
            p["phone"],
        ), p["excel_row"]
        assert m.birth_date == datetime.date(
            int(p["id_number"][6:10]), int(p["id_number"][10:12]), int(p["id_number"][12:14])
        )
        assert m.full_date is None

    # The same roster again finds nothing to change.
    again = upload_roster(town_a_user, township_roster(people))
    assert again.status == ImportJob.Status.READY, again.errors
    assert again.summary == {"unchanged": 30} and again.changes == []


def test_a_dissolved_branch_takes_no_new_members(county, town_a_user):
    from zuzhi.orgs.models import Organization

    Organization.objects.filter(pk=county.village_a1.pk).update(is_active=False)
    job = upload(town_a_user, [row(所在党组织代码="VA1")])
    assert job.status == ImportJob.Status.INVALID
    assert "已撤销" in job.errors[0]["message"]


# A roster without 党员状态 ----------------------------------------------------------------


def test_a_roster_without_status_implies_it_where_the_dates_leave_no_doubt(
    county, town_a_user, monkeypatch
):
    monkeypatch.setattr("zuzhi.members.importers.local_today", lambda: datetime.date(2026, 12, 5))
    headers = ["姓名", "公民身份号码", "民族", "入党日期", "转正日期", "所在党组织代码"]
    rows = [
        ["甲", valid_id_number("19800101", 11), "汉族", "2025-06-01", "2026-06-01", "VA1"],
        ["乙", valid_id_number("19800101", 13), "汉族", "2026-03-01", None, "VA1"],
        ["丙", valid_id_number("19800101", 15), "汉族", "2020-07-01", None, "VA1"],
        ["丁", valid_id_number("19800101", 17), "汉族", "2025-06-01", None, "VA1"],
    ]
    job = upload(town_a_user, rows, headers=headers)
    assert errors_at(job) == [(5, "党员状态")] and "无法判断是否已转正" in job.errors[0]["message"]
    rows[3][4] = "2026-06-01"
    job = upload(town_a_user, rows, headers=headers)
    assert job.status == ImportJob.Status.READY, job.errors
    assert "已按入党、转正时间推定为正式党员" in notices_text(job)
    assert "推定为预备党员（入党不满一年）：第 3 行" in notices_text(job)
    import_job_confirm(actor=town_a_user, job=job)
    assert dict(Member.objects.values_list("name", "status")) == {
        "甲": "full",
        "乙": "probationary",
        "丙": "full",
        "丁": "full",
    }


def test_a_known_member_keeps_the_status_a_roster_leaves_out(county, town_a_user):
    member = make_member(
        county.village_a1,
        id_number=WOMAN,
        name="王芳",
        status="probationary",
        join_date=datetime.date(2026, 1, 1),
        full_date=None,
    )
    headers = ["姓名", "公民身份号码", "民族", "入党日期", "所在党组织代码", "联系电话"]
    job = upload(
        town_a_user, [["王芳", WOMAN, "汉族", "2026-01-01", "VA1", "13800000000"]], headers=headers
    )
    assert job.status == ImportJob.Status.READY, job.errors
    import_job_confirm(actor=town_a_user, job=job)
    member.refresh_from_db()
    assert member.status == "probationary" and member.phone == "13800000000"


def test_a_month_only_date_keeps_the_day_on_record_when_it_agrees(county, town_a_user):
    member = make_member(
        county.village_a1,
        id_number=WOMAN,
        name="王芳",
        join_date=datetime.date(1995, 7, 18),
        education="37",
        phone="13912345678",
    )
    job = upload(town_a_user, [row(入党日期="1995.07")])
    assert job.status == ImportJob.Status.READY and job.changes == [], job.changes
    job = upload(town_a_user, [row(入党日期="1995.08")])
    assert job.changes == [
        {
            "row": 2,
            "fields": [
                {"label": "入党日期", "old": "1995-07-18", "new": "1995.08", "identity": False}
            ],
        }
    ]
    import_job_confirm(actor=town_a_user, job=job)
    member.refresh_from_db()
    assert member.join_date == datetime.date(1995, 8, 1) and member.join_date_month_only
