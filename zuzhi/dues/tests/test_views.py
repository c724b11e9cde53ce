from django.urls import reverse

from zuzhi.dues.models import DuesBasis, DuesPayment
from zuzhi.testing.factories import make_member


def test_ledger_pages_set_basis_and_record_payment(county, client_as, town_a_user, town_b_user):
    member = make_member(county.village_a1)
    url = reverse("dues:ledger", args=[member.pk]) + "?year=2026"
    client = client_as(town_a_user)
    client.post(url, {"action": "basis", "b-kind": "wage", "b-income": "3000.01"})
    assert DuesBasis.objects.get().monthly_fen == 3000
    body = client.post(
        url,
        {"action": "payment", "p-month": "2026-10", "p-amount": "15", "p-paid_on": "2026-10-20"},
    ).content.decode()
    assert "应交 30.00 元" in body and not DuesPayment.objects.exists()
    client.post(
        url,
        {"action": "payment", "p-month": "2026-10", "p-amount": "30.00", "p-paid_on": "2026-10-20"},
    )
    assert DuesPayment.objects.get().amount_fen == 3000
    other = client_as(town_b_user)
    assert other.get(url).status_code == 404
    assert other.post(url, {"action": "basis", "b-kind": "student"}).status_code == 404
    assert member.name not in other.get(reverse("dues:arrears")).content.decode()


def test_points_pages_are_scoped(county, client_as, town_a_user, town_b_user):
    member = make_member(county.village_a1, name="王积分")
    assert (
        "王积分"
        in client_as(town_a_user).get(reverse("points:list"), {"year": 2026}).content.decode()
    )
    other = client_as(town_b_user)
    assert "王积分" not in other.get(reverse("points:list"), {"year": 2026}).content.decode()
    assert other.get(reverse("points:entry", args=[member.pk])).status_code == 404


def test_a_long_arrears_export_is_written_by_the_worker_with_the_same_rows(
    county, client_as, town_a_user, settings, tmp_path, django_capture_on_commit_callbacks
):
    import io

    from python_calamine import CalamineWorkbook

    from zuzhi.core.models import ExportJob
    from zuzhi.dues.services import dues_basis_set
    from zuzhi.testing.factories import valid_id_number

    settings.ZUZHI_EXPORT_DIR = tmp_path
    for i in range(4):
        member = make_member(
            county.village_a1, name=f"欠缴{i}", id_number=valid_id_number(sequence=i)
        )
        dues_basis_set(actor=town_a_user, member=member, year=2026, kind="farmer", farmer_fen=50)
    client = client_as(town_a_user)

    def sheet(content):
        return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()

    url = reverse("dues:arrears") + "?export=xlsx"
    at_once = sheet(client.get(url).content)
    assert [r[0] for r in at_once] == ["姓名", "欠缴0", "欠缴1", "欠缴2", "欠缴3"]
    settings.ZUZHI_EXPORT_INLINE_MAX = 3
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url)
    job = ExportJob.objects.get()
    assert response["Location"] == f"/exports/{job.pk}/" and job.status == ExportJob.Status.DONE
    download = client.get(f"/exports/{job.pk}/file/")
    assert sheet(b"".join(download.streaming_content)) == at_once
