"""A review (述职评议) becomes an entry of the cadre's performance archive (实绩档案).

`services.review_record` calls `review_recorded` once per review, inside its transaction and
after the review and its audit row are written: the entry is written in the same
transaction, so a review without its entry (or the other way round) cannot be kept."""

from zuzhi.archive.models import EntryKind, EntrySource
from zuzhi.archive.services import entry_record


def review_recorded(*, actor, review) -> None:
    """Record the review in the archive: a key task (驻村), the grade and comments as text,
    the review as its source; raising rolls the review back."""
    report = review.report
    assignment = report.assignment
    text = (
        f"驻村（{assignment.village.name}，{assignment.get_role_display()}）"
        f"{report.month:%Y年%m月}述职评议：{review.grade.name}"
    )
    if review.comments:
        text += f"。{review.comments}"
    entry_record(
        actor=actor,
        cadre=assignment.cadre,
        date=review.date,
        kind=EntryKind.KEY_TASK,
        category="驻村工作",
        text=text,
        source=EntrySource.VILLAGE_REVIEW,
        source_type="village_work.review",
        source_id=str(review.pk),
    )
