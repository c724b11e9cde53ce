import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse, reverse_lazy
from python_calamine import CalamineWorkbook

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.ratings.models import AwardStatus, StarAward, StarQuota
from zuzhi.ratings.services import award_propose
from zuzhi.testing.factories import make_member, valid_id_number

from .helpers import grant, propose, scheme, star

BOARD = "five-star-branch"


@pytest.fixture(autouse=True)
def no_quotas(db):
    StarQuota.objects.all().delete()


def sheet(response) -> list[list]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def test_propose_with_evidence_confirm_and_withdraw_through_the_pages(
    county, client_as, town_a_user, town_b_user, county_user, five_star, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    industry = star(five_star, "产业兴旺")
    town = client_as(town_a_user)
    url = reverse("ratings:propose", args=[BOARD])
    query = f"?subject={county.village_a1.pk}&period=2026&star={industry.pk}"
    assert "李庄村党支部" in town.get(url + query).content.decode()
    empty = town.post(url + query, {"star": industry.pk, "evidence": ""}).content.decode()
    assert "请填写评定依据或上传证明材料" in empty and not StarAward.objects.exists()
    town.post(
        url + query,
        {
            "star": industry.pk,
            "evidence": "",
            "evidence_file": SimpleUploadedFile("产业台账.pdf", b"%PDF-1.4 ledger"),
        },
    )
    award = StarAward.objects.get()
    evidence = reverse("ratings:evidence", args=[award.pk])
    assert b"".join(town.get(evidence).streaming_content) == b"%PDF-1.4 ledger"
    town.post(reverse("ratings:award_action", args=[award.pk, "confirm"]))
    award.refresh_from_db()
    assert award.status == AwardStatus.PROPOSED  # a township cannot confirm
    other = client_as(town_b_user)
    for page in (reverse("ratings:award", args=[award.pk]), evidence):
        assert other.get(page).status_code == 404
    assert other.get(url + query).status_code == 404
    assert (
        other.post(
            reverse("ratings:award_action", args=[award.pk, "withdraw"]), {"reason": "越权"}
        ).status_code
        == 404
    )
    county_client = client_as(county_user)
    county_client.post(
        reverse("ratings:confirm", args=[BOARD]), {"award": [award.pk], "period": "2026"}
    )
    award.refresh_from_db()
    assert award.status == AwardStatus.CONFIRMED
    withdraw = reverse("ratings:award_action", args=[award.pk, "withdraw"])
    county_client.post(withdraw, {"reason": ""})
    award.refresh_from_db()
    assert award.status == AwardStatus.CONFIRMED
    county_client.post(withdraw, {"reason": "台账造假"})
    award.refresh_from_db()
    assert (award.status, award.withdrawal_reason) == (AwardStatus.WITHDRAWN, "台账造假")
    history = county_client.get(reverse("ratings:history", args=[BOARD, county.village_a1.pk]))
    assert "台账造假" in history.content.decode()


def test_board_shows_the_scope_only_and_exports_it(
    county, client_as, town_a_user, town_b_user, county_user, five_star
):
    grant(town_a_user, county_user, five_star, county.village_a1, "2026", "支部过硬", "产业兴旺")
    grant(town_b_user, county_user, five_star, county.village_b1, "2026", "支部过硬")
    board = reverse("ratings:board", args=[BOARD])
    page = client_as(town_b_user).get(board, {"period": "2026"}).content.decode()
    assert "张湾村党支部" in page and "李庄村党支部" not in page
    response = client_as(town_a_user).get(board, {"period": "2026", "export": "xlsx"})
    rows = sheet(response)
    assert rows[0][:4] == ["党组织", "上级党组织", "支部过硬", "产业兴旺"]
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"李庄村党支部", "王庄村党支部"}
    assert by_name["李庄村党支部"][2:4] == ["★", "★"] and by_name["李庄村党支部"][7] == 2
    assert AuditLog.objects.filter(action=AuditAction.EXPORT, actor=town_a_user).exists()
    searched = client_as(county_user).get(board, {"period": "2026", "q": "张湾"}).content.decode()
    assert "张湾村党支部" in searched and "李庄村党支部" not in searched


def test_changes_page_lists_who_rose_and_who_fell(
    county, client_as, town_a_user, town_b_user, county_user, five_star
):
    grant(town_a_user, county_user, five_star, county.village_a1, "2025", "支部过硬")
    grant(town_a_user, county_user, five_star, county.village_a1, "2026", "支部过硬", "生态宜居")
    grant(town_a_user, county_user, five_star, county.village_a2, "2025", "支部过硬", "平安法治")
    grant(town_b_user, county_user, five_star, county.village_b1, "2025", "文明幸福")
    url = reverse("ratings:changes", args=[BOARD])
    page = client_as(county_user).get(url, {"period": "2026"}).content.decode()
    assert "升星 1 个" in page and "降星 2 个" in page
    assert all(name in page for name in ("李庄村党支部", "王庄村党支部", "张湾村党支部"))
    up = client_as(county_user).get(url, {"period": "2026", "direction": "up"}).content.decode()
    assert "李庄村党支部" in up and "王庄村党支部" not in up and "生态宜居" in up
    mine = client_as(town_b_user).get(url, {"period": "2026"}).content.decode()
    assert "张湾村党支部" in mine and "李庄村党支部" not in mine
    rows = sheet(client_as(county_user).get(url, {"period": "2026", "export": "xlsx"}))
    assert sorted((r[0], r[4], r[6]) for r in rows[1:]) == [
        ("张湾村党支部", "降星", "文明幸福"),
        ("李庄村党支部", "升星", ""),
        ("王庄村党支部", "降星", "支部过硬、平安法治"),
    ]


