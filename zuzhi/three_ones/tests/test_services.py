"""Logging contacts, rectifying problems, and the problem types: the rules and who writes."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.scope import SYSTEM
from zuzhi.three_ones.models import Contact, Problem, ProblemStatus, ProblemType
from zuzhi.three_ones.services import (
    DEFAULT_PROBLEM_TYPES,
    ProblemInput,
    contact_log,
    problem_rectify,
    problem_type_create,
    problem_type_update,
    problem_types_load_defaults,
)

from .conftest import DAY


def denials() -> int:
    return AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()


def talk(world, actor, *, team=None, cadres=None, problems=(), kind="weekly_talk", day=DAY):
    return contact_log(
        actor=actor,
        team=team or world.team_a,
        kind=kind,
        date=day,
        cadres=[world.deputy_a1] if cadres is None else cadres,
        summary="谈工作思路",
        problems=problems,
    )


def test_defaults_are_twelve_types_four_per_aspect(world):
    assert len(DEFAULT_PROBLEM_TYPES) == 12
    counts = {}
    for problem_type in ProblemType.objects.all():
        counts[problem_type.aspect] = counts.get(problem_type.aspect, 0) + 1
    assert counts == {"mindset": 4, "ability": 4, "conduct": 4}
    # A county that has its types keeps them.
    assert problem_types_load_defaults(actor=SYSTEM) == []


def test_the_cadre_section_logs_a_talk_with_problems_audited(world):
    contact = talk(
        world,
        world.cadre_staff,
        problems=[ProblemInput(world.deputy_a1, world.type("专业素养不足"), "不熟悉产业政策")],
    )
    assert list(contact.cadres.all()) == [world.deputy_a1]
    problem = contact.problems.get()
    assert (problem.found_on, problem.status) == (DAY, ProblemStatus.OPEN)
    assert contact.recorder_name == "ganbuke" and contact.recorded_by == world.cadre_staff
    row = AuditLog.objects.get(target_type="three_ones.contact", action=AuditAction.CREATE)
    assert row.after["cadres"] == [world.deputy_a1.pk] and len(row.after["problems"]) == 1


def test_the_leader_logs_for_their_own_team_named_as_their_cadre(world):
    contact = talk(world, world.leader_a, cadres=[world.deputy_a1, world.deputy_a2])
    assert contact.recorder_cadre == world.secretary_a and contact.recorder_name == "甲书记"


def test_the_leader_of_team_a_cannot_log_for_team_b(world):
    before = denials()
    with pytest.raises(Http404):
        talk(world, world.leader_a, team=world.team_b, cadres=[world.deputy_b])
    assert denials() == before + 1 and not Contact.objects.exists()


@pytest.mark.parametrize("who", ["county_user", "town_a_user", "branch_a1_user", "deputy"])
def test_nobody_else_logs(world, who, request):
    actor = world.deputy_a1_user if who == "deputy" else request.getfixturevalue(who)
    with pytest.raises(Http404):
        talk(world, actor, cadres=[world.deputy_a2])
    assert not Contact.objects.exists()


def test_a_leader_who_left_the_post_no_longer_logs(world):
    from zuzhi.cadres.models import PostHolding
    from zuzhi.cadres.team_services import holding_end

    holding = PostHolding.objects.get(cadre=world.secretary_a)
    holding_end(actor=SYSTEM, holding=holding, end=DAY)
    with pytest.raises(Http404):
        talk(world, world.leader_a)


def test_only_members_of_the_team_on_that_day(world):
    with pytest.raises(ValidationError) as exc:
        talk(world, world.cadre_staff, cadres=[world.deputy_b])
    assert "不是该班子成员" in str(exc.value)
    with pytest.raises(ValidationError):  # before the appointment
        talk(world, world.cadre_staff, day=datetime.date(2024, 12, 31))


def test_a_leader_does_not_talk_with_themselves(world):
    with pytest.raises(ValidationError) as exc:
        talk(world, world.leader_a, cadres=[world.secretary_a])
    assert "本人" in str(exc.value)


def test_a_problem_is_about_someone_seen(world):
    with pytest.raises(ValidationError) as exc:
        talk(
            world,
            world.cadre_staff,
            problems=[ProblemInput(world.deputy_a2, world.type("专业素养不足"), "x")],
        )
    assert "不是本次记录的对象" in str(exc.value)


def test_required_fields_and_dates(world):
    future = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        talk(world, world.cadre_staff, cadres=[], day=future)
    assert set(exc.value.message_dict) >= {"date", "cadres"}


def test_a_team_study_with_nobody_ticked_is_with_the_whole_team(world):
    contact = talk(world, world.leader_a, cadres=[], kind="quarterly_study")
    assert set(contact.cadres.all()) == {world.deputy_a1, world.deputy_a2}


def test_an_inactive_type_is_refused(world):
    problem_type = world.type("专业素养不足")
    problem_type_update(actor=SYSTEM, problem_type=problem_type, data={"is_active": False})
    with pytest.raises(ValidationError):
        talk(world, world.cadre_staff, problems=[ProblemInput(world.deputy_a1, problem_type, "x")])


def test_rectify_once_between_finding_and_today(world):
    contact = talk(
        world,
        world.cadre_staff,
        problems=[ProblemInput(world.deputy_a1, world.type("工作作风不实"), "不下村")],
    )
    problem = contact.problems.get()
    with pytest.raises(ValidationError):
        problem_rectify(
            actor=world.leader_a,
            problem=problem,
            rectified_on=DAY - datetime.timedelta(1),
            note="x",
        )
    done = problem_rectify(actor=world.leader_a, problem=problem, rectified_on=DAY, note="已驻村")
    assert done.status == ProblemStatus.RECTIFIED and done.rectified_on == DAY
    with pytest.raises(ValidationError):
        problem_rectify(actor=world.cadre_staff, problem=done, rectified_on=DAY, note="again")
    assert AuditLog.objects.filter(
        target_type="three_ones.problem", action=AuditAction.UPDATE
    ).exists()


def test_the_leader_of_team_b_cannot_rectify_team_a(world):
    contact = talk(
        world,
        world.cadre_staff,
        problems=[ProblemInput(world.deputy_a1, world.type("工作作风不实"), "不下村")],
    )
    with pytest.raises(Http404):
        problem_rectify(
            actor=world.leader_b, problem=contact.problems.get(), rectified_on=DAY, note="x"
        )
    assert Problem.objects.get().status == ProblemStatus.OPEN


def test_problem_types_are_the_cadre_sections(world, county_user):
    with pytest.raises(Http404):
        problem_type_create(actor=world.leader_a, aspect="ability", name="不会用电脑")
    with pytest.raises(Http404):
        problem_type_create(actor=county_user, aspect="ability", name="不会用电脑")
    created = problem_type_create(actor=world.cadre_staff, aspect="ability", name="不会用电脑")
    with pytest.raises(ValidationError):  # the same name under the same aspect
        problem_type_create(actor=world.cadre_staff, aspect="ability", name="不会用电脑")
    # The aspect stays whatever the data says.
    problem_type_update(
        actor=world.cadre_staff,
        problem_type=created,
        data={"aspect": "conduct", "name": "数字能力弱"},
    )
    created.refresh_from_db()
    assert (created.aspect, created.name) == ("ability", "数字能力弱")


def test_a_leader_does_not_rectify_a_problem_about_themselves(world):
    contact = talk(
        world,
        world.cadre_staff,
        cadres=[world.secretary_a],
        problems=[ProblemInput(world.secretary_a, world.type("政绩观偏差"), "搞形象工程")],
    )
    with pytest.raises(Http404):
        problem_rectify(
            actor=world.leader_a, problem=contact.problems.get(), rectified_on=DAY, note="x"
        )
    assert Problem.objects.get().status == ProblemStatus.OPEN
