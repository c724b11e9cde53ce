import datetime
import io

import openpyxl
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.reserve_training import services
from zuzhi.reserve_training.models import MentoringDay, Mentorship

from .conftest import START


def _sheet(response):
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [[c.value for c in row] for row in book.active.iter_rows()]


def test_board_lists_pairs_with_one_tap_and_reserves_without_mentor(
    county, town_a_user, client_as, pair, pool_reserve
):
    p = pair(name="甲")
    lonely = pool_reserve(county.village_a1, name="乙")
    text = client_as(town_a_user).get(reverse("reserve_training:board")).content.decode()
    assert "甲" in text and p.mentor_name in text and "本月尚未帮带" in text
    assert reverse("reserve_training:day_create", args=[p.pk]) in text
    assert "记录本月帮带" in text
    assert reverse("reserve_training:mentor_assign", args=[lonely.pk]) in text
    assert "<script" not in text.split("</head>")[1] and " onclick=" not in text


def test_mentoring_day_form_prefilled_today_and_saved(county, town_a_user, client_as, pair):
    p = pair()
    client = client_as(town_a_user)
    url = reverse("reserve_training:day_create", args=[p.pk])
    form = client.get(url).context["form"]
    assert form["date"].value() == timezone.localdate()
    assert [label for _, label in form.fields["activity"].choices] == [
        "政策学习",
        "项目跟班",
        "矛盾调处",
        "走访群众",
        "其他",
    ]
    response = client.post(
        url, {"date": timezone.localdate(), "activity": "dispute", "content": "调解邻里纠纷"}
    )
    assert response.status_code == 302 and response.url == reverse("reserve_training:board")
    assert MentoringDay.objects.get().activity == "dispute"
    again = client.post(
        url, {"date": timezone.localdate(), "activity": "visit", "content": "再来一次"}
    )
    assert again.status_code == 200 and "已有帮带记录" in again.content.decode()


def test_assign_mentor_from_the_select(
    county, town_a_user, client_as, pool_reserve, villager, first_secretary
):
    reserve = pool_reserve(county.village_a1)
    villager(county.village_a1, name="王书记", position="secretary")
    villager(county.village_a2, name="邻村党员")
    resident = first_secretary(county.village_a1)
    client = client_as(town_a_user)
    url = reverse("reserve_training:mentor_assign", args=[reserve.pk])
    text = client.get(url).content.decode()
    assert "王书记（支部书记）" in text and "驻村第一书记" in text and "邻村党员" not in text
    response = client.post(url, {"mentor": f"a{resident.pk}", "started_on": "2026-01-05"})
    assert response.status_code == 302
    assert Mentorship.objects.get().mentor_assignment == resident


def test_non_pool_reserve_gets_the_chinese_error(
    county, town_a_user, client_as, pool_reserve, villager
):
    reserve = pool_reserve(county.village_a1, status="candidate")
    mentor = villager(county.village_a1)
    response = client_as(town_a_user).post(
        reverse("reserve_training:mentor_assign", args=[reserve.pk]),
        {"mentor": f"m{mentor.pk}", "started_on": "2026-01-05"},
    )
    assert response.status_code == 200
    assert "只有已入库的后备力量才能配备导师" in response.content.decode()


def test_month_view_and_export(county, county_user, town_a_user, client, pair):
    idle, busy = pair(name="甲"), pair(name="乙")
    today = timezone.localdate()
    services.mentoring_day_record(
        actor=town_a_user, mentorship=busy, date=today, activity="policy", content="学习文件"
    )
    client.force_login(county_user)
    page = client.get(reverse("reserve_training:month"))
    assert list(page.context["page"]) == [idle]
    assert page.context["summary"] == {"total": 2, "missing": 1, "done": 1}
    rows = _sheet(client.get(reverse("reserve_training:month_export")))
    assert rows[0][:3] == ["乡镇", "村（社区）", "后备力量"]
    assert [r[2] for r in rows[1:]] == ["甲"] and rows[1][0] == county.town_a.name
    assert AuditLog.objects.filter(action=AuditAction.EXPORT).count() == 1
    earlier = client.get(reverse("reserve_training:month"), {"month": "2025-12"})
    assert earlier.context["summary"]["total"] == 0