def test_member_export_carries_no_personal_data(county, client_as, town_a_user, county_user):
    ten = scheme("ten-star-member")
    number = valid_id_number("19800101", 7)
    member = make_member(county.village_a1, name="赵六", id_number=number, phone="13900001111")
    grant(town_a_user, county_user, ten, member, "2026", "服务群众")
    response = client_as(county_user).get(
        reverse("ratings:board", args=["ten-star-member"]), {"period": "2026", "export": "xlsx"}
    )
    rows = sheet(response)
    assert rows[1][:2] == ["赵六", "李庄村党支部"]
    page = client_as(town_a_user).get(
        reverse("ratings:board", args=["ten-star-member"]), {"period": "2026", "q": "赵"}
    )
    assert "赵六" in page.content.decode() and number not in page.content.decode()
    assert not any(number in str(c) or "13900001111" in str(c) for r in rows for c in r)


def test_pages_answer_and_settings_are_for_the_county(
    county, client_as, town_a_user, county_user, five_star
):
    propose(town_a_user, five_star, county.village_a1, "2026", "支部过硬")
    town = client_as(town_a_user)
    assert "五星支部" in town.get(reverse("ratings:list")).content.decode()
    pending = town.get(reverse("ratings:pending", args=[BOARD]), {"period": "2026"})
    assert "李庄村党支部" in pending.content.decode()
    assert town.get(reverse("ratings:settings", args=[BOARD])).status_code == 404
    county_client = client_as(county_user)
    names = {f"star_{s.pk}": s.name for s in five_star.stars.all()}
    names[f"star_{star(five_star, '支部过硬').pk}"] = "党建引领"
    county_client.post(reverse("ratings:settings", args=[BOARD]), {**names, "quota_5": "10"})
    assert five_star.stars.filter(name="党建引领").exists()
    assert [(q.level, str(q.max_share)) for q in StarQuota.objects.filter(scheme=five_star)] == [
        (5, "0.100")
    ]
    assert "党建引领" in county_client.get(reverse("ratings:board", args=[BOARD])).content.decode()


@pytest.fixture
def judge_user(county):
    from zuzhi.core.roles import Role
    from zuzhi.testing.factories import user_with_role

    return user_with_role(Role.JUDGE, county.county, username="judge")


@pytest.mark.parametrize("role", ["judge_user", "auditor_user", "sysadmin_user"])
def test_roles_without_data_scope_see_empty_ratings_pages(
    request, role, county, client_as, town_a_user, county_user, five_star
):
    """Judges and the two administrators hold no data scope: the pages answer, empty."""
    grant(town_a_user, county_user, five_star, county.village_a1, "2026", "支部过硬")
    client = client_as(request.getfixturevalue(role))
    assert client.get(reverse("ratings:list")).status_code == 200
    for name in ("board", "pending", "changes"):
        page = client.get(reverse(f"ratings:{name}", args=[BOARD]), {"period": "2026"})
        assert page.status_code == 200 and "李庄村党支部" not in page.content.decode()
    for name in ("board", "changes"):
        export = client.get(
            reverse(f"ratings:{name}", args=[BOARD]), {"period": "2026", "export": "xlsx"}
        )
        assert export.status_code == 200 and len(sheet(export)) == 1
    history = reverse("ratings:history", args=[BOARD, county.village_a1.pk])
    assert client.get(history).status_code == 404


@pytest.mark.parametrize("award", ["9223372036854775808", "-9223372036854775809", "0"])
def test_confirm_page_answers_not_found_for_ids_no_row_can_have(client_as, county_user, award):
    answer = client_as(county_user).post(
        reverse("ratings:confirm", args=[BOARD]), {"award": [award], "period": "2026"}
    )
    assert answer.status_code == 404


def test_evidence_missing_from_disk_is_not_found(
    county, client_as, town_a_user, five_star, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    award = award_propose(
        actor=town_a_user,
        star=star(five_star, "产业兴旺"),
        period="2026",
        subject=county.village_a1,
        evidence_file=SimpleUploadedFile("产业台账.pdf", b"%PDF-1.4 ledger"),
    )
    (tmp_path / award.evidence_file.name).unlink()
    answer = client_as(town_a_user).get(reverse("ratings:evidence", args=[award.pk]))
    assert answer.status_code == 404
    assert not AuditLog.objects.filter(action=AuditAction.EXPORT).exists()


PAST_64_BITS = str(2**64)  # no database key reaches it (the largest is 2**63 - 1)


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", reverse_lazy("ratings:award", args=[PAST_64_BITS]), {}),
        ("get", reverse_lazy("ratings:evidence", args=[PAST_64_BITS]), {}),
        ("post", reverse_lazy("ratings:award_action", args=[PAST_64_BITS, "withdraw"]), {}),
        ("get", reverse_lazy("ratings:history", args=[BOARD, PAST_64_BITS]), {}),
        ("get", reverse_lazy("ratings:propose", args=[BOARD]), {"subject": PAST_64_BITS}),
        ("post", reverse_lazy("ratings:confirm", args=[BOARD]), {"award": ["1", PAST_64_BITS]}),
        ("post", reverse_lazy("ratings:adopt", args=[BOARD]), {"organization": PAST_64_BITS}),
    ],
)
def test_ids_past_64_bits_on_the_pages_are_not_found(
    county, client_as, county_user, five_star, method, url, data
):
    client = client_as(county_user)
    client.raise_request_exception = False
    assert getattr(client, method)(str(url), data).status_code == 404
