"""The 党内统计 page, its Excel and the check, as the county and a township clerk use them."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.members.models import Member
from zuzhi.party_stats.selectors import party_stats
from zuzhi.testing.factories import make_member, valid_id_number


@pytest.fixture
def members(county):
    made = [
        make_member(county.village_a1, name="甲", id_number=valid_id_number("19800101", 1)),
        make_member(
            county.village_a2,
            name="乙",
            id_number=valid_id_number("19750101", 2),
            education="",
        ),
        make_member(county.village_b1, name="丙", id_number=valid_id_number("19700101", 3)),
    ]
    return made


def test_the_page_shows_the_tables_of_the_users_root(client_as, town_a_user, members):
    response = client_as(town_a_user).get(reverse("party_stats:index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "党内统计 · 城关镇党委" in body
    assert "党员按学历" in body and "党员按年龄" in body and "党组织按类型" in body
    # Town A's two members; the one without education is shown as 未填写 and checked.
    assert response.context["stats"].member_total == 2
    assert "未填写学历 1 名" in body


def test_a_township_clerk_cannot_ask_for_another_township(client_as, town_a_user, county, members):
    client = client_as(town_a_user)
    for name in ("party_stats:index", "party_stats:xlsx", "party_stats:check"):
        response = client.get(reverse(name), {"org": county.town_b.pk})
        assert response.status_code == 404, name
    assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == 3


def test_a_malformed_year_falls_back_to_this_year(client_as, county_user, members):
    response = client_as(county_user).get(reverse("party_stats:index"), {"year": "二〇二五"})
    assert response.context["year"] == datetime.date.today().year
    future = client_as(county_user).get(reverse("party_stats:index"), {"year": "3000"})
    assert future.context["year"] == datetime.date.today().year


def test_the_check_lists_a_member_without_education(client_as, county_user, members):
    response = client_as(county_user).get(reverse("party_stats:check"), {"problem": "education"})
    body = response.content.decode()
    assert response.status_code == 200
    assert reverse("members:detail", args=[members[1].pk]) in body
    assert "乙" in body and "甲" not in body and "未填写学历" in body


def test_the_excel_has_a_sheet_per_table_with_its_total(client_as, county_user, county, members):
    response = client_as(county_user).get(reverse("party_stats:xlsx"), {"org": county.county.pk})
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    stats = party_stats(user=county_user, org=county.county, year=datetime.date.today().year)
    assert book.sheet_names == [t.title for t in stats.tables]
    for table in stats.tables:
        rows = book.get_sheet_by_name(table.title).to_python()
        assert rows[0][0] == f"{table.title}统计表"
        assert "示范县委" in rows[1][0] and "统计截止日期" in rows[1][0]
        total = next(r for r in rows if r[0] == "合计")
        assert total[1] == table.total
        blocked = next(r for r in rows if str(r[0]).startswith("无法归入本表的记录"))
        assert blocked[0] == f"无法归入本表的记录：{table.blocked} 条"
    education = book.get_sheet_by_name("党员按学历").to_python()
    assert ["未填写", 1.0] == education[[r[0] for r in education].index("未填写")][:2]
    assert AuditLog.objects.filter(action=AuditAction.EXPORT, org_path=county.county.path).exists()


def test_the_statistics_take_the_same_queries_for_any_number_of_members(county, county_user):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            party_stats(user=county_user, org=None, year=datetime.date.today().year)
        return len(ctx.captured_queries)

    make_member(county.village_a1, id_number=valid_id_number("19800101", 1))
    queries()  # the code tables, read once per process
    few = queries()
    for n in range(2, 30):
        make_member(county.village_a2, id_number=valid_id_number("19800101", n))
    assert Member.objects.count() == 29
    assert queries() == few <= 10