def test_branch_secretary_gets_no_page(county, branch_a1_user, client_as):
    client = client_as(branch_a1_user)
    for name in ("board", "month", "progress", "plans", "plan_create", "month_export"):
        assert client.get(reverse(f"reserve_training:{name}")).status_code == 404, name


def test_township_b_gets_404_on_town_a_pairs(county, town_b_user, client_as, pair):
    p = pair()
    client = client_as(town_b_user)
    assert client.get(reverse("reserve_training:day_create", args=[p.pk])).status_code == 404
    response = client.post(
        reverse("reserve_training:day_create", args=[p.pk]),
        {"date": START, "activity": "visit", "content": "越权"},
    )
    assert response.status_code == 404 and not MentoringDay.objects.exists()
    assert client.get(reverse("reserve_training:month")).context["summary"]["total"] == 0


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_query_counts_do_not_grow_with_the_pairs(
    county, county_user, town_a_user, client, pair, course
):
    client.force_login(county_user)
    urls = [
        reverse("reserve_training:board"),
        reverse("reserve_training:month"),
        reverse("reserve_training:month_export"),
        reverse("reserve_training:progress"),
        reverse("reserve_training:plans"),
    ]
    services.plan_create(
        actor=county_user,
        organization=county.county,
        year=timezone.localdate().year,
        hours_required=8,
    )
    c = course(year=timezone.localdate().year)

    def grow(names):
        for name in names:
            p = pair(name=name)
            services.record_create(
                actor=town_a_user, reserve=p.reserve, course=c, completed_on=START
            )

    grow(["甲", "乙"])
    small = [_queries(client, u) for u in urls]
    grow(["丙", "丁", "戊", "己", "庚", "辛"])
    assert [_queries(client, u) for u in urls] == small


def test_plan_form_and_progress_page(county, town_a_user, client_as, pool_reserve, course):
    c = course(year=timezone.localdate().year)
    client = client_as(town_a_user)
    response = client.post(
        reverse("reserve_training:plan_create"),
        {
            "organization": county.town_a.pk,
            "year": timezone.localdate().year,
            "hours_required": "6",
            "courses": [c.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()
    reserve = pool_reserve(county.village_a1, name="甲")
    services.record_create(
        actor=town_a_user, reserve=reserve, course=c, completed_on=timezone.localdate()
    )
    text = client.get(reverse("reserve_training:progress")).content.decode()
    assert "甲" in text and "6.00" in text and "未完成" in text
    detail = client.get(reverse("reserve_training:reserve", args=[reserve.pk])).content.decode()
    assert c.title in detail
    assert "已修 1.00 学时" in detail


def test_reserve_record_page_links_to_training(county, town_a_user, client_as, pool_reserve):
    reserve = pool_reserve(county.village_a1)
    text = (
        client_as(town_a_user).get(reverse("reserves:record", args=[reserve.pk])).content.decode()
    )
    assert reverse("reserve_training:reserve", args=[reserve.pk]) in text


def test_ending_a_pair_from_the_page_keeps_it_in_history(county, town_a_user, client_as, pair):
    p = pair()
    services.mentoring_day_record(
        actor=town_a_user, mentorship=p, date=START, activity="visit", content="入户"
    )
    client = client_as(town_a_user)
    response = client.post(
        reverse("reserve_training:mentorship_end", args=[p.pk]),
        {"ended_on": "2026-02-01", "reason": "导师调离"},
    )
    assert response.status_code == 302
    detail = client.get(reverse("reserve_training:reserve", args=[p.reserve_id])).content.decode()
    assert "2026-02-01 结束（导师调离）" in detail and "走访群众" in detail
    assert Mentorship.objects.get().ended_on == datetime.date(2026, 2, 1)


def test_mentor_form_says_why_there_is_no_one_to_choose(
    county, town_a_user, client_as, pool_reserve
):
    reserve = pool_reserve(county.village_a2)
    text = (
        client_as(town_a_user)
        .get(reverse("reserve_training:mentor_assign", args=[reserve.pk]))
        .content.decode()
    )
    assert "本村还没有可选的导师" in text


def test_home_reminds_the_township_of_pairs_without_this_months_day(
    county, town_a_user, town_b_user, client_as, pair
):
    pair()
    home = reverse("home")
    assert "本月尚未记录帮带的后备力量结对" in client_as(town_a_user).get(home).content.decode()
    assert "本月尚未记录帮带" not in client_as(town_b_user).get(home).content.decode()
