"""The results page and its exports (考评结果): the chart says how many of how many entrants
it shows and can show them all, the radar only with three stages or more; the Excel has
numbers for scores and each entrant's township."""

import io
import json
import re
from decimal import Decimal as D

import openpyxl
from django.urls import reverse

from zuzhi.contests import services
from zuzhi.contests.views import results as results_views

from .test_services import fill_indicators, judge_all


def _computed(running, county, county_user, judges, client):
    fill_indicators(running, county, county_user)
    judge_all(
        running, county_user, judges, {e.organization_id: [80] * 5 for e in running.entrants.all()}
    )
    client.post(reverse("contests:action", args=[running.pk, "compute"]))
    return running.versions.get()


def _chart(page: str) -> dict:
    raw = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(raw.group(1))


def test_chart_says_how_many_it_shows_and_offers_all(
    running, county, county_user, judges, client_as, monkeypatch
):
    client = client_as(county_user)
    _computed(running, county, county_user, judges, client)
    url = reverse("contests:results", args=[running.pk])
    monkeypatch.setattr(results_views, "CHART_TOP", 2)
    page = client.get(url).content.decode()
    assert "柱状图显示前 2 名，共 3 个参评对象。" in page and "显示全部 3 个" in page
    chart = _chart(page)
    assert len(chart["names"]) == 3 and chart["top"] == 2  # all there to show on request
    monkeypatch.setattr(results_views, "CHART_TOP", 30)
    page = client.get(url).content.decode()
    assert "柱状图显示全部 3 个参评对象。" in page and "chart-all" not in page


def test_radar_only_with_three_stages(running, county, county_user, judges, client_as):
    client = client_as(county_user)
    _computed(running, county, county_user, judges, client)
    page = client.get(reverse("contests:results", args=[running.pk])).content.decode()
    assert 'id="radar"' in page and "radar-link" in page  # three stages

    two = services.contest_create(
        actor=county_user,
        organization=county.county,
        data={"name": "两环节评比", "track": "village", "period_label": "2026年"},
        stages=[
            {"kind": "public_report", "name": "汇报", "weight": D(50)},
            {"kind": "public_report", "name": "评议", "weight": D(50)},
        ],
    )
    services.entrants_add_eligible(actor=county_user, contest=two)
    services.contest_start(actor=county_user, contest=two)
    for stage in two.stages.all():
        for entrant in two.entrants.all():
            services.direct_score_set(actor=county_user, entrant=entrant, stage=stage, score=80)
    client.post(reverse("contests:action", args=[two.pk, "compute"]))
    page = client.get(reverse("contests:results", args=[two.pk])).content.decode()
    assert two.versions.exists() and "柱状图" in page
    assert 'id="radar"' not in page and "radar-link" not in page
    assert _chart(page)["radar"] == {}


def test_excel_has_numbers_and_the_township(running, county, county_user, judges, client_as):
    client = client_as(county_user)
    version = _computed(running, county, county_user, judges, client)
    export = client.get(reverse("contests:results_export", args=[running.pk, version.pk, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    headers = [c.value for c in sheet[1]]
    assert "所属乡镇" in headers
    rows = [dict(zip(headers, (c.value for c in row), strict=True)) for row in sheet.iter_rows(2)]
    by_name = {r["参评对象"]: r for r in rows}
    assert by_name["李庄村党支部"]["所属乡镇"] == "城关镇党委"
    assert by_name["张湾村党支部"]["所属乡镇"] == "城郊乡党委"
    stage_names = [s.name for s in running.stages.all()]
    for row in sheet.iter_rows(2):
        cells = dict(zip(headers, row, strict=True))
        for name in [*stage_names, "加减分", "总分"]:
            if cells[name].value is not None:
                assert cells[name].data_type == "n", (name, cells[name].value)
    pdf = client.get(reverse("contests:results_export", args=[running.pk, version.pk, "pdf"]))
    assert pdf.content.startswith(b"%PDF")
