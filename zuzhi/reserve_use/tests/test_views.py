import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.reserve_use import services
from zuzhi.reserve_use.models import ElectedBody, ReserveAssignment, VillageElection
from zuzhi.reserves.lifecycle import reserve_exit
from zuzhi.reserves.models import ReserveStatus

DAY = datetime.date(2026, 3, 1)
TASK = {"kind": "dispute", "title": "调处土地纠纷", "started_on": DAY}


def _sheet(response):
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [[c.value for c in row] for row in book.active.iter_rows()]


def test_assign_from_the_page_and_refuse_one_who_left_the_pool(
    county, town_a_user, client_as, pool_reserve
):
    reserve = pool_reserve(county.village_a1)
    client = client_as(town_a_user)
    form = client.get(reverse("reserve_use:assignment_create")).content.decode()
    assert "rs-form" in form and reserve.name in form  # the phone-width form style
    data = {"candidate": reserve.pk, "kind": "grid", "title": "网格员", "started_on": "2026-03-01"}
    response = client.post(reverse("reserve_use:assignment_create"), data)
    assert response.status_code == 302
    reserve_exit(actor=town_a_user, candidate=reserve, reason="迁出")
    response = client.post(reverse("reserve_use:assignment_create"), data)
    assert response.status_code == 200
    assert "只有已入库的后备力量才能压担子" in response.content.decode()
    assert ReserveAssignment.objects.count() == 1


