"""The Excel export of the members in arrears (党费欠缴), at once or by the export job."""

from zuzhi.core.export_jobs import Export

from . import selectors


def arrears_export(*, actor, params, where: str) -> Export:
    """Members who paid nothing for six months, by organization and name."""
    qs = selectors.dues_arrears(user=actor).values_list("name", "organization__name")
    return Export(
        headers=["姓名", "党组织"],
        rows=(list(row) for row in qs.iterator(chunk_size=2000)),
        count=qs.count,
        filename="党费欠缴",
        target_type="dues.duespayment",
    )
