import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.orgs.committee import committee_appoint
from zuzhi.orgs.models import CommitteeSeat
from zuzhi.reserve_use import services
from zuzhi.reserve_use.models import (
    ElectedBody,
    ReserveAssignment,
    VillageCommitteeMember,
    VillageElection,
)
from zuzhi.reserves.models import EventKind, ReserveCandidate, ReserveStatus
from zuzhi.reserves.services import candidate_create
from zuzhi.testing.factories import OrganizationFactory, make_member, valid_id_number

DAY = datetime.date(2026, 3, 1)
TASK = {"kind": "grid", "title": "第三网格服务", "started_on": DAY}


def test_assignment_only_for_a_reserve_in_the_pool(county, town_a_user, pool_reserve):
    nominee = candidate_create(
        actor=town_a_user,
        data={
            "village": county.village_a1,
            "name": "候选人",
            "id_number": valid_id_number(birth="19950101", sequence=11),
            "source": "graduate",
            "discovery": "self",
        },
    )
    with pytest.raises(ValidationError) as exc:
        services.assignment_create(actor=town_a_user, candidate=nominee, data=TASK)
    assert "候选人当前为“待乡镇初审”，只有已入库的后备力量才能压担子" in str(exc.value)
    assert not ReserveAssignment.objects.exists()

    reserve = pool_reserve(county.village_a1)
    task = services.assignment_create(actor=town_a_user, candidate=reserve, data=TASK)
    assert task.candidate == reserve and task.kind == "grid"
    assert AuditLog.objects.filter(
        action=AuditAction.CREATE, target_type="reserve_use.reserveassignment"
    ).exists()


def test_assignment_dates_and_rating_rules(county, town_a_user, pool_reserve):
    reserve = pool_reserve(county.village_a1)
    with pytest.raises(ValidationError) as exc:
        services.assignment_create(
            actor=town_a_user,
            candidate=reserve,
            data=TASK | {"ended_on": DAY - datetime.timedelta(days=1), "title": " "},
        )
    assert exc.value.message_dict == {
        "title": ["请填写任务名称。"],
        "ended_on": ["结束日期不能早于开始日期。"],
    }
    task = services.assignment_create(actor=town_a_user, candidate=reserve, data=TASK)
    with pytest.raises(ValidationError) as exc:
        services.assignment_record_result(
            actor=town_a_user, assignment=task, data={"rating": "good"}
        )
    assert exc.value.message_dict == {"rating": ["请先填写工作实绩，再作评价。"]}
    task = services.assignment_record_result(
        actor=town_a_user,
        assignment=task,
        data={"performance": "调处纠纷 12 起", "rating": "good", "ended_on": DAY},
    )
    assert (task.performance, task.rating, task.ended_on) == ("调处纠纷 12 起", "good", DAY)
    row = AuditLog.objects.get(
        action=AuditAction.UPDATE,
        target_type="reserve_use.reserveassignment",
        target_id=str(task.pk),
    )
    assert row.after["rating"] == "good"


def test_township_b_cannot_assign_town_a_reserves(county, town_b_user, pool_reserve):
    reserve = pool_reserve(county.village_a1)
    with pytest.raises(Http404):
        services.assignment_create(actor=town_b_user, candidate=reserve, data=TASK)
    assert AuditLog.objects.filter(
        action=AuditAction.PERMISSION_DENIED, target_id=str(reserve.pk)
    ).exists()


def _member_reserve(county, pool_reserve, village=None, sequence=901, branch=None):
    number = valid_id_number(birth="19900202", sequence=sequence)
    member = make_member(
        branch or county.village_a1,
        name="刘党员",
        id_number=number,
        join_date=datetime.date(2015, 7, 1),
        full_date=datetime.date(2016, 7, 1),
    )
    reserve = pool_reserve(village or county.village_a1, sequence=sequence, id_number=number)
    assert reserve.member == member
    return reserve, member


def test_election_seats_a_member_reserve_on_the_branch_committee_and_appoints_them(
    county, town_a_user, pool_reserve
):
    reserve, member = _member_reserve(county, pool_reserve)
    election = services.election_record(
        actor=town_a_user,
        village=county.village_a1,
        held_on=DAY,
        elected=[services.ElectedInput(reserve, ElectedBody.BRANCH_COMMITTEE, "organization")],
    )
    seat = CommitteeSeat.objects.get(member=member)
    assert (seat.organization, seat.position, seat.started_on) == (
        county.village_a1,
        "organization",
        DAY,
    )
    reserve.refresh_from_db()
    assert reserve.status == ReserveStatus.APPOINTED and reserve.status_changed_on == DAY
    event = reserve.events.get(kind=EventKind.APPOINTED)
    assert event.on == DAY and "支部委员会组织委员" in event.note
    result = election.elected.get()
    assert result.committee_seat == seat and result.village_committee_member is None


def test_a_member_of_a_branch_under_the_village_organization_is_seated_there(
    county, town_a_user, pool_reserve
):
    # A village whose organization is a general branch with a branch under it (村党总支).
    village = OrganizationFactory(
        parent=county.town_a, code="VA3", name="赵庄村党总支", org_type="general_branch"
    )
    branch = OrganizationFactory(parent=village, code="VA3-1", name="赵庄村第一党支部")
    reserve, member = _member_reserve(county, pool_reserve, village=village, branch=branch)
    services.election_record(
        actor=town_a_user,
        village=village,
        held_on=DAY,
        elected=[services.ElectedInput(reserve, ElectedBody.BRANCH_COMMITTEE, "member")],
    )
    assert CommitteeSeat.objects.get(member=member).organization == branch


