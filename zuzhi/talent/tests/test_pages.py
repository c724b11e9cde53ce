"""The registry's pages and API: the office's county only; everyone else the logged 404; the
talent's own record; the list masked, filtered and exported with an audit row; the import."""

import pytest

from zuzhi.core.imports import import_job_confirm, import_job_create
from zuzhi.core.models import AuditAction, AuditLog, ImportJob
from zuzhi.talent.models import Talent, TalentTitle
from zuzhi.testing.factories import make_talent, valid_id_number
from zuzhi.testing.xlsx import make_xlsx


def test_the_office_lists_filters_and_exports(talent_world, client_as):
    w = talent_world
    make_talent(w.county.county, name="王博", degree="doctor", industry="新材料")
    client = client_as(w.office)
    page = client.get("/talent/").content.decode()
    assert "周青" in page and "王博" in page and "吴远" not in page
    filtered = client.get("/talent/?degree=doctor").content.decode()
    assert "王博" in filtered and "周青" not in filtered
    assert "王博" in client.get("/talent/?q=wb").content.decode()
    exported = client.get("/talent/export/?degree=doctor")
    assert exported.status_code == 200
    assert AuditLog.objects.filter(action=AuditAction.EXPORT, target_type="talent.talent").exists()


@pytest.mark.parametrize("who", ["other_office", "county_staff", "township", "talent_user"])
def test_others_get_the_logged_404(talent_world, client_as, who):
    w = talent_world
    client = client_as(getattr(w, who))
    denials = AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
    assert client.get(f"/talent/{w.talent.pk}/").status_code == 404
    if who != "other_office":
        assert client.get("/talent/").status_code == 404
    assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count() > denials


def test_a_talent_sees_their_own_record_only(talent_world, client_as, api_as):
    w = talent_world
    page = client_as(w.talent_user).get("/talent/me/").content.decode()
    assert "周青" in page and "吴远" not in page
    assert api_as(w.talent_user).get("/api/talents/me").json()["name"] == "周青"
    assert client_as(w.office).get("/talent/me/").status_code == 404


