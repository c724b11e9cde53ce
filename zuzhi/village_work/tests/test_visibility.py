"""One rule for every model: the cadre section sees its subtree, the cadre their own,
township staff their township's assignments and reports but not the reviews; everyone else
gets the logged 404."""

import datetime

import pytest
from django.http import Http404

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.testing.factories import user_with_role
from zuzhi.village_work import selectors, services
from zuzhi.village_work.models import Assignment, MonthlyReport, Review, ReviewGrade

from .conftest import REPORT

D = datetime.date


@pytest.fixture
def reviewed(world):
    """Each assignment with a May report, reviewed."""
    grade = ReviewGrade.objects.get(code="good")
    for assignment in (world.assignment, world.other_assignment):
        report = services.report_submit(
            actor=SYSTEM, assignment=assignment, month=D(2025, 5, 1), **REPORT
        )
        services.review_record(
            actor=SYSTEM, report=report, date=D(2025, 6, 3), grade=grade, comments="好"
        )
    return world


def seen(user):
    return {
        model.__name__: {
            (
                o.assignment
                if model is MonthlyReport
                else o.report.assignment
                if model is Review
                else o
            )
            for o in model.objects.visible_to(user)
        }
        for model in (Assignment, MonthlyReport, Review)
    }


def test_who_sees_what(county, reviewed, town_a_user, county_user, branch_a1_user):
    w = reviewed
    both = {w.assignment, w.other_assignment}
    assert seen(w.officer) == {"Assignment": both, "MonthlyReport": both, "Review": both}
    assert seen(SYSTEM) == {"Assignment": both, "MonthlyReport": both, "Review": both}
    mine = {w.assignment}
    assert seen(w.secretary_user) == {"Assignment": mine, "MonthlyReport": mine, "Review": mine}
    assert seen(town_a_user) == {"Assignment": mine, "MonthlyReport": mine, "Review": set()}
    town_b_section = user_with_role(Role.CADRE_STAFF, county.town_b)
    theirs = {w.other_assignment}
    assert seen(town_b_section) == {
        "Assignment": theirs,
        "MonthlyReport": theirs,
        "Review": theirs,
    }
    nothing = {"Assignment": set(), "MonthlyReport": set(), "Review": set()}
    assert seen(county_user) == nothing
    assert seen(branch_a1_user) == nothing
    assert seen(None) == nothing


def test_an_invisible_assignment_is_the_logged_404(county, reviewed, county_user, town_a_user):
    for user, pk in [
        (county_user, reviewed.assignment.pk),
        (town_a_user, reviewed.other_assignment.pk),
        (reviewed.secretary_user, reviewed.other_assignment.pk),
    ]:
        before = AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
        with pytest.raises(Http404):
            selectors.assignment_get(user=user, pk=pk)
        assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == before + 1


def test_township_staff_read_a_review_as_the_logged_404(reviewed, town_a_user):
    review = Review.objects.get(report__assignment=reviewed.assignment)
    with pytest.raises(Http404):
        selectors.review_get(user=town_a_user, pk=review.pk)
    assert selectors.reviews_of(user=town_a_user, reports=[review.report]) == {}
    assert selectors.reviews_of(user=reviewed.secretary_user, reports=[review.report]) == {
        review.report_id: review
    }


def test_the_audit_rows_are_the_audit_administrators_only(reviewed, county_user, auditor_user):
    from zuzhi.core.selectors import audit_list

    village_rows = AuditLog.objects.filter(target_type__startswith="village_work.")
    assert village_rows.count() == 6  # two assignments, two reports, two reviews
    assert not audit_list(user=county_user).filter(target_type__startswith="village_work.")
    assert (
        audit_list(user=auditor_user).filter(target_type__startswith="village_work.").count() == 6
    )
