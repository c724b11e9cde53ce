"""The kept home of a wide scope (首页统计快照): which organizations are wide, whose home is
kept, that the page reads it as counted (and only its own user's, for the roles and scope
they still hold), and the 立即更新 request that enqueues one recount however often it is asked."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks.signals import task_enqueued

from zuzhi.accounts.models import RoleAssignment, User
from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.dashboard import services
from zuzhi.dashboard.models import HomeFigures
from zuzhi.dashboard.selectors import home_figures, kept_home
from zuzhi.dashboard.services import home_figures_keep, home_figures_refresh_all, wide_roots
from zuzhi.dashboard.tasks import refresh_home_figures
from zuzhi.members.services import member_transfer
from zuzhi.orgs.models import OrgFigures
from zuzhi.recruitment.services import candidate_apply
from zuzhi.testing.factories import make_member, valid_id_number

TODAY = timezone.localdate()
KEPT_NOTE = "本页统计截至"


def add_member(org, n: int):
    return make_member(org, name=f"党员{n}", id_number=valid_id_number("19800101", n))


def total(body: str) -> str:
    return body.split("党员 <strong>", 1)[1].split("</strong>", 1)[0]


@pytest.fixture
def wide(county, town_b_user, settings):
    """Over 2 members is wide: the county (4) and township A (3) are, township B (1) and
    李庄村 (2) not. A transfer waits for 李庄村 and an applicant applied there."""
    settings.ZUZHI_HOME_LIVE_MAX_MEMBERS = 2
    add_member(county.village_a1, 1)
    add_member(county.village_a1, 2)
    add_member(county.village_a2, 3)
    leaving = add_member(county.village_b1, 4)
    member_transfer(
        actor=town_b_user,
        member=leaving,
        to_org=county.village_a1,
        transfer_date=TODAY,
        reason="工作调动",
    )
    candidate_apply(
        actor=SYSTEM,
        organization=county.village_a1,
        applied_on=TODAY - datetime.timedelta(days=30),
        data={
            "name": "赵小青",
            "id_number": valid_id_number("20000101", 222),
            "ethnicity": "01",
            "education": "21",
        },
    )
    return county


@pytest.fixture
def enqueued():
    """The tasks enqueued during the test, as (task name, kwargs)."""
    seen = []

    def record(sender, task_result, **kwargs):
        seen.append((task_result.task.name, task_result.kwargs))

    task_enqueued.connect(record)
    yield seen
    task_enqueued.disconnect(record)


def test_wide_roots_are_the_organizations_holding_more_members_than_the_limit(wide):
    # The member services keep each organization's own count, which wide_roots adds up.
    assert OrgFigures.objects.get(organization=wide.village_a1).members == 2
    assert OrgFigures.objects.get(organization=wide.village_b1).members == 1
    assert wide_roots() == sorted([wide.county.path, wide.town_a.path])
    assert wide_roots(limit=3) == [wide.county.path]
    assert wide_roots(limit=4) == []
    add_member(wide.village_b1, 5)
    add_member(wide.village_b1, 6)
    assert wide.town_b.path in wide_roots()


def test_refresh_all_keeps_wide_data_roles_and_drops_the_rest(
    wide, settings, county_user, town_a_user, town_b_user, auditor_user
):
    HomeFigures.objects.create(user=town_b_user, computed_at=timezone.now(), scope=[], data={})
    assert home_figures_refresh_all() == {"kept": 2, "dropped": 1}
    # The auditor sits on the county but holds no data role; township B is narrow.
    assert set(HomeFigures.objects.values_list("user", flat=True)) == {
        county_user.pk,
        town_a_user.pk,
    }
    # Township A is no longer wide and the county user is deactivated: both dropped.
    settings.ZUZHI_HOME_LIVE_MAX_MEMBERS = 3
    User.objects.filter(pk=county_user.pk).update(is_active=False)
    assert home_figures_refresh_all() == {"kept": 0, "dropped": 2}
    assert not HomeFigures.objects.exists()


def test_the_kept_home_is_the_live_count_at_its_time(wide, county_user):
    home_figures_refresh_all()
    user = User.objects.get(pk=county_user.pk)
    kept = kept_home(user=user)
    live = home_figures(user=user)
    assert kept is not None and not kept.pending
    assert kept.figures["overview"] == live["overview"] and live["overview"]["total"] == 4
    assert kept.figures["health_count"] == live["health_count"]
    # The to-do round trip: labels, counts, dates, links, each township's share.
    assert kept.figures["todo"] == live["todo"]
    assert "待接收的组织关系转接" in [i.label for i in live["todo"]]
    assert any(i.since for i in live["todo"]) and any(i.groups for i in live["todo"])
    assert kept.figures["roots"] == [(wide.county, [list(c) for c in live["roots"][0][1]])]
    assert kept.figures["candidates"] == [list(c) for c in live["candidates"]]
    assert kept.figures["charts"] == json.loads(json.dumps(live["charts"]))
    assert live["charts"]["pipeline"][0] == ("入党申请人", 1)


def test_the_page_shows_the_kept_figures_until_recounted(wide, client_as, county_user):
    home_figures_refresh_all()
    add_member(wide.village_a2, 5)
    body = client_as(county_user).get("/").content.decode()
    assert total(body) == "4"
    assert KEPT_NOTE in body and "立即更新" in body
    home_figures_refresh_all()
    assert total(client_as(county_user).get("/").content.decode()) == "5"


def test_a_narrow_home_is_counted_live(wide, client_as, town_b_user):
    home_figures_refresh_all()
    add_member(wide.village_b1, 5)
    body = client_as(town_b_user).get("/").content.decode()
    assert total(body) == "2" and KEPT_NOTE not in body


@pytest.mark.parametrize("change", ["role removed", "role moved", "scope moved"])
def test_figures_kept_for_other_roles_or_scope_are_ignored(wide, client_as, county_user, change):
    cadre = RoleAssignment.objects.create(
        user=county_user, role=Role.CADRE_STAFF, organization=wide.town_a
    )
    home_figures_refresh_all()
    if change == "role removed":
        cadre.delete()
    elif change == "role moved":
        # Same roles and data scope: only the cadre section's node changed.
        RoleAssignment.objects.filter(pk=cadre.pk).update(organization=wide.town_b)
    else:
        RoleAssignment.objects.filter(user=county_user, role=Role.COUNTY_STAFF).update(
            organization=wide.town_a
        )
    add_member(wide.village_a2, 5)
    user = User.objects.get(pk=county_user.pk)
    assert kept_home(user=user) is None
    body = client_as(user).get("/").content.decode()
    assert KEPT_NOTE not in body
    assert total(body) == ("4" if change == "scope moved" else "5")


def test_one_user_never_sees_anothers_kept_figures(wide, client, county_user, town_a_user):
    home_figures_refresh_all()
    county_row = HomeFigures.objects.get(user=county_user)
    county_row.data["overview"]["total"] = 999
    county_row.save()

    client.force_login(town_a_user)
    body = client.get("/").content.decode()
    assert KEPT_NOTE in body and total(body) == "3"
    assert kept_home(user=User.objects.get(pk=town_a_user.pk)).figures["roots"][0][0] == (
        wide.town_a
    )
    client.force_login(county_user)
    assert total(client.get("/").content.decode()) == "999"


def test_refresh_needs_a_login_a_post_and_the_csrf_token(wide, client, county_user, enqueued):
    home_figures_refresh_all()
    response = client.post("/home/refresh/")
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(county_user)
    assert client.get("/home/refresh/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(county_user)
    assert strict.post("/home/refresh/").status_code == 403
    assert HomeFigures.objects.get(user=county_user).requested_at is None
    assert enqueued == []


def test_asking_twice_enqueues_once(
    wide, client_as, county_user, enqueued, django_capture_on_commit_callbacks
):
    home_figures_refresh_all()
    client = client_as(county_user)
    with django_capture_on_commit_callbacks() as first:
        response = client.post("/home/refresh/", follow=True)
    assert "已开始重新统计" in response.content.decode()
    kept = HomeFigures.objects.get(user=county_user)
    assert kept.requested_at > kept.computed_at
    assert len(first) == 1

    body = client.get("/").content.decode()
    assert "正在重新统计…" in body and "立即更新" not in body
    with django_capture_on_commit_callbacks() as second:
        response = client.post("/home/refresh/", follow=True)
    assert second == []
    assert "首页数据正在重新统计" in response.content.decode()

    add_member(wide.village_a2, 5)
    first[0]()
    assert enqueued == [(refresh_home_figures.name, {"user_id": county_user.pk})]
    kept.refresh_from_db()
    assert kept.computed_at > kept.requested_at
    body = client.get("/").content.decode()
    assert total(body) == "5" and "立即更新" in body


def test_a_recount_asked_for_during_a_count_stays_pending(wide, county_user, monkeypatch):
    """The figures are as of when the count began: asked for meanwhile, they are not new."""
    count = services.home_figures

    def asked_meanwhile(*, user):
        figures = count(user=user)
        HomeFigures.objects.filter(user=user).update(requested_at=timezone.now())
        return figures

    home_figures_refresh_all()
    monkeypatch.setattr(services, "home_figures", asked_meanwhile)
    home_figures_keep(user=county_user)
    assert kept_home(user=User.objects.get(pk=county_user.pk)).pending


def test_a_live_home_has_nothing_to_recount(
    wide, client_as, town_b_user, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_as(town_b_user).post("/home/refresh/", follow=True)
    assert "实时统计" in response.content.decode()
    assert callbacks == [] and enqueued == []
    assert not HomeFigures.objects.exists()


def test_a_recount_asked_for_a_home_since_dropped_keeps_nothing(wide, town_b_user):
    result = refresh_home_figures.enqueue(user_id=town_b_user.pk).return_value
    assert result == {"kept": 0, "dropped": 0}
    assert not HomeFigures.objects.exists()


def test_the_command_says_what_it_did(wide, county_user, town_b_user):
    HomeFigures.objects.create(user=town_b_user, computed_at=timezone.now(), scope=[], data={})
    out = StringIO()
    call_command("refresh-home-figures", stdout=out)
    assert out.getvalue().strip() == "已更新 1 个账号的首页统计，清除 1 个已不需要的。"
