"""The organizations' kept figures (组织概况) after the members' flows that reach them other
than by a clerk's single entry: a transfer decided by the receiving side, and the Excel
import, written at once or by the worker. Figures are each organization's own (they do not
roll up), so the townships above keep theirs unchanged."""

import datetime

import pytest

from zuzhi.core.imports import import_job_confirm
from zuzhi.core.models import ImportJob
from zuzhi.members.models import Member, MemberTransfer, TransferStatus
from zuzhi.members.services import member_transfer, member_transfer_decide
from zuzhi.members.tests.test_import import member_row, upload
from zuzhi.orgs.tests.test_figures import counted, kept
from zuzhi.testing.factories import make_member, valid_id_number


def _all_agree(county):
    for org in (
        county.county,
        county.town_a,
        county.town_b,
        county.village_a1,
        county.village_a2,
        county.village_b1,
    ):
        assert kept(org) == counted(org), org.name


@pytest.fixture
def two_in_a1(county):
    """A full and a probationary member of 李庄村, the probationary one to be sent away."""
    make_member(county.village_a1, name="甲", id_number=valid_id_number("19800101", 1))
    return make_member(
        county.village_a1,
        name="乙",
        id_number=valid_id_number("19800101", 2),
        status="probationary",
        full_date=None,
    )


def _send_out_of_township(county, town_a_user, member):
    transfer = member_transfer(
        actor=town_a_user,
        member=member,
        to_org=county.village_b1,
        transfer_date=datetime.date(2026, 11, 1),
        reason="迁居",
    )
    assert transfer.status == TransferStatus.PENDING
    return transfer


def test_a_pending_transfer_moves_no_count_and_its_acceptance_moves_both(
    county, town_a_user, town_b_user, two_in_a1
):
    transfer = _send_out_of_township(county, town_a_user, two_in_a1)
    assert kept(county.village_a1) == (2, 1, None)
    assert kept(county.village_b1) == (0, 0, None)
    member_transfer_decide(actor=town_b_user, transfer=transfer, accept=True)
    assert Member.objects.get(pk=two_in_a1.pk).organization == county.village_b1
    # A probationary member leaves the full count where it was.
    assert kept(county.village_a1) == (1, 1, None)
    assert kept(county.village_b1) == (1, 0, None)
    _all_agree(county)


def test_a_returned_transfer_leaves_both_counts(county, town_a_user, town_b_user, two_in_a1):
    transfer = _send_out_of_township(county, town_a_user, two_in_a1)
    member_transfer_decide(actor=town_b_user, transfer=transfer, accept=False, note="查无此人")
    assert MemberTransfer.objects.get(pk=transfer.pk).status == TransferStatus.REJECTED
    assert kept(county.village_a1) == (2, 1, None)
    assert kept(county.village_b1) == (0, 0, None)
    _all_agree(county)


def _rows():
    """Odd rows go to 李庄村 (VA1), even rows to 王庄村 (VA2); rows 0 and 1 are probationary."""
    rows = [member_row(i) for i in range(2, 7)]
    rows += [member_row(i, 党员状态="预备党员", 转正日期=None) for i in range(2)]
    return rows


def test_an_import_written_at_once_counts_its_organizations(
    county, town_a_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_confirm(actor=town_a_user, job=upload(town_a_user, _rows()))
    assert job.status == ImportJob.Status.DONE, job.errors
    assert kept(county.village_a1) == (3, 2, None)
    assert kept(county.village_a2) == (4, 3, None)
    _all_agree(county)

    # Re-importing the sheet with the probationary members made full updates the full count.
    rows = [member_row(i) for i in range(7)]
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_confirm(actor=town_a_user, job=upload(town_a_user, rows))
    assert job.status == ImportJob.Status.DONE and job.summary["updated"] == 2, job.summary
    assert kept(county.village_a1) == (3, 3, None)
    assert kept(county.village_a2) == (4, 4, None)
    _all_agree(county)


def test_an_import_written_by_the_worker_counts_its_organizations(
    county, town_a_user, settings, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("zuzhi.members.importers.BATCH", 3)
    settings.ZUZHI_IMPORT_BACKGROUND_ROWS = 5
    job = upload(town_a_user, _rows())
    assert job.status == ImportJob.Status.READY
    assert kept(county.village_a1) == kept(county.village_a2) == (0, 0, None)
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_confirm(actor=town_a_user, job=job)
        assert job.status == ImportJob.Status.QUEUED
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors
    assert kept(county.village_a1) == (3, 2, None)
    assert kept(county.village_a2) == (4, 3, None)
    _all_agree(county)


def test_an_import_that_fails_at_the_confirm_counts_nothing(
    county, town_a_user, monkeypatch, django_capture_on_commit_callbacks
):
    # The last batch fails after the first ones were written: all are rolled back, and so is
    # the figures' refresh that waited for the commit.
    monkeypatch.setattr("zuzhi.members.importers.BATCH", 3)
    rows = _rows()
    job = upload(town_a_user, rows)
    assert job.status == ImportJob.Status.READY
    make_member(county.village_b1, id_number=rows[-1][1])
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_confirm(actor=town_a_user, job=job)
    assert job.status == ImportJob.Status.FAILED
    assert kept(county.village_a1) == kept(county.village_a2) == (0, 0, None)
    _all_agree(county)
