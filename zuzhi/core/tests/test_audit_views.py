import datetime
import io
from unittest import mock

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.roles import Role
from zuzhi.core.selectors import audit_list
from zuzhi.orgs.models import OrgType, UnitCategory
from zuzhi.orgs.services import org_update
from zuzhi.testing.factories import OrganizationFactory, make_member, user_with_role


def xlsx_rows(response):
    assert response.status_code == 200
    return (
        CalamineWorkbook.from_filelike(io.BytesIO(response.content))
        .get_sheet_by_index(0)
        .to_python()
    )


def update_on(day: datetime.date, *, actor, org, name: str):
    """An audited change as if made at noon on `day` (the log's time is set on insert)."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        org_update(actor=actor, org=org, data={"secretary_name": name})


@pytest.fixture
def other_county_user(db):
    """County staff of a second county: the audit log is read within the reader's scope."""
    other = OrganizationFactory(
        code="C2",
        name="邻县县委",
        org_type=OrgType.COUNTY_COMMITTEE,
        unit_category=UnitCategory.COUNTY,
    )
    OrganizationFactory(parent=other, code="C2V", name="邻县村党支部")
    return user_with_role(Role.COUNTY_STAFF, other, username="other_county")


def test_county_staff_see_only_their_subtree_log(
    county, client_as, town_a_user, county_user, other_county_user
):
    org_update(actor=town_a_user, org=county.village_a1, data={"secretary_name": "甲书记"})
    assert "李庄村党支部" in client_as(county_user).get(reverse("audit:list")).content.decode()
    body = client_as(other_county_user).get(reverse("audit:list")).content.decode()
    assert "李庄村党支部" not in body and "邻县村党支部" in body


def test_township_and_branch_clerks_get_no_audit_log(
    county, client_as, town_a_user, branch_a1_user, sysadmin_user
):
    """#12 §4: the log is the audit administrator's and the county's; a township or branch
    clerk reads an object's history on its own page."""
    for user in (town_a_user, branch_a1_user, sysadmin_user):
        client = client_as(user)
        assert client.get(reverse("audit:list")).status_code == 404
        assert client.get(reverse("audit:list"), {"export": "xlsx"}).status_code == 404


def test_auditor_sees_everything_including_denials(county, client_as, auditor_user, town_b_user):
    client_as(town_b_user).get(reverse("orgs:detail", args=[county.village_a1.pk]))
    body = (
        client_as(auditor_user)
        .get(reverse("audit:list"), {"action": "permission_denied"})
        .content.decode()
    )
    assert "越权访问" in body and "town_b" in body


def test_audit_export_is_scoped(county, client_as, town_a_user, other_county_user):
    org_update(actor=town_a_user, org=county.village_a1, data={"secretary_name": "甲书记"})
    rows = xlsx_rows(client_as(other_county_user).get(reverse("audit:list"), {"export": "xlsx"}))
    assert rows[0] == [
        "时间",
        "操作人",
        "操作",
        "对象类型",
        "对象",
        "对象编号",
        "修改前",
        "修改后",
        "IP",
        "请求编号",
        "说明",
    ]
    assert all("李庄村" not in str(r) for r in rows)


def test_date_filters_are_inclusive_on_both_ends(county, client_as, town_a_user, county_user):
    for day, name in [(1, "一日"), (2, "二日"), (3, "三日")]:
        update_on(datetime.date(2026, 3, day), actor=town_a_user, org=county.village_a1, name=name)
    response = client_as(county_user).get(
        reverse("audit:list"), {"action": "update", "from": "2026-03-02", "to": "2026-03-03"}
    )
    assert [r.after["secretary_name"] for r in response.context["page"]] == ["三日", "二日"]
    assert 'value="2026-03-02"' in response.content.decode()


def test_export_carries_the_same_filters_and_is_logged(county, client_as, town_a_user, county_user):
    for day, name in [(1, "一日"), (2, "二日"), (3, "三日")]:
        update_on(datetime.date(2026, 3, day), actor=town_a_user, org=county.village_a1, name=name)
    client = client_as(county_user)
    params = {"action": "update", "actor": "town_a", "from": "2026-03-02", "to": "2026-03-02"}
    page = client.get(reverse("audit:list"), params).content.decode()
    # The export link on the page is the filtered query plus export=xlsx.
    assert (
        "action=update&amp;actor=town_a&amp;from=2026-03-02&amp;to=2026-03-02&amp;export=xlsx"
        in page
    )
    start = AuditLog.objects.count()
    rows = xlsx_rows(client.get(reverse("audit:list"), {**params, "export": "xlsx"}))
    assert len(rows) == 2 and rows[1][1] == "town_a" and rows[1][2] == "修改"
    assert rows[1][0].startswith("2026-03-02")
    exported = AuditLog.objects.order_by("id")[start:]
    assert [r.action for r in exported] == [AuditAction.EXPORT]
    assert exported[0].actor == county_user and "1 行" in exported[0].message


