"""The rules of resident village work at their boundaries, and who may write."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.testing.factories import make_cadre, user_with_role
from zuzhi.village_work import archive_link, services
from zuzhi.village_work.models import Assignment, MonthlyReport, Review, ReviewGrade

from .conftest import REPORT, assign, id_number

D = datetime.date


def denials() -> int:
    return AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()


@pytest.fixture
def today(monkeypatch):
    """Fix the Asia/Shanghai date (the project's TIME_ZONE) the services read."""

    def _set(day: datetime.date, hour: int = 12):
        moment = datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.UTC)
        monkeypatch.setattr(timezone, "now", lambda: moment)

    _set(D(2026, 6, 15))
    return _set


def submit(world, month, actor=None, **kw):
    return services.report_submit(
        actor=actor or world.secretary_user,
        assignment=kw.pop("assignment", world.assignment),
        month=month,
        **{**REPORT, **kw},
    )


# --- assigning --------------------------------------------------------------------------------
def test_the_cadre_section_assigns_and_the_township_is_kept(county, world):
    cadre = make_cadre(county.unit, name="孙指导员", id_number=id_number(30))
    assignment = services.assignment_create(
        actor=world.officer,
        cadre=cadre,
        village=county.village_a2,
        role="instructor",
        sending_unit="县农业农村局",
        start=D(2026, 1, 1),
        end=D(2027, 12, 31),
    )
    assert assignment.township == county.town_a
    assert assignment.status == "active"
    row = AuditLog.objects.get(target_type="village_work.assignment", target_id=str(assignment.pk))
    assert row.org_path == "" and row.after["role"] == "instructor"


def test_only_a_village_can_be_assigned(county, world):
    cadre = make_cadre(county.unit, name="孙", id_number=id_number(31))
    with pytest.raises(ValidationError) as exc:
        assign(cadre, county.town_a)
    assert "驻村须选择行政村" in str(exc.value)


def test_a_cadre_is_resident_in_one_village_at_a_time(county, world):
    with pytest.raises(ValidationError) as exc:
        assign(world.secretary, county.village_a2)
    assert "正在李庄村党支部驻村" in str(exc.value)
    services.assignment_end(
        actor=SYSTEM, assignment=world.assignment, ended_on=D(2026, 1, 31), reason="工作调整"
    )
    assert assign(world.secretary, county.village_a2).village == county.village_a2


def test_township_staff_and_a_township_cadre_section_elsewhere_cannot_assign(
    county, world, town_a_user
):
    cadre = make_cadre(county.unit, name="孙", id_number=id_number(32))
    b_section = user_with_role(Role.CADRE_STAFF, county.town_b)
    for actor in (town_a_user, b_section, world.secretary_user):
        before = denials()
        with pytest.raises(Http404):
            services.assignment_create(
                actor=actor,
                cadre=cadre,
                village=county.village_a1 if actor is not b_section else county.village_a2,
                role="team_member",
                sending_unit="县委组织部",
                start=D(2026, 1, 1),
                end=D(2026, 12, 31),
            )
        assert denials() == before + 1
    assert not Assignment.objects.filter(cadre=cadre).exists()


def test_ending_early_needs_a_reason(world, today):
    with pytest.raises(ValidationError) as exc:
        services.assignment_end(
            actor=world.officer, assignment=world.assignment, ended_on=D(2026, 6, 1), reason=""
        )
    assert "须写明原因" in str(exc.value)
    ended = services.assignment_end(
        actor=world.officer, assignment=world.assignment, ended_on=D(2026, 6, 1), reason="召回"
    )
    assert ended.status == "ended" and ended.last_day == D(2026, 6, 1)


# --- monthly reports --------------------------------------------------------------------------
def test_the_cadre_files_this_and_last_month_from_their_own_account(world, today):
    june = submit(world, D(2026, 6, 20))
    may = submit(world, D(2026, 5, 1))
    assert june.month == D(2026, 6, 1) and may.month == D(2026, 5, 1)
    assert june.submitted_by == world.secretary_user
    row = AuditLog.objects.get(target_type="village_work.monthlyreport", target_id=str(june.pk))
    assert row.actor == world.secretary_user and row.org_path == ""


def test_a_second_report_for_the_same_month_is_refused(world, today):
    submit(world, D(2026, 6, 1))
    with pytest.raises(ValidationError) as exc:
        submit(world, D(2026, 6, 30))
    assert "已经提交，不能重复提交" in str(exc.value)
    assert MonthlyReport.objects.count() == 1


def test_a_month_outside_the_term_is_refused_and_its_edges_accepted(county, world, today):
    today(D(2027, 3, 10))
    # The term: 2025-03-01 to 2027-02-28.
    for outside in (D(2025, 2, 1), D(2027, 3, 1)):
        with pytest.raises(ValidationError) as exc:
            submit(world, outside)
        assert "不在驻村任期" in str(exc.value)
    assert submit(world, D(2025, 3, 1)).month == D(2025, 3, 1)
    assert submit(world, D(2027, 2, 1)).month == D(2027, 2, 1)


