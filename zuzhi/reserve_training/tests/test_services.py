import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.reserve_training import selectors as sel
from zuzhi.reserve_training import services
from zuzhi.reserve_training.models import MentorKind, Mentorship
from zuzhi.reserves.models import ReserveStatus
from zuzhi.training.rules import record_hours

from .conftest import START


def _errors(exc) -> str:
    return " ".join(m for ms in exc.value.message_dict.values() for m in ms)


# --- one current mentor per reserve ------------------------------------------------------------
def test_one_current_mentor_per_reserve_ending_keeps_history(county, town_a_user, pair, villager):
    first = pair()
    second_mentor = villager(county.village_a1, name="李委员", position="organization")
    with pytest.raises(ValidationError) as exc:
        services.mentorship_create(
            actor=town_a_user,
            reserve=first.reserve,
            mentor=f"m{second_mentor.pk}",
            started_on=START,
        )
    assert "已有导师" in _errors(exc)
    services.mentorship_end(
        actor=town_a_user, mentorship=first, ended_on=START + datetime.timedelta(days=30)
    )
    second = services.mentorship_create(
        actor=town_a_user,
        reserve=first.reserve,
        mentor=f"m{second_mentor.pk}",
        started_on=START + datetime.timedelta(days=31),
    )
    assert second.mentor_kind == MentorKind.COMMITTEE and second.mentor_name == "李委员"
    history = list(sel.reserve_mentorships(user=town_a_user, reserve=first.reserve))
    assert history == [second, first]
    assert AuditLog.objects.filter(target_type="reserve_training.mentorship").count() == 3


