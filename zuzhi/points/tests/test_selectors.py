"""The points computed in the database match the rule as written out in Python (the former
implementation, kept here as the readable reference), on a small county with every source."""

import datetime
import random

import pytest

from zuzhi.appraisal.models import AppraisalRound, AppraisalSubject, RoundStatus
from zuzhi.orglife.models import Meeting, MeetingAbsence
from zuzhi.points.models import PointEntry, PointRule, RuleKind, RuleSource
from zuzhi.points.selectors import GRADE_SOURCES, branch_points, member_points
from zuzhi.points.tally import points_refresh
from zuzhi.testing.factories import make_member, valid_id_number

YEAR = 2026


def reference_points(members, year):
    """Each member's (lines, vetoed_by, total), computed row by row."""
    rules = list(PointRule.objects.filter(is_active=True))
    result = {}
    for member in members:
        attended = Meeting.attendees.through.objects.filter(
            member_id=member.pk, meeting__date__year=year
        ).count()
        absent = MeetingAbsence.objects.filter(member=member, meeting__date__year=year).count()
        grade = (
            AppraisalSubject.objects.filter(
                member=member, round__year=year, round__status=RoundStatus.PUBLISHED
            )
            .exclude(grade="")
            .values_list("grade", flat=True)
            .first()
        )
        lines, vetoed_by = [], ""
        for rule in rules:
            cap = rule.yearly_cap

            def capped(v, cap=cap):
                return v if cap is None else max(-cap, min(cap, v))

            if rule.source == RuleSource.YEARLY:
                value = rule.points
            elif rule.source == RuleSource.MEETING_ATTENDED:
                value = capped(attended * rule.points)
            elif rule.source == RuleSource.MEETING_ABSENT:
                value = capped(absent * rule.points)
            elif rule.source == RuleSource.MANUAL:
                value = sum(
                    PointEntry.objects.filter(member=member, year=year, rule=rule).values_list(
                        "points", flat=True
                    )
                )
            else:
                triggered = GRADE_SOURCES.get(grade or "") == rule.source
                if triggered and rule.kind == RuleKind.VETO:
                    vetoed_by = rule.name
                value = rule.points if triggered else 0
            if value:
                lines.append((rule.name, value))
        total = 0 if vetoed_by else sum(v for _, v in lines)
        result[member.pk] = (lines, vetoed_by, total)
    return result


@pytest.fixture
def small_county(county, town_a_user):
    rng = random.Random(11)
    branches = [county.village_a1, county.village_a2, county.village_b1]
    members = [
        make_member(
            branches[i % 3], name=f"党员{i:02d}", id_number=valid_id_number("19800101", 100 + i)
        )
        for i in range(24)
    ]
    PointRule.objects.filter(name="受到表彰").update(yearly_cap=6)
    manual = list(PointRule.objects.filter(source=RuleSource.MANUAL))
    for branch in branches:
        mine = [m for m in members if m.organization_id == branch.pk]
        for year in (YEAR - 1, YEAR):
            for _ in range(14):
                meeting = Meeting.objects.create(
                    organization=branch,
                    kind="committee",
                    date=datetime.date(year, rng.randint(1, 12), rng.randint(1, 28)),
                    topic="例会",
                )
                present = rng.sample(mine, rng.randint(0, len(mine)))
                meeting.attendees.set(present)
                MeetingAbsence.objects.bulk_create(
                    MeetingAbsence(meeting=meeting, member=m, reason="缺席")
                    for m in mine
                    if m not in present and rng.random() < 0.3
                )
        appraisal = AppraisalRound.objects.create(
            organization=branch, year=YEAR, status=RoundStatus.PUBLISHED
        )
        for m in mine:
            AppraisalSubject.objects.create(
                round=appraisal,
                member=m,
                grade=rng.choice(["", "excellent", "qualified", "basic", "unqualified"]),
            )
    for m in members:
        for _ in range(rng.randint(0, 5)):
            rule = rng.choice(manual)
            PointEntry.objects.create(
                member=m,
                rule=rule,
                year=rng.choice([YEAR - 1, YEAR]),
                day=datetime.date(YEAR, 5, 1),
                points=rule.points,
                reason="登记",
            )
    # Written around the services, so the kept yearly points are recomputed here.
    points_refresh(member_ids=[m.pk for m in members], years=[YEAR - 1, YEAR])
    return members


@pytest.mark.parametrize("ranking", [False, True])
def test_database_points_match_the_reference(
    small_county, county_user, settings, ranking, django_assert_max_num_queries
):
    settings.ZUZHI_POINTS_INDIVIDUAL_RANKING = ranking
    rows = member_points(user=county_user, year=YEAR)
    with django_assert_max_num_queries(2):  # the count and the page, whatever the scope
        page = rows[0:10]
        assert rows.count() == 24
    every = list(rows)
    assert [r.member.pk for r in every[:10]] == [r.member.pk for r in page]
    expected = reference_points([r.member for r in every], YEAR)
    assert {r.member.pk: (r.lines, r.vetoed_by, r.total) for r in every} == expected
    assert any(v for _, v, _ in expected.values())  # the data set has a veto
    totals = [r.total for r in every]
    if ranking:
        assert totals == sorted(totals, reverse=True)
    else:
        keys = [(r.member.organization.path, r.member.name) for r in every]
        assert keys == sorted(keys)
    branches = {b.organization.pk: b for b in branch_points(user=county_user, year=YEAR)}
    for org_pk, b in branches.items():
        mine = [r for r in every if r.member.organization_id == org_pk]
        assert b.members == len(mine)
        assert b.average == round(sum(r.total for r in mine) / len(mine), 1)
        assert b.vetoed == sum(1 for r in mine if r.vetoed_by)
    assert len(branches) == 3


def test_points_page_and_export_read_the_database_rows(small_county, client, county_user):
    import io

    from python_calamine import CalamineWorkbook

    client.force_login(county_user)
    page = client.get("/points/", {"year": YEAR})
    assert page.status_code == 200 and "党员00" in page.content.decode()
    assert "第 1 / 1 页" in page.content.decode()
    export = client.get("/points/", {"year": YEAR, "export": "xlsx"})
    content = b"".join(export.streaming_content) if export.streaming else export.content
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert len(sheet) == 25
    branches = client.get("/points/", {"year": YEAR, "view": "branches"})
    assert branches.status_code == 200
