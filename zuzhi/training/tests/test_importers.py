"""The online platform's export, imported: a good file lands whole, a bad one writes nothing
and names each bad row and column."""

from decimal import Decimal as D

from zuzhi.core import crypto
from zuzhi.core.imports import import_job_confirm, import_job_create
from zuzhi.core.models import AuditLog, ImportJob
from zuzhi.testing.xlsx import make_xlsx
from zuzhi.training.models import Course, TrainingRecord

from .conftest import id_number

# As the platform writes them: the template's headers are matched through their synonyms.
HEADER = ["姓名", "身份证号", "课程名称", "课程时长(分钟)", "完成时间", "考试结果"]


def upload(actor, rows, group="cadres"):
    return import_job_create(
        actor=actor,
        kind="training",
        filename="平台导出.xlsx",
        content=make_xlsx([["2026年学习记录"], HEADER, *rows]),
        params={"group": group},
    )


def good_rows():
    return [
        ["李明", id_number(11), "党章学习", 45, "2026-03-01", "通过"],
        ["李明", id_number(11), "廉政微课", 14, "2026-03-02", ""],
        ["王芳", id_number(12), "党章学习", 45, "2026-04-01", "未通过"],
        ["王芳", id_number(12), "乡村振兴", 15, "2026-04-02", ""],
    ]


def test_a_good_file_lands_whole(world):
    job = upload(world.cadre_staff, good_rows())
    assert job.status == ImportJob.Status.READY, job.errors
    assert job.summary == {"created": 4}
    assert not TrainingRecord.objects.exists()  # the preview wrote nothing
    job = import_job_confirm(actor=world.cadre_staff, job=job)
    assert job.status == ImportJob.Status.DONE
    hours = {
        (r.cadre.name, r.course.title): r.hours
        for r in TrainingRecord.objects.select_related("cadre", "course")
    }
    assert hours == {
        ("李明", "党章学习"): D("1.5"),
        ("李明", "廉政微课"): D("0.25"),
        ("王芳", "党章学习"): D("1"),
        ("王芳", "乡村振兴"): D("0.5"),
    }
    assert set(TrainingRecord.objects.values_list("source", flat=True)) == {"imported"}
    assert Course.objects.get(title="党章学习").has_test
    assert not Course.objects.get(title="乡村振兴").has_test
    assert AuditLog.objects.filter(target_type="training.trainingrecord").count() == 4


def test_a_reimport_changes_nothing(world):
    import_job_confirm(actor=world.cadre_staff, job=upload(world.cadre_staff, good_rows()))
    job = upload(world.cadre_staff, good_rows())
    assert job.summary == {"unchanged": 4}
    assert TrainingRecord.objects.count() == 4


def test_a_file_with_bad_rows_writes_nothing_and_names_each(world):
    rows = good_rows() + [
        ["路人", id_number(99), "党章学习", 45, "2026-03-01", "通过"],  # unknown ID
        ["张冠", id_number(12), "党史", 30, "2026-03-01", ""],  # name differs
        ["李明", id_number(11), "党史", "半小时", "2026-03-01", ""],  # bad minutes
        ["李明", id_number(11), "党章学习", 50, "2026-05-01", ""],  # length differs
        ["王芳", id_number(12), "党风", 30, "2026-13-01", "优秀"],  # bad date and result
        ["王芳", id_number(12), "乡村振兴", 15, "2026-04-03", ""],  # twice in the file
    ]
    job = upload(world.cadre_staff, rows)
    assert job.status == ImportJob.Status.INVALID
    cells = {(e["row"], e["column"]) for e in job.errors}
    assert cells == {
        (7, "公民身份号码"),
        (8, "姓名"),
        (9, "学习时长（分钟）"),
        (10, "学习时长（分钟）"),
        (11, "完成日期"),
        (11, "考试结果"),
        (12, "课程名称"),
    }
    assert all(e["message"] for e in job.errors)
    messages = {e["row"]: e["message"] for e in job.errors}
    assert "未登记为干部" in messages[7] and "重复出现" in messages[12]
    assert {e["who"] for e in job.errors if e["row"] == 12} == {"王芳"}
    assert not TrainingRecord.objects.exists()
    assert not Course.objects.filter(title__in=["党章学习", "党史"]).exists()


def test_cadre_staff_cannot_import_members_nor_county_staff_cadres(world, county_user):
    job = upload(county_user, good_rows())
    assert {e["column"] for e in job.errors} == {"公民身份号码"}
    members = [["张一", id_number(21), "党章学习", 45, "2026-03-01", ""]]
    assert upload(world.cadre_staff, members, group="members").status == ImportJob.Status.INVALID
    job = upload(county_user, members, group="members")
    assert job.summary == {"created": 1}


def test_the_import_is_offered_to_cadre_and_organization_staff(world, county_user, branch_a1_user):
    from zuzhi.core.access import may_import

    assert may_import(world.cadre_staff, "training")
    assert may_import(county_user, "training")
    assert not may_import(branch_a1_user, "training")
    assert not may_import(world.cadre_user, "training")
    assert not may_import(world.cadre_staff, "members")


def test_persons_are_matched_by_blind_index_without_decrypting(world, county_user):
    """ID numbers are encrypted (issue 19): the file's numbers meet the cadres' and members'
    blind indexes, and no person's number is decrypted."""
    count = crypto.decryptions()
    job = upload(world.cadre_staff, good_rows())
    assert job.summary == {"created": 4}, job.errors
    members = [["张一", id_number(21), "党章学习", 45, "2026-03-01", ""]]
    job = upload(county_user, members, group="members")
    assert job.summary == {"created": 1}, job.errors
    assert crypto.decryptions() == count
