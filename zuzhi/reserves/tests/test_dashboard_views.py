import io
import json
import re

import openpyxl
from django.urls import reverse

from zuzhi.core.models import AuditAction, AuditLog

from .test_targets import pool_reserve_fixture  # noqa: F401  (the pool_reserve fixture)


def _sheet(response):
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [[c.value for c in row] for row in book.active.iter_rows()]


def _chart(page) -> dict:
    text = page.content.decode()
    found = re.search(
        r'<script id="reserve-pool-chart-data" type="application/json">(.*?)</script>', text
    )
    return json.loads(found.group(1))


def test_county_overview_shows_each_township_against_the_targets(
    county, county_user, client_as, pool_reserve
):
    pool_reserve(county.village_a1, birth="19900101", education="21", source="veteran")
    pool_reserve(county.village_a1, birth="19900101", education="21")
    page = client_as(county_user).get(reverse("reserves:pool"))
    text = page.content.decode()
    assert page.status_code == 200
    assert county.town_a.name in text and county.town_b.name in text
    assert reverse("reserves:pool_township", args=[county.town_b.pk]) in text
    # town A: village A2 has none; town B: its one village has none.
    assert "未达标" in text and "不足 2 名的村" in text
    chart = _chart(page)
    assert chart["areas"] == [[county.town_a.name, 2, 1], [county.town_b.name, 0, 1]]
    assert chart["sources"] == [["退役军人", 1], ["高校毕业生", 1]]
    assert "<script>" not in text  # charts from the static file only (CSP)


def test_township_page_lists_villages_under_target_including_empty_ones(
    county, town_a_user, client_as, pool_reserve
):
    pool_reserve(county.village_a1)
    pool_reserve(county.village_a1)
    page = client_as(town_a_user).get(reverse("reserves:pool_township", args=[county.town_a.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    under = text.split('id="under"')[1].split("</div>")[0]
    assert county.village_a2.name in under and county.village_a1.name not in under
    assert "（0 名）" in under


def test_township_staff_overview_is_their_township_and_another_is_logged_404(
    county, town_a_user, client_as, pool_reserve
):
    pool_reserve(county.village_b1)
    client = client_as(town_a_user)
    text = client.get(reverse("reserves:pool")).content.decode()
    assert county.town_a.name in text and county.town_b.name not in text
    for name in ("reserves:pool_township", "reserves:pool_township_export"):
        response = client.get(reverse(name, args=[county.town_b.pk]))
        assert response.status_code == 404
    assert (
        AuditLog.objects.filter(
            action=AuditAction.PERMISSION_DENIED, target_id=str(county.town_b.pk)
        ).count()
        == 2
    )


def test_other_roles_get_no_dashboard(county, branch_a1_user, client_as):
    client = client_as(branch_a1_user)
    assert client.get(reverse("reserves:pool")).status_code == 404
    assert client.get(reverse("reserves:pool_export")).status_code == 404
    assert client.get(reverse("reserves:pool_township", args=[county.town_a.pk])).status_code == 404


def test_exports_are_the_tables_and_audited(county, county_user, client_as, pool_reserve):
    pool_reserve(county.village_a1, birth="19900101", education="21")
    pool_reserve(county.village_a1, birth="19900101", education="38")
    client = client_as(county_user)
    rows = _sheet(client.get(reverse("reserves:pool_export")))
    head = rows[0]
    assert head[:4] == ["乡镇（街道）", "村（社区）数", "不足2名的村（社区）数", "入库人数"]
    town_a = dict(zip(head, rows[1], strict=True))
    assert town_a["乡镇（街道）"] == county.town_a.name and town_a["入库人数"] == 2
    assert town_a["不足2名的村（社区）数"] == 1
    assert town_a["大专及以上占比（%）"] == 50 and town_a["大专及以上占比不低于60%"] == "未达标"
    assert rows[-1][0] == "合计" and rows[-1][3] == 2
    villages = _sheet(client.get(reverse("reserves:pool_township_export", args=[county.town_a.pk])))
    assert [r[0] for r in villages[1:]] == [county.village_a1.name, county.village_a2.name, "合计"]
    a1 = dict(zip(villages[0], villages[1], strict=True))
    assert a1["入库人数"] == 2 and a1["达到每村2名"] == "达标"
    a2 = dict(zip(villages[0], villages[2], strict=True))
    assert a2["入库人数"] == 0 and a2["达到每村2名"] == "未达标" and a2["平均年龄"] is None
    assert AuditLog.objects.filter(action=AuditAction.EXPORT).count() == 2


def test_page_reads_at_phone_width(county, county_user, client_as):
    text = client_as(county_user).get(reverse("reserves:pool")).content.decode()
    assert '<table class="list cards">' in text  # a card per row on a phone


def test_api_gives_the_same_figures_in_scope(
    county, town_a_user, county_user, api_as, pool_reserve
):
    pool_reserve(county.village_a1, birth="19900101", education="21")
    pool_reserve(county.village_a1, birth="19900101", education="38")
    body = api_as(county_user).get("/api/reserves/pool").json()
    assert body["targets"] == {"per_village": 2, "max_average_age": 37, "min_college_share": "3/5"}
    a, b = body["rows"]
    assert (a["org_id"], a["pool"], a["villages_under"], a["college_met"]) == (
        county.town_a.pk,
        2,
        1,
        False,
    )
    assert (b["pool"], b["age_met"], b["count_met"]) == (0, None, False)
    assert body["total"]["org_id"] is None and body["total"]["sources"]["graduate"] == 2
    api = api_as(town_a_user)
    assert [r["org_id"] for r in api.get("/api/reserves/pool").json()["rows"]] == [county.town_a.pk]
    villages = api.get(f"/api/reserves/pool/{county.town_a.pk}").json()["rows"]
    assert [(v["org_name"], v["pool"], v["count_met"]) for v in villages] == [
        (county.village_a1.name, 2, True),
        (county.village_a2.name, 0, False),
    ]
    assert api.get(f"/api/reserves/pool/{county.town_b.pk}").status_code == 404


def test_many_townships_are_shown_a_page_at_a_time_under_the_whole_total(
    county, county_user, client_as, pool_reserve, monkeypatch
):
    from zuzhi.reserves import dashboard_views

    pool_reserve(county.village_a1, birth="19900101", education="21")
    pool_reserve(county.village_b1, birth="19900101", education="21")
    monkeypatch.setattr(dashboard_views, "POOL_PAGE", 1)
    client = client_as(county_user)
    first = client.get(reverse("reserves:pool"))
    second = client.get(reverse("reserves:pool") + "?page=2")
    assert _chart(first)["areas"] == [[county.town_a.name, 1, 2]]
    assert _chart(second)["areas"] == [[county.town_b.name, 1, 1]]
    text = first.content.decode()
    assert "第 1 / 2 页" in text and county.town_b.name not in text.split("合计")[0]
    # The total under the page is the whole scope's: both townships' reserves.
    assert first.context["total"].pool == 2
