"""The judge's phone page (评分): the status is polled, the sheet never is; scores are
checked and totalled by the server before they are submitted."""

import re

from django.urls import reverse

from zuzhi.contests import services
from zuzhi.contests.models import ScoreSheet, StageKind

from .conftest import stage_of


def _setup(running, county_user, judges, client_as):
    stage = stage_of(running, StageKind.JUDGES)
    entrant = running.entrants.order_by("number").first()
    services.appearance_open(actor=county_user, stage=stage, entrant=entrant)
    return stage, entrant, client_as(judges[1])


def _marks(stage, entrant, first, second):
    a, b = stage.criteria.all()
    return {"entrant": entrant.pk, f"c_{a.pk}": first, f"c_{b.pk}": second}


def test_only_the_status_is_polled_never_the_sheet(running, county_user, judges, client_as):
    stage, entrant, client = _setup(running, county_user, judges, client_as)
    page = client.get(reverse("contests:score", args=[stage.pk])).content.decode()
    polled = re.findall(r'<div id="([\w-]+)"[^>]*hx-trigger="every', page)
    assert polled == ["score-status"]
    status_url = reverse("contests:score_status", args=[stage.pk])
    assert f'hx-get="{status_url}?shown={entrant.pk}"' in page
    status = client.get(status_url, {"shown": entrant.pk}, HTTP_HX_REQUEST="true")
    body = status.content.decode()
    assert entrant.name in body and "<input" not in body and "<form" not in body
    assert "HX-Refresh" not in status


def test_status_reloads_a_waiting_page_but_not_a_sheet_being_typed(
    running, county_user, judges, client_as
):
    stage = stage_of(running, StageKind.JUDGES)
    first, second = running.entrants.order_by("number")[:2]
    client = client_as(judges[1])
    url = reverse("contests:score_status", args=[stage.pk])
    assert "请等待" in client.get(url, {"shown": ""}).content.decode()
    services.appearance_open(actor=county_user, stage=stage, entrant=first)
    # The page waited: it reloads itself to show the sheet.
    assert client.get(url, {"shown": ""})["HX-Refresh"] == "true"
    for judge in judges:
        a, b = stage.criteria.all()
        services.sheet_submit(
            judge=judge, stage=stage, entrant=first, marks={a.pk: "50", b.pk: "30"}
        )
    services.appearance_close(actor=county_user, appearance=stage.appearances.get())
    services.appearance_open(actor=county_user, stage=stage, entrant=second)
    # The sheet for `first` is in: the page reloads for `second`.
    assert client.get(url, {"shown": first.pk})["HX-Refresh"] == "true"
    # Another judge's page still holds a sheet typed for someone else (never submitted): it is
    # not reloaded, the judge is told.
    other = client_as(judges[0])
    answer = other.get(url, {"shown": second.pk + 1000})
    assert "HX-Refresh" not in answer and "台上已换人" in answer.content.decode()


def test_check_shows_the_servers_total_and_saves_nothing(running, county_user, judges, client_as):
    stage, entrant, client = _setup(running, county_user, judges, client_as)
    url = reverse("contests:score_check", args=[stage.pk])
    answer = client.post(url, _marks(stage, entrant, "55", "36.5"), HTTP_HX_REQUEST="true")
    body = answer.content.decode()
    assert "合计 91.5 分" in body and "确认提交" in body
    assert reverse("contests:score_submit", args=[stage.pk]) in body
    assert not ScoreSheet.objects.exists()
    bad = client.post(url, _marks(stage, entrant, "99", "1"), HTTP_HX_REQUEST="true")
    assert "0 到 60" in bad.content.decode() and "确认提交" not in bad.content.decode()
    # Without htmx the whole page comes back, the typed scores still in their boxes.
    page = client.post(url, _marks(stage, entrant, "99", "1")).content.decode()
    assert "0 到 60" in page and 'value="99"' in page


def test_submit_records_the_sheet_once(running, county_user, judges, client_as):
    stage, entrant, client = _setup(running, county_user, judges, client_as)
    url = reverse("contests:score_submit", args=[stage.pk])
    assert client.post(url, _marks(stage, entrant, "55", "30")).status_code == 302
    page = client.get(reverse("contests:score", args=[stage.pk])).content.decode()
    assert "您已提交：合计 85 分" in page
    again = client.post(url, _marks(stage, entrant, "50", "30")).content.decode()
    assert "您已提交过" in again
    assert ScoreSheet.objects.get().total == 85