def test_database_refuses_a_second_current_mentor(pair):
    first = pair()
    clone = Mentorship(
        reserve=first.reserve,
        mentor_kind=first.mentor_kind,
        mentor_member=first.mentor_member,
        mentor_name="另一位",
        started_on=START,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()


# --- who may mentor ---------------------------------------------------------------------------
def test_mentor_from_the_village_committee_or_its_first_secretary(
    county, town_a_user, pool_reserve, villager, first_secretary
):
    reserve = pool_reserve(county.village_a1)
    villager(county.village_a1, name="王书记", position="secretary")
    plain = villager(county.village_a1, name="普通党员")
    resident = first_secretary(county.village_a1)
    first_secretary(county.village_a2, name="邻村第一书记")
    choices = sel.mentor_choices(reserve=reserve)
    assert [(c.name, c.kind) for c in choices] == [
        ("赵第一", MentorKind.FIRST_SECRETARY),
        ("王书记", MentorKind.COMMITTEE),
        ("普通党员", MentorKind.MEMBER),
    ]
    assert choices[1].title == "支部书记"
    pair = services.mentorship_create(
        actor=town_a_user, reserve=reserve, mentor=f"a{resident.pk}", started_on=START
    )
    assert pair.mentor_assignment == resident and pair.mentor_member is None
    assert pair.mentor_name == "赵第一" and pair.mentor_kind == MentorKind.FIRST_SECRETARY
    other = pool_reserve(county.village_a1, name="周晴")
    pair = services.mentorship_create(
        actor=town_a_user, reserve=other, mentor=f"m{plain.pk}", started_on=START
    )
    assert pair.mentor_member == plain and pair.mentor_kind == MentorKind.MEMBER
    assert (pair.mentor_name, pair.mentor_title) == ("普通党员", "本村党员")


def test_mentor_from_another_village_refused(
    county, town_a_user, pool_reserve, villager, first_secretary
):
    reserve = pool_reserve(county.village_a1)
    neighbour = villager(county.village_a2, name="邻村书记", position="secretary")
    elsewhere = first_secretary(county.village_a2)
    for key in (f"m{neighbour.pk}", f"a{elsewhere.pk}", "m999999", ""):
        with pytest.raises(ValidationError) as exc:
            services.mentorship_create(
                actor=town_a_user, reserve=reserve, mentor=key, started_on=START
            )
        assert "导师" in _errors(exc)
    assert not Mentorship.objects.exists()


def test_a_reserve_cannot_mentor_themselves(county, pool_reserve, villager):
    member = villager(county.village_a1, name="自己")
    reserve = pool_reserve(county.village_a1, name="自己", member=member)
    assert all(c.member_id != member.pk for c in sel.mentor_choices(reserve=reserve))


@pytest.mark.parametrize("status", [ReserveStatus.CANDIDATE, ReserveStatus.EXITED])
def test_only_pool_reserves_get_mentors(county, town_a_user, pool_reserve, villager, status):
    reserve = pool_reserve(county.village_a1, status=status)
    mentor = villager(county.village_a1)
    with pytest.raises(ValidationError) as exc:
        services.mentorship_create(
            actor=town_a_user, reserve=reserve, mentor=f"m{mentor.pk}", started_on=START
        )
    assert "只有已入库的后备力量才能配备导师" in _errors(exc)


# --- mentoring days ---------------------------------------------------------------------------
def _day(actor, pair, date, **kw):
    return services.mentoring_day_record(
        actor=actor,
        mentorship=pair,
        date=date,
        activity=kw.get("activity", "visit"),
        content=kw.get("content", "一起走访了三户困难群众"),
    )


def test_mentoring_day_rules(county, town_a_user, pair):
    p = pair()
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        _day(town_a_user, p, today + datetime.timedelta(days=1))
    assert "不能晚于今天" in _errors(exc)
    with pytest.raises(ValidationError) as exc:
        _day(town_a_user, p, START - datetime.timedelta(days=1))
    assert "不能早于结对日期" in _errors(exc)
    assert _day(town_a_user, p, START).date == START
    assert _day(town_a_user, p, today).date == today
    with pytest.raises(ValidationError) as exc:
        _day(town_a_user, p, START, activity="policy")
    assert "已有帮带记录" in _errors(exc)
    with pytest.raises(ValidationError) as exc:
        _day(town_a_user, p, START + datetime.timedelta(days=1), activity="跳舞", content=" ")
    assert set(exc.value.message_dict) == {"activity", "content"}
    row = AuditLog.objects.filter(target_type="reserve_training.mentoringday").first()
    assert row.action == AuditAction.CREATE and row.org_path == county.village_a1.path


def test_no_mentoring_day_after_the_pair_ended(town_a_user, pair):
    p = pair()
    services.mentorship_end(actor=town_a_user, mentorship=p, ended_on=START)
    with pytest.raises(ValidationError) as exc:
        _day(town_a_user, p, START + datetime.timedelta(days=1))
    assert "已于2026-01-05结束" in _errors(exc)


def test_ending_a_pair_before_its_last_day_refused(town_a_user, pair):
    p = pair()
    _day(town_a_user, p, START + datetime.timedelta(days=10))
    with pytest.raises(ValidationError):
        services.mentorship_end(
            actor=town_a_user, mentorship=p, ended_on=START + datetime.timedelta(days=5)
        )
    with pytest.raises(ValidationError):
        services.mentorship_end(
            actor=town_a_user, mentorship=p, ended_on=START - datetime.timedelta(days=1)
        )


# --- training records and the plan -------------------------------------------------------------
@pytest.mark.parametrize(
    ("minutes", "has_test", "passed", "hours"),
    [
        (45, True, True, "1.5"),
        (45, False, False, "1"),
        (20, False, False, "0.5"),
        (10, True, True, "0.75"),
    ],
)
def test_record_hours_follow_the_credit_rule(
    county, town_a_user, pool_reserve, course, minutes, has_test, passed, hours
):
    reserve = pool_reserve(county.village_a1)
    record = services.record_create(
        actor=town_a_user,
        reserve=reserve,
        course=course(minutes=minutes, has_test=has_test),
        completed_on=START,
        test_passed=passed,
    )
    assert record.hours == Decimal(hours) == record_hours(minutes=minutes, test_passed=passed)


def test_record_rules(county, town_a_user, pool_reserve, course):
    reserve = pool_reserve(county.village_a1)
    c = course()
    with pytest.raises(ValidationError) as exc:
        services.record_create(
            actor=town_a_user, reserve=reserve, course=c, completed_on=START, test_passed=True
        )
    assert "没有考试" in _errors(exc)
    with pytest.raises(ValidationError):
        services.record_create(
            actor=town_a_user,
            reserve=reserve,
            course=c,
            completed_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    services.record_create(actor=town_a_user, reserve=reserve, course=c, completed_on=START)
    with pytest.raises(ValidationError) as exc:
        services.record_create(actor=town_a_user, reserve=reserve, course=c, completed_on=START)
    assert "已有这门课程" in _errors(exc)
    outside = pool_reserve(county.village_a1, name="候选", status=ReserveStatus.CANDIDATE)
    with pytest.raises(ValidationError) as exc:
        services.record_create(actor=town_a_user, reserve=outside, course=c, completed_on=START)
    assert "只有已入库" in _errors(exc)


def test_progress_against_the_nearest_plan(county, county_user, town_a_user, pool_reserve, course):
    services.plan_create(
        actor=county_user, organization=county.county, year=2026, hours_required=Decimal("12")
    )
    services.plan_create(
        actor=town_a_user,
        organization=county.town_a,
        year=2026,
        hours_required=Decimal("8"),
        courses=[course()],
    )
    a1 = pool_reserve(county.village_a1, name="甲")
    b1 = pool_reserve(county.village_b1, name="乙")
    pool_reserve(county.village_a2, name="丙", status=ReserveStatus.CANDIDATE)
    long, short = course("长课", 45, True), course("短课", 20)
    services.record_create(
        actor=town_a_user, reserve=a1, course=long, completed_on=START, test_passed=True
    )
    services.record_create(actor=town_a_user, reserve=a1, course=short, completed_on=START)
    services.record_create(
        actor=county_user, reserve=b1, course=short, completed_on=datetime.date(2025, 12, 31)
    )
    rows = {r.name: r for r in sel.progress(user=county_user, year=2026)}
    assert set(rows) == {"甲", "乙"}
    assert (rows["甲"].hours_done, rows["甲"].hours_required) == (Decimal("2"), Decimal("8"))
    assert (rows["乙"].hours_done, rows["乙"].hours_required) == (Decimal("0"), Decimal("12"))
    assert rows["甲"].plan_title.startswith("2026年城关镇")
    assert sel.plan_for(reserve=b1, year=2026).organization == county.county
    assert [r.name for r in sel.progress(user=town_a_user, year=2026)] == ["甲"]


def test_plan_only_for_county_or_township_in_scope(county, town_a_user):
    with pytest.raises(ValidationError):
        services.plan_create(
            actor=town_a_user, organization=county.village_a1, year=2026, hours_required=1
        )
    with pytest.raises(Http404):
        services.plan_create(
            actor=town_a_user, organization=county.town_b, year=2026, hours_required=1
        )
    with pytest.raises(Http404):
        services.plan_create(
            actor=town_a_user, organization=county.county, year=2026, hours_required=1
        )
    services.plan_create(actor=town_a_user, organization=county.town_a, year=2026, hours_required=1)
    with pytest.raises(ValidationError):
        services.plan_create(
            actor=town_a_user, organization=county.town_a, year=2026, hours_required=2
        )


# --- scope ------------------------------------------------------------------------------------
def test_township_b_cannot_see_or_touch_town_a_pairs(
    county, town_a_user, town_b_user, pair, pool_reserve, villager, course
):
    p = pair()
    with pytest.raises(Http404):
        sel.mentorship_get(user=town_b_user, pk=p.pk)
    assert not sel.mentorship_list(user=town_b_user).exists()
    other = pool_reserve(county.village_a1, name="周晴")
    mentor = villager(county.village_a1, name="王委员")
    with pytest.raises(Http404):
        services.mentorship_create(
            actor=town_b_user, reserve=other, mentor=f"m{mentor.pk}", started_on=START
        )
    with pytest.raises(Http404):
        _day(town_b_user, p, START)
    with pytest.raises(Http404):
        services.mentorship_end(actor=town_b_user, mentorship=p, ended_on=START)
    with pytest.raises(Http404):
        services.record_create(
            actor=town_b_user, reserve=other, course=course(), completed_on=START
        )
    assert Mentorship.objects.count() == 1
    assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count() >= 5


# --- the month view ---------------------------------------------------------------------------
def test_month_view_lists_pairs_without_a_mentoring_day(county, county_user, town_a_user, pair):
    idle = pair(name="甲")
    busy = pair(name="乙")
    ended_before = pair(name="丙")
    services.mentorship_end(actor=town_a_user, mentorship=ended_before, ended_on=START)
    _day(town_a_user, busy, datetime.date(2026, 3, 9))
    _day(town_a_user, idle, datetime.date(2026, 2, 27))  # another month
    pairs = sel.month_pairs(user=county_user, month=datetime.date(2026, 3, 1))
    assert list(sel.month_missing(pairs=pairs)) == [idle]
    assert sel.month_summary(pairs=pairs) == {"total": 2, "missing": 1, "done": 1}
    far = pair(county.village_b1, name="壬", actor=county_user)
    _day(county_user, far, datetime.date(2026, 3, 2))
    pair(county.village_b1, name="癸", actor=county_user)
    pair(county.village_a2, name="子")
    by_town = sel.month_by_township(
        pairs=sel.month_pairs(user=county_user, month=datetime.date(2026, 3, 1))
    )
    assert [(t["township"], t["total"], t["missing"]) for t in by_town] == [
        (county.town_a.name, 3, 2),
        (county.town_b.name, 2, 1),
    ]
    board = {r.name: r for r in sel.pairs_board(user=town_a_user, today=datetime.date(2026, 3, 20))}
    assert board["乙"].days_this_month == 1 and board["甲"].days_this_month == 0
    assert board["丙"].pair_id is None


def test_the_system_may_seed_pairs_days_and_records(county, pool_reserve, villager, course):
    """The demo seeder and imports act as SYSTEM: no user to name as the writer."""
    from zuzhi.core.scope import SYSTEM

    reserve = pool_reserve(county.village_a1)
    mentor = villager(county.village_a1)
    p = services.mentorship_create(
        actor=SYSTEM, reserve=reserve, mentor=f"m{mentor.pk}", started_on=START
    )
    assert _day(SYSTEM, p, START).created_by is None
    services.record_create(actor=SYSTEM, reserve=reserve, course=course(), completed_on=START)
    services.plan_create(
        actor=SYSTEM, organization=county.town_a, year=2026, hours_required=Decimal(8)
    )


def test_plan_change_is_audited_with_course_titles(county, county_user, town_a_user, course):
    from zuzhi.core.audit_display import audit_entries

    first, second = course("党史学习"), course("集体经济")
    plan = services.plan_create(
        actor=town_a_user,
        organization=county.town_a,
        year=2026,
        hours_required=Decimal(6),
        courses=[first],
    )
    services.plan_update(
        actor=town_a_user, plan=plan, hours_required=Decimal(8), courses=[first, second]
    )
    row = AuditLog.objects.filter(
        target_type="reserve_training.reservetrainingplan", action=AuditAction.UPDATE
    ).get()
    changes = {
        c.label: (c.before, c.after) for c in audit_entries(user=county_user, rows=[row])[0].changes
    }
    assert changes["应修学时"] == ("6.00", "8.00")
    assert changes["课程"] == ("党史学习（2026）", "党史学习（2026）；集体经济（2026）")
    assert plan.courses.count() == 2


def test_leaving_the_pool_ends_the_pair_and_takes_no_more_days(town_a_user, pair):
    from zuzhi.reserves.lifecycle import reserve_exit

    p = pair()
    _day(town_a_user, p, START + datetime.timedelta(days=3))
    reserve_exit(actor=town_a_user, candidate=p.reserve, reason="外出经商")
    p.refresh_from_db()
    assert p.ended_on == timezone.localdate() and p.end_reason == "外出经商"
    # Not listed as 未帮带 in the months after (this month it was current until today).
    next_month = (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    assert not sel.month_pairs(user=town_a_user, month=next_month).filter(pk=p.pk).exists()
    with pytest.raises(ValidationError, match="只有已入库的后备力量"):
        _day(town_a_user, p, timezone.localdate())
