import datetime

from django.urls import reverse

from zuzhi.core.scope import SYSTEM
from zuzhi.orgs.selectors import HealthFlag, org_health, org_health_counts
from zuzhi.orgs.services import org_update
from zuzhi.testing.factories import make_member, valid_id_number

TODAY = datetime.date(2026, 11, 23)


def add_members(org, count, status="full", start=0):
    for i in range(count):
        extra = {"status": status, "full_date": None} if status == "probationary" else {}
        make_member(
            org, name=f"党员{start + i}", id_number=valid_id_number("19800101", start + i), **extra
        )


def flags(user, **kwargs):
    """Flags by organization code, leaving out the meeting flag (tested with orglife)."""
    result = {}
    for org, found in org_health(user=user, today=TODAY, **kwargs):
        found = [f for f in found if f != HealthFlag.NO_RECENT_MEETING]
        if found:
            result[org.code] = found
    return result


def test_fewer_than_three_full_members(county, town_a_user):
    add_members(county.village_a1, 2)
    add_members(county.village_a1, 3, status="probationary", start=10)
    add_members(county.village_a2, 3, start=20)
    result = flags(town_a_user)
    assert HealthFlag.FEW_FULL_MEMBERS in result["VA1"]
    assert "VA2" not in result
    assert "TA" not in result  # a committee is not a branch
    all_flags = dict(org_health(user=town_a_user, today=TODAY))
    assert not any(org.code == "TA" for org in all_flags)


def test_more_than_fifty_members(county, town_a_user):
    add_members(county.village_a1, 51)
    add_members(county.village_a2, 50, start=100)
    result = flags(town_a_user)
    assert result["VA1"] == [HealthFlag.TOO_MANY_MEMBERS] and "VA2" not in result


def test_terms_expired_and_expiring_within_90_days(county, town_a_user, county_user):
    add_members(county.village_a1, 3)
    add_members(county.village_a2, 3, start=10)
    org_update(
        actor=SYSTEM,
        org=county.village_a1,
        data={
            "term_start": datetime.date(2021, 11, 22),
            "term_end": TODAY - datetime.timedelta(days=1),
        },
    )
    org_update(
        actor=SYSTEM,
        org=county.village_a2,
        data={
            "term_start": datetime.date(2022, 2, 20),
            "term_end": TODAY + datetime.timedelta(days=90),
        },
    )
    org_update(
        actor=SYSTEM,
        org=county.town_b,
        data={
            "term_start": datetime.date(2022, 2, 22),
            "term_end": TODAY + datetime.timedelta(days=91),
        },
    )
    result = flags(town_a_user)
    assert result["VA1"] == [HealthFlag.TERM_EXPIRED]
    assert result["VA2"] == [HealthFlag.TERM_EXPIRING]
    assert "TB" not in flags(county_user)
    assert set(flags(town_a_user, flag=HealthFlag.TERM_EXPIRED)) == {"VA1"}


def test_health_page_is_scoped(county, client_as, town_b_user, town_a_user):
    add_members(county.village_a1, 1)
    body = client_as(town_b_user).get(reverse("orgs:health")).content.decode()
    assert "李庄村" not in body
    body = client_as(town_a_user).get(reverse("orgs:health")).content.decode()
    assert "李庄村党支部" in body and "正式党员不足 3 人" in body


def test_flags_show_on_the_organization_page(county, client_as, town_a_user):
    add_members(county.village_a1, 1)
    body = (
        client_as(town_a_user)
        .get(reverse("orgs:detail", args=[county.village_a1.pk]))
        .content.decode()
    )
    assert "组织体检" in body and "正式党员不足 3 人" in body
    body = (
        client_as(town_a_user).get(reverse("orgs:detail", args=[county.town_a.pk])).content.decode()
    )
    assert "正式党员不足 3 人" not in body


def test_the_health_page_filters_and_counts_in_the_database(
    county, client_as, town_a_user, django_assert_max_num_queries
):
    add_members(county.village_a1, 1)
    add_members(county.village_a2, 4, start=10)
    counts = org_health_counts(user=town_a_user, today=TODAY)
    listed = dict(org_health(user=town_a_user, today=TODAY))
    for flag in HealthFlag.LABELS:
        assert counts[flag] == sum(1 for flags in listed.values() if flag in flags), flag
    few = org_health(user=town_a_user, today=TODAY, flag=HealthFlag.FEW_FULL_MEMBERS)
    assert few.count() == counts[HealthFlag.FEW_FULL_MEMBERS] >= 1
    codes = [org.code for org, _ in few]
    assert "VA1" in codes and "VA2" not in codes
    assert all(HealthFlag.FEW_FULL_MEMBERS in flags for _, flags in few)
    client = client_as(town_a_user)
    client.get(reverse("orgs:health"))
    # The count of each flag, the page's count and its rows: never a pass per organization.
    with django_assert_max_num_queries(14):
        body = client.get(reverse("orgs:health"), {"flag": "few_full_members"}).content.decode()
    assert "李庄村党支部" in body and "王庄村党支部" not in body