def test_a_non_member_reserve_goes_onto_the_village_committee_roster(
    county, town_a_user, pool_reserve
):
    reserve = pool_reserve(county.village_a1)
    with pytest.raises(ValidationError) as exc:
        services.election_record(
            actor=town_a_user,
            village=county.village_a1,
            held_on=DAY,
            elected=[services.ElectedInput(reserve, ElectedBody.BRANCH_COMMITTEE, "member")],
        )
    assert exc.value.message_dict["elected"] == [
        f"{reserve.name}不是李庄村党支部党组织的党员，不能当选支部委员（可当选村民委员会成员）。"
    ]
    election = services.election_record(
        actor=town_a_user,
        village=county.village_a1,
        held_on=DAY,
        elected=[services.ElectedInput(reserve, ElectedBody.VILLAGE_COMMITTEE, "vice_chair")],
    )
    term = VillageCommitteeMember.objects.get()
    assert (term.village, term.name, term.id_number, term.position, term.started_on) == (
        county.village_a1,
        reserve.name,
        reserve.id_number,
        "vice_chair",
        DAY,
    )
    assert term.from_reserve == reserve and term.ended_on is None
    assert election.elected.get().village_committee_member == term
    reserve.refresh_from_db()
    assert reserve.status == ReserveStatus.APPOINTED


def test_one_person_on_both_committees_is_appointed_once(county, town_a_user, pool_reserve):
    reserve, member = _member_reserve(county, pool_reserve)
    services.election_record(
        actor=town_a_user,
        village=county.village_a1,
        held_on=DAY,
        elected=[
            services.ElectedInput(reserve, ElectedBody.BRANCH_COMMITTEE, "secretary"),
            services.ElectedInput(reserve, ElectedBody.VILLAGE_COMMITTEE, "chair"),
        ],
    )
    assert CommitteeSeat.objects.get(member=member).position == "secretary"
    assert VillageCommitteeMember.objects.get().position == "chair"
    assert reserve.events.filter(kind=EventKind.APPOINTED).count() == 1


def test_one_refused_person_rolls_back_everyone(county, town_a_user, pool_reserve):
    # The branch already has a secretary: only committee_appoint finds out, after the first
    # person has been seated inside the transaction.
    sitting = make_member(
        county.village_a1, name="老书记", id_number=valid_id_number(birth="19600101", sequence=5)
    )
    committee_appoint(
        actor=town_a_user,
        organization=county.village_a1,
        member=sitting,
        position="secretary",
        started_on=datetime.date(2021, 1, 1),
    )
    first = pool_reserve(county.village_a1, sequence=930)
    second, _ = _member_reserve(county, pool_reserve, sequence=940)
    audit_rows = AuditLog.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.election_record(
            actor=town_a_user,
            village=county.village_a1,
            held_on=DAY,
            elected=[
                services.ElectedInput(first, ElectedBody.VILLAGE_COMMITTEE, "member"),
                services.ElectedInput(second, ElectedBody.BRANCH_COMMITTEE, "secretary"),
            ],
        )
    assert exc.value.message_dict["elected"] == ["刘党员：本支部已有在任书记，请先免去其职务。"]
    assert not VillageElection.objects.exists()
    assert not VillageCommitteeMember.objects.exists()
    assert CommitteeSeat.objects.count() == 1
    assert set(
        ReserveCandidate.objects.filter(pk__in=[first.pk, second.pk]).values_list(
            "status", flat=True
        )
    ) == {ReserveStatus.IN_POOL}
    assert not first.events.filter(kind=EventKind.APPOINTED).exists()
    assert AuditLog.objects.count() == audit_rows


def test_election_errors_name_each_person(county, town_a_user, pool_reserve):
    mine = pool_reserve(county.village_a1, sequence=950)
    other_village = pool_reserve(county.village_a2, sequence=960)
    with pytest.raises(ValidationError) as exc:
        services.election_record(
            actor=town_a_user,
            village=county.village_a1,
            held_on=DAY,
            elected=[
                services.ElectedInput(mine, ElectedBody.VILLAGE_COMMITTEE, "mayor"),
                services.ElectedInput(other_village, ElectedBody.VILLAGE_COMMITTEE, "member"),
            ],
        )
    assert exc.value.message_dict["elected"] == [
        f"{mine.name}：请选择村民委员会职务。",
        f"{other_village.name}不是李庄村党支部的后备力量。",
    ]


def test_township_b_cannot_record_town_a_elections(county, town_b_user, pool_reserve):
    reserve = pool_reserve(county.village_a1)
    with pytest.raises(Http404):
        services.election_record(
            actor=town_b_user,
            village=county.village_a1,
            held_on=DAY,
            elected=[services.ElectedInput(reserve, ElectedBody.VILLAGE_COMMITTEE, "member")],
        )
    assert not VillageElection.objects.exists()


def test_the_system_actor_assigns_and_hands_over(county, pool_reserve):
    # The demo seeder and management commands act as SYSTEM: no user in the who-did-it columns.
    from zuzhi.core.scope import SYSTEM

    first, second = (
        pool_reserve(county.village_a1, sequence=970),
        pool_reserve(county.village_a1, sequence=980),
    )
    task = services.assignment_create(actor=SYSTEM, candidate=first, data=TASK)
    assert task.created_by is None
    election = services.election_record(
        actor=SYSTEM,
        village=county.village_a1,
        held_on=DAY,
        elected=[services.ElectedInput(second, ElectedBody.VILLAGE_COMMITTEE, "member")],
    )
    assert election.recorded_by is None and VillageCommitteeMember.objects.count() == 1