def test_a_term_starting_mid_month_covers_that_month(county, world, today):
    cadre = make_cadre(county.unit, name="孙", id_number=id_number(33))
    assignment = assign(cadre, county.village_a2, start=D(2026, 4, 20), end=D(2026, 12, 31))
    with pytest.raises(ValidationError):
        submit(world, D(2026, 3, 1), actor=SYSTEM, assignment=assignment)
    assert submit(world, D(2026, 4, 1), actor=SYSTEM, assignment=assignment)


def test_an_ended_term_refuses_the_months_after_it(world, today):
    services.assignment_end(
        actor=SYSTEM, assignment=world.assignment, ended_on=D(2026, 4, 10), reason="调整"
    )
    assert submit(world, D(2026, 4, 1))
    with pytest.raises(ValidationError) as exc:
        submit(world, D(2026, 5, 1))
    assert "不在驻村任期" in str(exc.value)


def test_a_later_month_is_refused(world, today):
    with pytest.raises(ValidationError) as exc:
        submit(world, D(2026, 7, 1))
    assert "不能提前提交" in str(exc.value)


def test_the_month_is_the_shanghai_month(world, today):
    """15:00 UTC on 30 June is 23:00 in Beijing, still June; 16:00 UTC is 1 July there."""
    today(D(2026, 6, 30), hour=15)
    with pytest.raises(ValidationError):
        submit(world, D(2026, 7, 1))
    today(D(2026, 6, 30), hour=16)
    assert submit(world, D(2026, 7, 1)).month == D(2026, 7, 1)


def test_another_cadre_cannot_submit_for_someone_else(county, world, today, town_a_user):
    for actor in (world.other_user, town_a_user):
        before = denials()
        with pytest.raises(Http404):
            submit(world, D(2026, 6, 1), actor=actor)
        assert denials() == before + 1
    assert not MonthlyReport.objects.exists()


def test_the_cadre_section_files_on_their_behalf(world, today):
    report = submit(world, D(2026, 6, 1), actor=world.officer)
    assert report.submitted_by == world.officer


def test_empty_work_and_plan_are_refused(world, today):
    with pytest.raises(ValidationError) as exc:
        submit(world, D(2026, 6, 1), work_done="  ", next_plan="")
    assert set(exc.value.message_dict) == {"work_done", "next_plan"}


# --- reviews ----------------------------------------------------------------------------------
def good():
    return ReviewGrade.objects.get(code="good")


def test_the_default_grades_are_shipped_as_data(db):
    assert list(ReviewGrade.objects.values_list("name", flat=True)) == ["好", "较好", "一般", "差"]


def test_a_review_is_recorded_once_and_calls_the_archive_hook(world, today, monkeypatch):
    calls = []
    monkeypatch.setattr(archive_link, "review_recorded", lambda **kw: calls.append(kw))
    report = submit(world, D(2026, 5, 1))
    review = services.review_record(
        actor=world.officer, report=report, date=D(2026, 6, 3), grade=good(), comments="思路清晰"
    )
    assert calls == [{"actor": world.officer, "review": review}]
    with pytest.raises(ValidationError) as exc:
        services.review_record(actor=world.officer, report=report, date=D(2026, 6, 3), grade=good())
    assert "已经评议" in str(exc.value)
    assert len(calls) == 1


def test_a_failing_archive_hook_rolls_the_review_back(world, today, monkeypatch):
    def fail(**kw):
        raise RuntimeError("archive down")

    monkeypatch.setattr(archive_link, "review_recorded", fail)
    report = submit(world, D(2026, 5, 1))
    with pytest.raises(RuntimeError):
        services.review_record(actor=world.officer, report=report, date=D(2026, 6, 3), grade=good())
    assert not Review.objects.exists()
    assert not AuditLog.objects.filter(target_type="village_work.review").exists()


def test_township_staff_and_the_cadre_cannot_review(county, world, today, town_a_user):
    report = submit(world, D(2026, 5, 1))
    for actor in (town_a_user, world.secretary_user):
        before = denials()
        with pytest.raises(Http404):
            services.review_record(actor=actor, report=report, date=D(2026, 6, 3), grade=good())
        assert denials() == before + 1
    assert not Review.objects.exists()


def test_ending_late_does_not_lengthen_the_term(world, today):
    today(D(2027, 4, 10))
    services.assignment_end(
        actor=SYSTEM, assignment=world.assignment, ended_on=D(2027, 4, 10), reason=""
    )
    with pytest.raises(ValidationError) as exc:
        submit(world, D(2027, 3, 1))
    assert "不在驻村任期" in str(exc.value)


def test_a_review_becomes_an_entry_of_the_cadres_archive(world, today):
    from zuzhi.archive.models import ArchiveEntry

    report = submit(world, D(2026, 5, 1))
    review = services.review_record(
        actor=world.officer, report=report, date=D(2026, 6, 3), grade=good(), comments="思路清晰"
    )
    entry = ArchiveEntry.objects.get(source_type="village_work.review", source_id=str(review.pk))
    assert entry.cadre == report.assignment.cadre and entry.date == D(2026, 6, 3)
    assert "2026年05月述职评议：好" in entry.text and "思路清晰" in entry.text
