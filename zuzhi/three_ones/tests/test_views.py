"""The pages: logging from a phone, lists, detail, summary, problem types."""

from django.utils import timezone

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.three_ones.models import Contact, Problem, ProblemStatus, ProblemType

from .conftest import DAY


def denials() -> int:
    return AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()


def _form(world, **extra):
    data = {
        "kind": "weekly_talk",
        "date": DAY.isoformat(),
        "cadres": [world.deputy_a1.pk],
        "summary": "谈思想",
        "form-TOTAL_FORMS": "3",
        "form-INITIAL_FORMS": "0",
        "form-0-cadre": str(world.deputy_a1.pk),
        "form-0-problem_type": str(world.type("宗旨意识淡薄").pk),
        "form-0-description": "脱离群众",
    }
    return data | extra


def test_choose_the_team_then_tick_its_members_and_save(world, client_as):
    client = client_as(world.leader_a)
    chooser = client.get("/three-ones/new/")
    assert chooser.status_code == 200 and world.team_b.name not in chooser.content.decode()
    page = client.get(f"/three-ones/new/?team={world.team_a.pk}")
    html = page.content.decode()
    assert "甲副书记" in html and "甲组织委员" in html and "<optgroup" in html
    # The leader is not offered as their own talk's partner; the date input takes ISO.
    assert f'name="cadres" value="{world.secretary_a.pk}"' not in html
    assert f'name="date" value="{timezone.localdate().isoformat()}"' in html
    response = client.post(f"/three-ones/new/?team={world.team_a.pk}", _form(world))
    contact = Contact.objects.get()
    assert response.status_code == 302 and response.url == f"/three-ones/{contact.pk}/"
    assert contact.problems.get().description == "脱离群众"
    detail = client.get(response.url).content.decode()
    assert "脱离群众" in detail and "整改销号" in detail


def test_the_form_shows_the_rule_refusing(world, client_as):
    client = client_as(world.leader_a)
    response = client.post(
        f"/three-ones/new/?team={world.team_a.pk}",
        _form(world, **{"form-0-cadre": str(world.deputy_a2.pk)}),
    )
    assert response.status_code == 200 and "不是本次记录的对象" in response.content.decode()
    assert not Contact.objects.exists()


def test_leader_of_team_a_asking_for_team_b_gets_the_logged_404(world, client_as):
    client = client_as(world.leader_a)
    before = denials()
    assert client.get(f"/three-ones/new/?team={world.team_b.pk}").status_code == 404
    response = client.post(f"/three-ones/new/?team={world.team_b.pk}", _form(world))
    assert response.status_code == 404 and denials() == before + 2
    assert not Contact.objects.exists()


def test_other_users_get_the_logged_404_on_the_lists(world, client_as, county_user):
    client = client_as(county_user)
    before = denials()
    for url in ["/three-ones/", "/three-ones/new/", "/three-ones/summary/", "/three-ones/types/"]:
        assert client.get(url).status_code == 404, url
    assert denials() == before + 4


def test_rectify_from_the_detail_page(world, client_as):
    client = client_as(world.cadre_staff)
    client.post(f"/three-ones/new/?team={world.team_a.pk}", _form(world))
    problem = Problem.objects.get()
    response = client.post(
        f"/three-ones/problems/{problem.pk}/rectify/",
        {"rectified_on": DAY.isoformat(), "note": "已整改"},
    )
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.RECTIFIED


def test_lists_and_summary_with_its_chart_data(world, client_as):
    client = client_as(world.cadre_staff)
    client.post(f"/three-ones/new/?team={world.team_a.pk}", _form(world))
    assert "谈思想" in client.get("/three-ones/?kind=weekly_talk").content.decode()
    assert "脱离群众" in client.get("/three-ones/problems/?aspect=mindset").content.decode()
    summary = client.get("/three-ones/summary/").content.decode()
    assert 'id="three-ones-chart-data"' in summary and "three-ones-charts.js" in summary
    assert "<script>" not in summary.replace('<script id="three-ones-chart-data"', "")
    assert client.get("/three-ones/compliance/?missing=1").status_code == 200


def test_problem_types_page_says_the_list_is_a_default(world, client_as):
    client = client_as(world.cadre_staff)
    page = client.get("/three-ones/types/").content.decode()
    assert "默认" in page and "专业素养不足" in page
    problem_type = ProblemType.objects.get(name="专业素养不足")
    response = client.post(
        f"/three-ones/types/{problem_type.pk}/",
        {"name": "专业能力不足", "sort_order": 1, "is_active": ""},
    )
    assert response.status_code == 302
    problem_type.refresh_from_db()
    assert (problem_type.name, problem_type.is_active) == ("专业能力不足", False)


def test_a_leader_reads_the_types_but_does_not_change_them(world, client_as):
    client = client_as(world.leader_a)
    assert "新增问题类型" not in client.get("/three-ones/types/").content.decode()
    problem_type = ProblemType.objects.first()
    assert client.get(f"/three-ones/types/{problem_type.pk}/").status_code == 404
    assert client.post("/three-ones/types/", {"aspect": "ability", "name": "x"}).status_code == 404
    assert client.post("/three-ones/types/defaults/").status_code == 404
