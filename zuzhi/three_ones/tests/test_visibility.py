"""Who sees three-ones logs and problems: the rule written once in scoping.py."""

import pytest
from django.http import Http404

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.roles import Role
from zuzhi.testing.factories import user_with_role
from zuzhi.three_ones.models import Contact, Problem
from zuzhi.three_ones.selectors import contact_get, problem_get
from zuzhi.three_ones.services import ProblemInput, contact_log

from .conftest import DAY


@pytest.fixture
def logs(world):
    """A talk in each team, each with a problem about a deputy, and one about town A's
    secretary (the leader) recorded by the cadre section."""
    a = contact_log(
        actor=world.cadre_staff,
        team=world.team_a,
        kind="monthly_visit",
        date=DAY,
        cadres=[world.secretary_a, world.deputy_a1],
        summary="走访",
        problems=[
            ProblemInput(world.deputy_a1, world.type("专业素养不足"), "不熟悉政策"),
            ProblemInput(world.secretary_a, world.type("政绩观偏差"), "搞形象工程"),
        ],
    )
    b = contact_log(
        actor=world.cadre_staff,
        team=world.team_b,
        kind="monthly_visit",
        date=DAY,
        cadres=[world.deputy_b],
        summary="走访",
        problems=[ProblemInput(world.deputy_b, world.type("工作作风不实"), "不下村")],
    )
    return a, b


def test_the_cadre_section_sees_its_subtree(world, logs, county):
    assert set(Contact.objects.visible_to(world.cadre_staff)) == set(logs)
    assert Problem.objects.visible_to(world.cadre_staff).count() == 3
    town_officer = user_with_role(Role.CADRE_STAFF, county.town_b, username="ganbu_b")
    assert list(Contact.objects.visible_to(town_officer)) == [logs[1]]


def test_a_leader_sees_their_own_teams_logs_but_not_problems_about_themselves(world, logs):
    assert list(Contact.objects.visible_to(world.leader_a)) == [logs[0]]
    seen = Problem.objects.visible_to(world.leader_a)
    assert [p.cadre for p in seen] == [world.deputy_a1]


def test_a_cadre_does_not_see_problems_about_them(world, logs):
    assert not Contact.objects.visible_to(world.deputy_a1_user).exists()
    assert not Problem.objects.visible_to(world.deputy_a1_user).exists()
    problem = Problem.objects.get(cadre=world.deputy_a1)
    with pytest.raises(Http404):
        problem_get(user=world.deputy_a1_user, pk=problem.pk)


@pytest.mark.parametrize("who", ["county_user", "town_a_user", "branch_a1_user"])
def test_others_get_the_logged_404(world, logs, who, request):
    user = request.getfixturevalue(who)
    assert not Contact.objects.visible_to(user).exists()
    assert not Problem.objects.visible_to(user).exists()
    before = AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
    with pytest.raises(Http404):
        contact_get(user=user, pk=logs[0].pk)
    assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == before + 1


def test_leader_of_team_a_reading_team_b_is_the_logged_404(world, logs):
    before = AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
    with pytest.raises(Http404):
        contact_get(user=world.leader_a, pk=logs[1].pk)
    assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == before + 1


def test_audit_rows_are_the_audit_administrators(world, logs, county_user, auditor_user):
    from zuzhi.core.selectors import audit_list

    assert not audit_list(user=county_user, target_type="three_ones.contact").exists()
    assert audit_list(user=auditor_user, target_type="three_ones.contact").count() == 2
