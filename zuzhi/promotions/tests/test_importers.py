"""A unit's grades from Excel: through the same service, the 优秀 cap checked in the preview."""

from zuzhi.cadres.models import AnnualAssessment
from zuzhi.core.imports import import_job_confirm, import_job_create
from zuzhi.core.models import ImportJob
from zuzhi.promotions import services
from zuzhi.testing.xlsx import make_xlsx

HEADER = ["姓名", "身份证号", "考核结果"]


def upload(actor, round_, rows):
    return import_job_create(
        actor=actor,
        kind="assessments",
        filename="2025年度考核.xlsx",
        content=make_xlsx([HEADER, *rows]),
        params={"round": round_.pk},
    )


def test_grades_land_within_the_cap(world, cadre):
    people = [cadre(f"干部{i}") for i in range(5)]
    round_ = services.assessment_round_open(actor=world.staff, organization=world.unit, year=2025)
    rows = [[p.name, p.id_number, "优秀" if i == 0 else "称职"] for i, p in enumerate(people)]
    job = upload(world.staff, round_, rows)
    assert job.status == ImportJob.Status.READY, job.errors
    assert job.summary == {"created": 5}
    assert not AnnualAssessment.objects.exists()
    import_job_confirm(actor=world.staff, job=job)
    assert AnnualAssessment.objects.filter(year=2025).count() == 5


def test_one_excellent_too_many_refuses_the_file(world, cadre):
    people = [cadre(f"干部{i}") for i in range(5)]
    round_ = services.assessment_round_open(actor=world.staff, organization=world.unit, year=2025)
    stranger = cadre("外单位", org=world.county.town_a)
    rows = [[p.name, p.id_number, "优秀" if i < 2 else "称职"] for i, p in enumerate(people)]
    job = upload(world.staff, round_, rows)
    assert job.status != ImportJob.Status.READY
    assert any("优秀最多 1 名" in e["message"] for e in job.errors)
    job = upload(world.staff, round_, [[stranger.name, stranger.id_number, "良好"]])
    messages = " ".join(e["message"] for e in job.errors)
    assert "不是考核等次" in messages and "不是县教育局党组织的在职干部" in messages
    assert not AnnualAssessment.objects.exists()
