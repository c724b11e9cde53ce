import gc

from zuzhi.core.audit import snapshot
from zuzhi.core.imports import import_job_confirm, import_job_create
from zuzhi.core.models import AuditAction, AuditLog, ImportJob
from zuzhi.core.text import pinyin_initials
from zuzhi.members.importers import COLUMNS
from zuzhi.members.models import Member
from zuzhi.testing.factories import make_member, valid_id_number
from zuzhi.testing.xlsx import make_xlsx

HEADERS = [c.header for c in COLUMNS]


def member_row(i, **extra):
    values = {
        "姓名": f"党员{i}",
        "公民身份号码": valid_id_number("19700101", i % 1000, division=f"4113{30 + i // 1000:02d}"),
        "民族": "汉族",
        "学历": "高中",
        "入党日期": "1995-07-01",
        "转正日期": "1996-07-01",
        "党员状态": "正式党员",
        "所在党组织代码": "VA1" if i % 2 else "VA2",
        "人员类别": "农牧渔民",
        "联系电话": f"139{i:08d}",
    }
    values.update(extra)
    return [values.get(h) for h in HEADERS]


def upload(actor, rows):
    return import_job_create(
        actor=actor, kind="members", filename="党员.xlsx", content=make_xlsx([HEADERS, *rows])
    )


def test_township_sheet_with_the_four_kinds_of_bad_rows(county, town_a_user):
    rows = [member_row(i) for i in range(800)]

    def wrong_check_digit(i):
        number = rows[i][1]
        return {"公民身份号码": number[:-1] + ("0" if number[-1] != "0" else "1")}

    bad = {}
    for i in (10, 11, 12):
        bad[i] = ("公民身份号码", wrong_check_digit(i))
    for i in (200, 201, 202):
        bad[i] = ("出生日期", {"出生日期": "1971-02-03"})
    for i in (420, 421, 422):
        bad[i] = ("民族", {"民族": "火星族"})
    for i in (777, 778, 779):
        bad[i] = ("所在党组织代码", {"所在党组织代码": "VB1"})
    assert len(bad) == 12
    for index, (_, change) in bad.items():
        rows[index] = member_row(index, **change)
    before = AuditLog.objects.count()
    job = upload(town_a_user, rows)
    assert job.status == ImportJob.Status.INVALID
    assert [(e["row"], e["column"]) for e in job.errors] == [
        (i + 2, column) for i, (column, _) in sorted(bad.items())
    ]
    assert Member.objects.count() == 0 and AuditLog.objects.count() == before

    for index in bad:
        rows[index] = member_row(index)
    job = upload(town_a_user, rows)
    assert job.status == ImportJob.Status.READY, job.errors[:3]
    job = import_job_confirm(actor=town_a_user, job=job)
    assert job.status == ImportJob.Status.DONE and Member.objects.count() == 800
    again = import_job_confirm(actor=town_a_user, job=upload(town_a_user, rows))
    assert again.summary == {"unchanged": 800} and Member.objects.count() == 800


def test_moving_a_member_by_import_is_refused(county, town_a_user):
    import_job_confirm(actor=town_a_user, job=upload(town_a_user, [member_row(1)]))
    job = upload(town_a_user, [member_row(1, 所在党组织代码="VA2")])
    assert job.errors[0]["column"] == "所在党组织代码" and "转接" in job.errors[0]["message"]


def test_codes_or_names_and_lower_case_x(county, town_a_user):
    number = valid_id_number("19700101", 5)
    while not number.endswith("X"):
        number = valid_id_number("19700101", int(number[14:17]) + 1)
    job = upload(
        town_a_user,
        [
            member_row(
                1,
                公民身份号码=number.lower(),
                民族="03",
                学历="21",
                性别="男" if int(number[16]) % 2 else "女",
            )
        ],
    )
    assert job.status == ImportJob.Status.READY, job.errors
    import_job_confirm(actor=town_a_user, job=job)
    member = Member.objects.get()
    assert member.id_number == number and member.ethnicity == "03" and member.education == "21"


def test_education_by_gb4658_code(county, town_a_user):
    job = upload(
        town_a_user,
        [member_row(1, 学历="20"), member_row(2, 学历="大专"), member_row(3, 学历="1A")],
    )
    assert job.status == ImportJob.Status.READY, job.errors
    import_job_confirm(actor=town_a_user, job=job)
    assert sorted(Member.objects.values_list("education", flat=True)) == ["1A", "2", "31"]


def test_a_large_import_is_checked_and_written_in_batches_by_the_worker(
    county, town_a_user, settings, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("zuzhi.members.importers.BATCH", 4)
    settings.ZUZHI_IMPORT_BACKGROUND_ROWS = 5
    job = upload(town_a_user, [member_row(i) for i in range(10)])
    assert job.status == ImportJob.Status.READY and job.summary == {"created": 10}
    assert not Member.objects.exists()  # the preview writes nothing
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_confirm(actor=town_a_user, job=job)
        assert job.status == ImportJob.Status.QUEUED
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.summary == {"created": 10}
    assert Member.objects.count() == 10
    assert gc.get_freeze_count() == 0  # the import froze old objects only while it ran
    # One audit row per member, holding what snapshot() holds for a member created by hand.
    logged = {
        int(r.target_id): r
        for r in AuditLog.objects.filter(action=AuditAction.CREATE, target_type="members.member")
    }
    for member in Member.objects.select_related("organization"):
        row = logged.pop(member.pk)
        assert row.after == snapshot(member) and row.target_repr == member.name
        assert row.org_path == member.organization.path and row.actor == town_a_user
        assert member.name_initials == pinyin_initials(member.name)
    assert not logged
    assert AuditLog.objects.filter(action=AuditAction.IMPORT).count() == 1


def test_a_number_repeated_in_a_later_batch_is_refused(county, town_a_user, monkeypatch):
    monkeypatch.setattr("zuzhi.members.importers.BATCH", 3)
    rows = [member_row(i) for i in range(8)]
    rows[6] = member_row(6, 公民身份号码=rows[1][1])
    job = upload(town_a_user, rows)
    assert [(e["row"], e["column"]) for e in job.errors] == [(8, "公民身份号码")]
    assert "重复" in job.errors[0]["message"]


def test_the_confirm_checks_again_and_writes_nothing_when_data_changed(
    county, town_a_user, monkeypatch
):
    # Between preview and confirm, a row's number is registered out of the uploader's scope;
    # earlier batches had been written already and are rolled back with the rest.
    monkeypatch.setattr("zuzhi.members.importers.BATCH", 3)
    rows = [member_row(i) for i in range(8)]
    job = upload(town_a_user, rows)
    assert job.status == ImportJob.Status.READY
    make_member(county.village_b1, id_number=rows[7][1])
    before = AuditLog.objects.count()
    job = import_job_confirm(actor=town_a_user, job=job)
    assert job.status == ImportJob.Status.FAILED
    assert [(e["row"], e["column"]) for e in job.errors] == [(9, "公民身份号码")]
    assert Member.objects.count() == 1 and AuditLog.objects.count() == before


def test_the_confirm_checks_scope_again(county, town_a_user):
    job = upload(town_a_user, [member_row(i) for i in range(3)])
    assert job.status == ImportJob.Status.READY
    town_a_user.role_assignments.all().delete()
    job = import_job_confirm(actor=town_a_user, job=job)
    assert job.status == ImportJob.Status.FAILED
    assert {e["column"] for e in job.errors} == {"所在党组织代码"}
    assert not Member.objects.exists()