def test_the_api(talent_world, api_as):
    w = talent_world
    api = api_as(w.office)
    created = api.post(
        "/api/talents",
        {
            "name": "陈新",
            "id_number": valid_id_number(birth="19990101", sequence=77),
            "degree": "master",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    patched = api.patch(
        f"/api/talents/{pk}", {"employer": "示范县医药公司"}, content_type="application/json"
    )
    assert patched.json()["employer"] == "示范县医药公司"
    bad = api.post("/api/talents", {"name": "x", "id_number": "1"}, content_type="application/json")
    assert bad.status_code == 400
    assert api.get("/api/talents?q=cx").json()["count"] == 1
    assert api_as(w.county_staff).get("/api/talents").status_code == 404
    assert api_as(w.other_office).get(f"/api/talents/{pk}").status_code == 404


HEADER = [
    "序号",
    "姓名",
    "公民身份号码",
    "联系电话",
    "最高学历学位",
    "工作单位",
    "人才称号",
    "来县工作时间",
]


def test_the_import_lands_whole_or_names_every_bad_cell(talent_world):
    w = talent_world
    good = [
        [
            1,
            "赵一",
            valid_id_number(birth="19960101", sequence=1),
            "13900000001",
            "硕士研究生",
            "甲公司",
            "",
            "2025-07-01",
        ],
        [2, "周青", w.talent.id_number, "", "", "新单位", "", ""],
    ]
    job = import_job_create(
        actor=w.office, kind="talents", filename="人才.xlsx", content=make_xlsx([HEADER, *good])
    )
    assert job.status == ImportJob.Status.READY, job.errors
    job = import_job_confirm(actor=w.office, job=job)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert Talent.objects.get(name="赵一").degree == "master"
    w.talent.refresh_from_db()
    assert (w.talent.employer, w.talent.degree) == ("新单位", "master")  # empty cells keep values
    bad = [
        [1, "钱二", valid_id_number(birth="19960101", sequence=2), "", "博士后", "", "", ""],
        [2, "孙三", "411330199601010000", "", "", "", "不存在的称号", ""],
    ]
    job = import_job_create(
        actor=w.office, kind="talents", filename="人才.xlsx", content=make_xlsx([HEADER, *bad])
    )
    columns = {(e["row"], e["column"]) for e in job.errors}
    assert {(2, "最高学历学位"), (3, "公民身份号码"), (3, "人才称号")} <= columns, job.errors
    assert not Talent.objects.filter(name__in=["钱二", "孙三"]).exists()


def test_the_offices_home_reminds_of_unvisited_high_level_talents(talent_world, client_as):
    from zuzhi.talent.services import titles_load_defaults

    w = talent_world
    titles_load_defaults(actor=w.office, county=w.county.county)
    star = TalentTitle.objects.get(county=w.county.county, name="拔尖人才")
    make_talent(w.county.county, name="甲", title=star)
    page = client_as(w.office).get("/").content.decode()
    assert "本年度尚未走访的高层次人才" in page
    assert "本年度尚未走访的高层次人才" not in client_as(w.county_staff).get("/").content.decode()


def test_the_office_records_a_visit_and_a_platform_from_the_pages(talent_world, client_as):
    from zuzhi.talent.models import CareEvent, Platform

    w = talent_world
    client = client_as(w.office)
    form = client.get(f"/talent/care/new/?talent={w.talent.pk}&kind=visit")
    assert form.status_code == 200 and "周青" in form.content.decode()
    answer = client.post(
        "/talent/care/new/",
        {"kind": "visit", "title": "走访周青", "held_on": "2026-03-02", "talents": [w.talent.pk]},
    )
    event = CareEvent.objects.get(title="走访周青")
    assert answer.status_code == 302 and list(event.talents.all()) == [w.talent]
    # Another county's talent cannot be picked.
    refused = client.post(
        "/talent/care/new/",
        {"kind": "visit", "title": "越界", "held_on": "2026-03-02", "talents": [w.other_talent.pk]},
    )
    assert refused.status_code == 200 and not CareEvent.objects.filter(title="越界").exists()
    client.post(
        "/talent/platforms/new/", {"name": "专家工作站", "kind": "expert", "host": "甲公司"}
    )
    platform = Platform.objects.get(name="专家工作站")
    client.post(f"/talent/platforms/{platform.pk}/", {"role": "lead", "talent": w.talent.pk})
    assert "周青" in client.get(f"/talent/platforms/{platform.pk}/").content.decode()


def test_the_office_links_a_talents_own_account(talent_world, client_as):
    from zuzhi.testing.factories import UserFactory

    w = talent_world
    talent = make_talent(w.county.county, name="钱多")
    account = UserFactory(username="qianduo")
    client = client_as(w.office)
    client.post(f"/talent/{talent.pk}/account/", {"username": "nobody"})
    talent.refresh_from_db()
    assert talent.user is None
    client.post(f"/talent/{talent.pk}/account/", {"username": "qianduo"})
    talent.refresh_from_db()
    assert talent.user == account
    # An account already someone else's is refused.
    client.post(f"/talent/{talent.pk}/account/", {"username": w.talent_user.username})
    talent.refresh_from_db()
    assert talent.user == account


def test_the_import_page_is_the_offices(talent_world, client_as):
    w = talent_world
    assert client_as(w.office).get("/imports/talents/").status_code == 200
    assert client_as(w.county_staff).get("/imports/talents/").status_code == 404


def test_editing_keeps_a_switched_off_title_and_a_participant_who_left(talent_world, client_as):
    import datetime

    from zuzhi.talent import services

    w = talent_world
    services.titles_load_defaults(actor=w.office, county=w.county.county)
    star = TalentTitle.objects.get(county=w.county.county, name="拔尖人才")
    holder = make_talent(w.county.county, name="持有者", title=star)
    services.title_save(actor=w.office, county=w.county.county, title=star, data={"active": False})
    client = client_as(w.office)
    form = client.get(f"/talent/{holder.pk}/edit/").content.decode()
    assert "拔尖人才" in form
    event = services.care_event_save(
        actor=w.office,
        county=w.county.county,
        data={"kind": "visit", "title": "走访", "held_on": datetime.date(2026, 3, 2)},
        talents=[w.talent, holder],
    )
    services.talent_leave(actor=w.office, talent=holder, left_on=datetime.date(2026, 6, 1))
    page = client.get(f"/talent/care/{event.pk}/edit/").content.decode()
    assert "持有者" in page
    client.post(
        f"/talent/care/{event.pk}/edit/",
        {
            "kind": "visit",
            "title": "走访",
            "held_on": "2026-03-02",
            "place": "新地点",
            "talents": [w.talent.pk, holder.pk],
        },
    )
    event.refresh_from_db()
    assert event.place == "新地点" and set(event.talents.all()) == {w.talent, holder}


def test_an_impossible_year_is_this_year(talent_world, client_as):
    client = client_as(talent_world.office)
    assert client.get("/talent/care/?year=10000").status_code == 200
    assert client.get("/talent/care/visits/?year=0").status_code == 200
