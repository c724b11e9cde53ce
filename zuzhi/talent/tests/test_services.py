"""The registry's rules: one talent per ID number and county, derived fields, links to the
member and cadre registries, leaving, titles of the county only, and the office-only writes."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from zuzhi.core.models import AuditLog
from zuzhi.talent import selectors, services
from zuzhi.talent.models import CareKind, TalentStatus, TalentTitle
from zuzhi.testing.factories import UserFactory, make_member, make_talent, valid_id_number

# A fixed day: on the clock's 1 January "this year's" visits would be in the future.
TODAY = datetime.date(2026, 11, 23)


def data(**overrides):
    return {
        "name": "  李 想 ",
        "id_number": valid_id_number(birth="19850212", sequence=25),
        "phone": "138-1234-5678",
        "degree": "doctor",
        "employer": "示范县新材料公司",
        **overrides,
    }


def test_register_derives_and_links_the_member(talent_world):
    w = talent_world
    member = make_member(
        w.county.village_a1, id_number=valid_id_number(birth="19850212", sequence=25)
    )
    talent = services.talent_create(actor=w.office, county=w.county.county, data=data())
    assert (talent.name, talent.phone, talent.gender) == ("李想", "13812345678", "1")
    assert talent.birth_date == datetime.date(1985, 2, 12)
    assert talent.name_initials.split()[0] == "lx"
    assert talent.member_id == member.pk
    assert AuditLog.objects.filter(target_type="talent.talent", target_id=str(talent.pk)).exists()


def test_one_talent_per_id_number_and_county(talent_world):
    w = talent_world
    with pytest.raises(ValidationError) as refused:
        services.talent_create(
            actor=w.office, county=w.county.county, data=data(id_number=w.talent.id_number)
        )
    assert "已有该公民身份号码" in str(refused.value)
    # The other county may hold the same person.
    services.talent_create(
        actor=w.other_office, county=w.other_county, data=data(id_number=w.talent.id_number)
    )


def test_every_bad_field_is_named(talent_world):
    w = talent_world
    with pytest.raises(ValidationError) as refused:
        services.talent_create(
            actor=w.office,
            county=w.county.county,
            data=data(name="", id_number="411330199502120000", phone="12", degree="phd"),
        )
    assert set(refused.value.message_dict) == {"name", "id_number", "phone", "degree"}


def test_a_title_of_another_county_is_refused(talent_world):
    w = talent_world
    theirs = TalentTitle.objects.create(county=w.other_county, name="邻县英才", level="county")
    with pytest.raises(ValidationError) as refused:
        services.talent_update(actor=w.office, talent=w.talent, data={"title": theirs})
    assert "title" in refused.value.message_dict


def test_only_the_office_of_the_county_writes(talent_world):
    w = talent_world
    for outsider in (w.other_office, w.county_staff, w.township, w.talent_user):
        with pytest.raises(Http404):
            services.talent_update(actor=outsider, talent=w.talent, data={"employer": "x"})
        with pytest.raises(Http404):
            services.talent_create(actor=outsider, county=w.county.county, data=data())


def test_leaving_and_returning(talent_world):
    w = talent_world
    with pytest.raises(ValidationError):
        services.talent_leave(
            actor=w.office, talent=w.talent, left_on=w.talent.arrived_on - datetime.timedelta(1)
        )
    left = services.talent_leave(
        actor=w.office, talent=w.talent, left_on=datetime.date(2026, 3, 15)
    )
    assert (left.status, left.left_on) == (TalentStatus.LEFT, datetime.date(2026, 3, 15))
    back = services.talent_return(actor=w.office, talent=left)
    assert (back.status, back.left_on) == (TalentStatus.IN_COUNTY, None)


def test_the_yearly_visit_check(talent_world):
    w = talent_world
    services.titles_load_defaults(actor=w.office, county=w.county.county)
    star = TalentTitle.objects.get(county=w.county.county, name="拔尖人才")
    young = TalentTitle.objects.get(county=w.county.county, name="青年人才")
    a = make_talent(w.county.county, name="甲", title=star)
    b = make_talent(w.county.county, name="乙", title=star)
    make_talent(w.county.county, name="丙", title=young)  # not high-level: not listed
    make_talent(w.county.county, name="丁", title=star, status=TalentStatus.LEFT)
    this_year = TODAY.year
    services.care_event_save(
        actor=w.office,
        county=w.county.county,
        data={"kind": CareKind.VISIT, "title": "走访", "held_on": datetime.date(this_year, 1, 2)},
        talents=[a],
        today=TODAY,
    )
    # A health check is no visit; last year's visit does not count for this year.
    services.care_event_save(
        actor=w.office,
        county=w.county.county,
        data={
            "kind": CareKind.HEALTH_CHECK,
            "title": "体检",
            "held_on": datetime.date(this_year, 1, 3),
        },
        talents=[b],
        today=TODAY,
    )
    services.care_event_save(
        actor=w.office,
        county=w.county.county,
        data={
            "kind": CareKind.VISIT,
            "title": "去年走访",
            "held_on": datetime.date(this_year - 1, 12, 31),
        },
        talents=[b],
        today=TODAY,
    )
    assert list(selectors.not_visited(user=w.office, year=this_year)) == [b]
    assert list(selectors.not_visited(user=w.office, year=this_year - 1)) == [a]


def test_care_participants_are_the_countys_talents(talent_world):
    w = talent_world
    with pytest.raises(ValidationError) as refused:
        services.care_event_save(
            actor=w.office,
            county=w.county.county,
            data={"kind": CareKind.VISIT, "title": "走访", "held_on": datetime.date(2026, 1, 2)},
            talents=[w.talent, w.other_talent],
        )
    assert "吴远" in str(refused.value)


def test_platform_people(talent_world):
    w = talent_world
    platform = services.platform_save(
        actor=w.office,
        county=w.county.county,
        data={"name": "院士工作站", "kind": "academician", "host": "示范县化工有限公司"},
    )
    services.platform_person_add(actor=w.office, platform=platform, role="lead", talent=w.talent)
    services.platform_person_add(
        actor=w.office, platform=platform, role="adviser", name="张院士", affiliation="郑州大学"
    )
    with pytest.raises(ValidationError):
        services.platform_person_add(
            actor=w.office, platform=platform, role="member", talent=w.talent
        )
    with pytest.raises(ValidationError):
        services.platform_person_add(
            actor=w.office, platform=platform, role="member", talent=w.other_talent
        )
    assert [str(p) for p in selectors.platform_people(platform=platform)] == ["张院士", "周青"]


def test_titles_are_the_countys_own_and_named_once(talent_world):
    w = talent_world
    added = services.titles_load_defaults(actor=w.office, county=w.county.county)
    assert "拔尖人才" in [t.name for t in added]
    assert services.titles_load_defaults(actor=w.office, county=w.county.county) == []
    with pytest.raises(ValidationError) as refused:
        services.title_save(
            actor=w.office, county=w.county.county, data={"name": " 拔尖人才 ", "level": "county"}
        )
    assert "同名" in str(refused.value)
    # The other county starts from nothing and may use the same names.
    services.titles_load_defaults(actor=w.other_office, county=w.other_county)
    with pytest.raises(Http404):
        services.title_save(
            actor=w.other_office, county=w.county.county, data={"name": "x", "level": "county"}
        )


def test_a_talents_own_account_is_linked_by_its_username(talent_world):
    w = talent_world
    with pytest.raises(ValidationError, match="没有名为“nobody”的账号"):
        services.talent_account_link(actor=w.office, talent=w.talent, username="nobody")
    UserFactory(username="gone", is_active=False)
    with pytest.raises(ValidationError, match="没有名为“gone”的账号"):
        services.talent_account_link(actor=w.office, talent=w.talent, username="gone")
    account = UserFactory(username="qianduo")
    services.talent_account_link(actor=w.office, talent=w.talent, username=" qianduo ")
    w.talent.refresh_from_db()
    assert w.talent.user == account


def test_a_title_is_chosen_only_among_the_users_own(talent_world):
    w = talent_world
    services.titles_load_defaults(actor=w.office, county=w.county.county)
    services.titles_load_defaults(actor=w.other_office, county=w.other_county)
    mine = TalentTitle.objects.get(county=w.county.county, name="拔尖人才")
    theirs = TalentTitle.objects.get(county=w.other_county, name="拔尖人才")
    assert selectors.title_choice(user=w.office, pk=mine.pk) == mine
    assert selectors.title_choice(user=w.office, pk=None) is None
    with pytest.raises(ValidationError, match="人才称号不存在"):
        selectors.title_choice(user=w.office, pk=theirs.pk)