def test_list_filters_paginates_and_records_the_result(
    county, town_a_user, client_as, pool_reserve, django_assert_max_num_queries
):
    reserve = pool_reserve(county.village_a1)
    for n in range(3):
        services.assignment_create(
            actor=town_a_user, candidate=reserve, data=TASK | {"title": f"纠纷{n}"}
        )
    services.assignment_create(
        actor=town_a_user, candidate=reserve, data=TASK | {"kind": "grid", "title": "网格"}
    )
    client = client_as(town_a_user)
    client.get(reverse("reserve_use:assignments"))  # warm the session and the nav
    with django_assert_max_num_queries(16):
        page = client.get(reverse("reserve_use:assignments"), {"kind": "dispute"})
    text = page.content.decode()
    assert "纠纷0" in text and "网格</a>" not in text
    task = ReserveAssignment.objects.get(title="纠纷0")
    response = client.post(
        reverse("reserve_use:assignment_result", args=[task.pk]),
        {"performance": "化解纠纷 3 起", "rating": "fair", "ended_on": "2026-06-30"},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.rating == "fair" and task.ended_on == datetime.date(2026, 6, 30)
    listed = client.get(reverse("reserve_use:assignments"), {"rating": "fair"}).content.decode()
    assert "纠纷0" in listed and "纠纷1" not in listed


def test_export_masks_id_numbers_for_the_township(
    county, town_a_user, county_user, client, pool_reserve
):
    reserve = pool_reserve(county.village_a1)
    services.assignment_create(actor=town_a_user, candidate=reserve, data=TASK)
    client.force_login(town_a_user)
    rows = _sheet(client.get(reverse("reserve_use:assignments_export")))
    assert rows[1][:3] == ["城关镇党委", "李庄村党支部", reserve.name]
    assert rows[1][3] != reserve.id_number and rows[1][3].endswith(reserve.id_number[-4:])
    client.force_login(county_user)
    assert _sheet(client.get(reverse("reserve_use:assignments_export")))[1][3] == reserve.id_number
    assert AuditLog.objects.filter(action=AuditAction.EXPORT).count() == 2


def test_election_page_hands_over_and_shows_the_roster(
    county, town_a_user, client_as, pool_reserve
):
    reserve = pool_reserve(county.village_a1)
    client = client_as(town_a_user)
    url = reverse("reserve_use:election_create") + f"?village={county.village_a1.pk}"
    form = client.get(url).content.decode()
    assert f'name="seat_village_{reserve.pk}"' in form
    response = client.post(
        url, {"held_on": "2026-03-01", f"seat_village_{reserve.pk}": "chair", "note": "第十二届"}
    )
    election = VillageElection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reserve_use:election_detail", args=[election.pk])
    reserve.refresh_from_db()
    assert reserve.status == ReserveStatus.APPOINTED
    roster = client.get(
        reverse("reserve_use:village_committee", args=[county.village_a1.pk])
    ).content.decode()
    assert reserve.name in roster and "主任" in roster and reserve.id_number not in roster
    summary = client.get(reverse("reserve_use:summary")).content.decode()
    assert "<td>1</td>" in summary


def test_election_page_shows_each_refusal_in_chinese(county, town_a_user, client_as, pool_reserve):
    reserve = pool_reserve(county.village_a1)
    url = reverse("reserve_use:election_create") + f"?village={county.village_a1.pk}"
    response = client_as(town_a_user).post(
        url, {"held_on": "2026-03-01", f"seat_branch_{reserve.pk}": "secretary"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "不能当选支部委员（可当选村民委员会成员）" in text
    assert 'value="secretary" selected' in text  # the choice is kept
    assert not VillageElection.objects.exists()


def test_not_applied_page(county, town_a_user, client_as, pool_reserve):
    reserve = pool_reserve(county.village_a1)
    page = client_as(town_a_user).get(reverse("reserve_use:not_applied")).content.decode()
    assert reserve.name in page and reserve.id_number not in page


@pytest.mark.parametrize("name", ["assignment_result", "election_detail", "village_committee"])
def test_township_b_gets_the_logged_404_on_township_a_records(
    name, county, town_a_user, town_b_user, client_as, pool_reserve
):
    first, second = (
        pool_reserve(county.village_a1, sequence=910),
        pool_reserve(county.village_a1, sequence=920),
    )
    task = services.assignment_create(actor=town_a_user, candidate=first, data=TASK)
    election = services.election_record(
        actor=town_a_user,
        village=county.village_a1,
        held_on=DAY,
        elected=[services.ElectedInput(second, ElectedBody.VILLAGE_COMMITTEE, "member")],
    )
    target = {
        "assignment_result": task,
        "election_detail": election,
        "village_committee": county.village_a1,
    }[name]
    before = AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
    response = client_as(town_b_user).get(reverse(f"reserve_use:{name}", args=[target.pk]))
    assert response.status_code == 404
    assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == before + 1
    lists = [reverse("reserve_use:assignments"), reverse("reserve_use:elections")]
    for url in lists:
        assert first.name not in client_as(town_b_user).get(url).content.decode()


def test_branch_secretary_gets_no_page(county, branch_a1_user, client_as):
    client = client_as(branch_a1_user)
    for name in ("assignments", "not_applied", "elections", "summary", "election_create"):
        assert client.get(reverse(f"reserve_use:{name}")).status_code == 404
    assert (
        client.get(
            reverse("reserve_use:village_committee", args=[county.village_a1.pk])
        ).status_code
        == 404
    )


def test_list_pages_query_the_same_for_one_row_or_many(county, county_user, town_a_user, client_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .factories import make_pool_reserves

    client = client_as(town_a_user)
    urls = [
        reverse("reserve_use:assignments"),
        reverse("reserve_use:not_applied"),
        reverse("reserve_use:elections"),
        reverse("reserve_use:summary"),
    ]

    def counts():
        client.get(urls[0])  # the session and the menu, read once
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return result

    def add(sequence, n):
        reserves = make_pool_reserves(
            county, [county.village_a1] * n, county_user=county_user, sequence=sequence
        )
        for r in reserves[1:]:
            services.assignment_create(actor=town_a_user, candidate=r, data=TASK)
        services.election_record(
            actor=town_a_user,
            village=county.village_a1,
            held_on=DAY,
            elected=[services.ElectedInput(reserves[0], ElectedBody.VILLAGE_COMMITTEE, "member")],
        )

    add(700, 2)
    few = counts()
    add(800, 6)
    assert counts() == few


def test_a_large_scope_chooses_the_elections_village_with_the_picker(
    county, town_a_user, client_as, monkeypatch
):
    monkeypatch.setattr("zuzhi.orgs.picker.SELECT_LIMIT", 1)
    page = client_as(town_a_user).get(reverse("reserve_use:election_create")).content.decode()
    assert 'name="village_q"' in page and 'aria-required="true"' in page
    assert "李庄村党支部" not in page and "<option" not in page
    assert "mode=staff" in page and "unit=village" in page
