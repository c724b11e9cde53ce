"""The catalogue's Excel import: a good sheet lands whole in the draft edition; a sheet with
one bad row writes nothing and names each bad cell in Chinese."""

from zuzhi.core.imports import import_job_confirm, import_job_create
from zuzhi.core.models import ImportJob
from zuzhi.talent_demands import services
from zuzhi.talent_demands.models import DemandEntry
from zuzhi.testing.xlsx import make_xlsx

HEADER = [
    "所属产业",
    "用人单位",
    "需求岗位",
    "需求人数",
    "学历要求",
    "专业要求",
    "薪酬待遇",
    "联系方式",
]


def upload(actor, edition, rows):
    return import_job_create(
        actor=actor,
        kind="talent_demands",
        filename="需求目录.xlsx",
        content=make_xlsx([HEADER, *rows]),
        params={"edition": edition.pk},
    )


def test_a_good_sheet_lands_whole(talent_world):
    office = talent_world.office
    edition = services.edition_create(actor=office, data={"year": 2026})
    rows = [
        ["氯碱化工", "示范县化工有限公司", f"工程师{n}", n, "硕士研究生", "化工", "面议", ""]
        for n in range(1, 21)
    ]
    job = upload(office, edition, rows)
    assert job.status == ImportJob.Status.READY, job.errors
    assert job.summary == {"created": 20}
    assert not DemandEntry.objects.exists()
    job = import_job_confirm(actor=office, job=job)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert edition.entries.count() == 20
    assert edition.entries.get(post="工程师3").degree == "master"


def test_one_bad_row_writes_nothing_and_is_named_in_chinese(talent_world):
    office = talent_world.office
    edition = services.edition_create(actor=office, data={"year": 2026})
    rows = [
        ["氯碱化工", "示范县化工有限公司", "工程师", 2, "硕士研究生", "", "", ""],
        ["新材料", "示范县新材料公司", "研究员", "很多", "研究生", "", "", ""],
        ["医药中间体", "", "合成员", 1, "", "", "", ""],
    ]
    job = upload(office, edition, rows)
    assert job.status == ImportJob.Status.INVALID
    found = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert found[(3, "需求人数")] == "需求人数应为 1 至 9999 的整数。"
    assert found[(3, "学历要求")].startswith("“研究生”不是可选值")
    assert (4, "用人单位") in found
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in found.values())
    assert not DemandEntry.objects.exists()


def test_a_published_edition_takes_no_import(talent_world):
    office = talent_world.office
    edition = services.edition_create(actor=office, data={"year": 2026})
    services.entry_create(
        actor=office,
        edition=edition,
        data={"industry": "新材料", "employer": "甲", "post": "乙", "number": 1},
    )
    services.edition_publish(actor=office, edition=edition)
    job = upload(office, edition, [["氯碱化工", "丙", "丁", 1, "", "", "", ""]])
    assert job.status == ImportJob.Status.INVALID
    assert "已发布，不能导入" in job.errors[0]["message"]
    assert edition.entries.count() == 1


def test_another_office_cannot_import_into_the_edition(talent_world):
    edition = services.edition_create(actor=talent_world.office, data={"year": 2026})
    job = upload(talent_world.other_office, edition, [["氯碱化工", "丙", "丁", 1, "", "", "", ""]])
    assert job.status == ImportJob.Status.INVALID
    assert not DemandEntry.objects.exists()


def test_a_personal_mobile_in_the_contact_column_writes_nothing(talent_world):
    office = talent_world.office
    edition = services.edition_create(actor=office, data={"year": 2026})
    rows = [
        ["氯碱化工", "示范县化工有限公司", "工程师", 2, "硕士研究生", "", "", "0377-62345678"],
        ["新材料", "示范县新材料公司", "研究员", 1, "硕士研究生", "", "", "王工 13912345678"],
    ]
    job = upload(office, edition, rows)
    assert job.status == ImportJob.Status.INVALID
    found = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert "不能填写个人手机号码" in found[(3, "联系方式")]
    assert not DemandEntry.objects.exists()