def test_pager_keeps_the_filters(county, client_as, town_a_user, county_user):
    for i in range(60):
        org_update(actor=town_a_user, org=county.village_a1, data={"secretary_name": f"书记{i}"})
    client = client_as(county_user)
    first = client.get(reverse("audit:list"), {"action": "update", "actor": "town_a"})
    assert first.context["page"].paginator.count == 60
    assert "?action=update&amp;actor=town_a&amp;page=2" in first.content.decode()
    second = client.get(reverse("audit:list"), {"action": "update", "actor": "town_a", "page": 2})
    assert len(second.context["page"]) == 10
    assert all(r.action == AuditAction.UPDATE for r in second.context["page"])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-02-30"}, "起始日期“2026-02-30”不是有效日期"),
        ({"to": "昨天"}, "截止日期“昨天”不是有效日期"),
        ({"from": "2026-03-05", "to": "2026-03-01"}, "起始日期晚于截止日期"),
        ({"action": "nope"}, "没有这种操作类型"),
    ],
)
def test_bad_filters_are_explained_in_chinese(county, client_as, county_user, params, message):
    response = client_as(county_user).get(reverse("audit:list"), params)
    assert response.status_code == 200 and message in response.content.decode()


@pytest.mark.parametrize("value, status", [("\x00", 400), ("town_a\x00", 400), ("'; --", 200)])
def test_odd_actor_filter_does_not_crash(county, client_as, county_user, value, status):
    response = client_as(county_user).get(reverse("audit:list"), {"actor": value})
    assert response.status_code == status


def test_audit_list_needs_login(client):
    response = client.get(reverse("audit:list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_filters_by_object_type_id_and_name(county, client_as, town_a_user, county_user):
    org_update(actor=town_a_user, org=county.village_a1, data={"secretary_name": "甲"})
    org_update(actor=town_a_user, org=county.village_a2, data={"secretary_name": "乙"})
    member = make_member(county.village_a1, name="王小明")
    client = client_as(county_user)
    url = reverse("audit:list")

    def shown(params):
        return {(r.target_type, r.target_id) for r in client.get(url, params).context["page"]}

    village_a1 = ("orgs.organization", str(county.village_a1.pk))
    village_a2 = ("orgs.organization", str(county.village_a2.pk))
    assert shown({"type": "orgs.organization", "id": county.village_a1.pk}) == {village_a1}
    assert shown({"type": "members.member"}) == {("members.member", str(member.pk))}
    assert shown({"object": "王庄"}) == {village_a2}
    # A name matches from its start, as an index can search it.
    assert shown({"object": "庄村"}) == set()
    page = client.get(url, {"type": "orgs.organization"}).content.decode()
    assert f'href="?type=orgs.organization&amp;id={county.village_a1.pk}"' in page
    assert '<option value="orgs.organization" selected>党组织</option>' in page


@pytest.mark.parametrize(
    "filters",
    [
        {"actor": "town_a"},
        {"action": "update"},
        {"target_type": "orgs.organization", "target_id": "1"},
        {"date_from": datetime.date(2026, 3, 2), "date_to": datetime.date(2026, 3, 3)},
    ],
)
def test_each_filter_searches_an_index(auditor_user, filters):
    # The auditor's log is unscoped, so the filter alone decides how the table is read.
    # SQLite plans by the indexes alone; PostgreSQL by statistics, which a test table of a
    # few rows makes meaningless (it walks the time index and filters), so only SQLite here.
    if connection.vendor != "sqlite":
        pytest.skip("query plans on a near-empty PostgreSQL table follow its statistics")
    plan = audit_list(user=auditor_user, **filters).explain()
    assert "SEARCH core_auditlog USING" in plan, plan


def test_each_row_shows_whether_it_is_sealed(county, client_as, auditor_user, town_a_user):
    from zuzhi.core.audit_chain import audit_seal
    from zuzhi.core.models import AuditSeal

    org_update(actor=town_a_user, org=county.village_a1, data={"secretary_name": "甲书记"})
    url = reverse("audit:list")
    params = {"object": county.village_a1.name}
    client = client_as(auditor_user)
    waiting = '<td class="hide-mobile"><span class="muted">待封存</span></td>'
    assert client.get(url, params).content.decode().count(waiting) == 2
    audit_seal()
    row = AuditLog.objects.filter(target_repr=county.village_a1.name).latest("id")
    body = client.get(url, params).content.decode()
    assert f'<td class="hide-mobile">#{AuditSeal.objects.get(log=row).seq}</td>' in body
    assert waiting not in body
