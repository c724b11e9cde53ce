import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from zuzhi.archive import offers, selectors, services
from zuzhi.archive.models import ArchiveEntry, SupervisionStatus, WatchEntry
from zuzhi.cadres.models import NominationStatus
from zuzhi.cadres.nomination_services import self_nomination_decide, self_nomination_submit
from zuzhi.core.errors import RuleRefused
from zuzhi.core.models import AuditLog

from .conftest import appoint_chief, contest_key

DAY = datetime.date(2026, 7, 10)


def record(staff, cadre, **kw):
    data = {"date": DAY, "kind": "achievement", "text": "牵头完成乡村道路硬化 8 公里"} | kw
    return services.entry_record(actor=staff, cadre=cadre, **data)


# --- the ledger's append-only rule ---------------------------------------------------------


def test_an_entry_is_never_updated_nor_deleted(staff, cadre):
    entry = record(staff, cadre)
    entry.text = "改写"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        ArchiveEntry.objects.filter(pk=entry.pk).update(text="改写")
    with pytest.raises(PermissionError):
        ArchiveEntry.objects.filter(pk=entry.pk).delete()
    assert ArchiveEntry.objects.get(pk=entry.pk).text == "牵头完成乡村道路硬化 8 公里"


def test_a_correction_is_a_reversing_entry_with_its_reason(staff, cadre):
    entry = record(staff, cadre)
    with pytest.raises(ValidationError) as exc:
        services.entry_reverse(actor=staff, entry=entry, reason=" ")
    assert "reason" in exc.value.message_dict
    reversal = services.entry_reverse(actor=staff, entry=entry, reason="里程数有误，实为 6 公里")
    assert reversal.reverses == entry
    assert reversal.reason == "里程数有误，实为 6 公里"
    assert ArchiveEntry.objects.filter(cadre=cadre).count() == 2
    with pytest.raises(RuleRefused, match="已冲正"):
        services.entry_reverse(actor=staff, entry=entry, reason="再冲一次")
    with pytest.raises(RuleRefused, match="冲正条目不能再冲正"):
        services.entry_reverse(actor=staff, entry=reversal, reason="冲正的冲正")
    assert list(selectors.standing_entries(cadre=cadre)) == []
    assert AuditLog.objects.filter(target_type="archive.archiveentry").count() == 2


def test_the_review_stamp_is_set_once(staff, cadre):
    entry = record(staff, cadre)
    reviewed = services.entry_review(actor=staff, entry=entry)
    assert reviewed.reviewed_by == staff and reviewed.reviewed_at is not None
    with pytest.raises(RuleRefused, match="已审核"):
        services.entry_review(actor=staff, entry=entry)


def test_entry_needs_kind_text_and_a_past_date(staff, cadre):
    with pytest.raises(ValidationError) as exc:
        record(staff, cadre, kind="x", text="", date=datetime.date(2100, 1, 1))
    assert set(exc.value.message_dict) == {"kind", "text", "date"}


def test_only_the_cadre_section_records(cadre, county_user, town_b_user, owner):
    for user in (county_user, town_b_user, owner):
        with pytest.raises(Http404):
            record(user, cadre)
    assert not ArchiveEntry.objects.exists()


# --- offers from a published contest -------------------------------------------------------


def test_a_published_index_offers_top_and_bottom_places_to_the_leaders(
    county, staff, published_index, town_c
):
    first = appoint_chief(county.town_a, "王书记", 21)
    middle = appoint_chief(town_c, "赵书记", 22)
    last = appoint_chief(county.town_b, "钱书记", 23)
    found = offers.archive_offers_for_contest(contest=published_index, places=1)
    assert [(o.cadre, o.rank, o.total, o.end) for o in found] == [
        (first, 1, 3, "top"),
        (last, 3, 3, "bottom"),
    ]
    assert found[1].text.startswith(
        f"{last.organization.name} 在 2026年第三季度综合指数 中排名第 3/3"
    )
    assert middle not in [o.cadre for o in found]

    entry = services.archive_offer_accept(actor=staff, cadre=last, **contest_key(published_index))
    assert (entry.source, entry.kind, entry.source_id) == (
        "contest",
        "ranking",
        str(published_index.pk),
    )
    services.archive_offer_dismiss(actor=staff, cadre=first, **contest_key(published_index))
    assert offers.archive_offers_for_contest(contest=published_index, places=1) == []
    # Never twice for the same cadre and contest, whichever way it is asked.
    with pytest.raises(RuleRefused):
        services.archive_offer_accept(actor=staff, cadre=last, **contest_key(published_index))
    with pytest.raises(RuleRefused, match="不能重复记入"):
        services.entry_record(
            actor=staff,
            cadre=last,
            date=DAY,
            kind="ranking",
            text="again",
            source="contest",
            source_type="contests.contest",
            source_id=str(published_index.pk),
        )
    assert ArchiveEntry.objects.filter(cadre=last).count() == 1


def test_an_unpublished_contest_offers_nothing(county, published_index):
    appoint_chief(county.town_a, "王书记", 21)
    published_index.status = "revising"
    assert offers.archive_offers_for_contest(contest=published_index, places=1) == []


# --- the quarter's list ---------------------------------------------------------------------


def _reviewed_at(entry, day: datetime.date, hour: int = 23):
    from django.utils import timezone

    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 59)))
    ArchiveEntry.objects.filter(pk=entry.pk).stamp_reviewed(by=None, at=at)


def test_quarter_list_counts_an_entry_reviewed_on_the_quarters_last_day(staff, cadre, other_cadre):
    reviewed = record(staff, cadre)
    _reviewed_at(reviewed, datetime.date(2026, 9, 30))
    record(staff, other_cadre)  # recorded but never reviewed: does not count
    missing = selectors.cadres_without_reviewed_entry(user=staff, day=datetime.date(2026, 9, 30))
    assert list(missing) == [other_cadre]
    # The next quarter starts afresh.
    after = selectors.cadres_without_reviewed_entry(user=staff, day=datetime.date(2026, 10, 1))
    assert set(after) == {cadre, other_cadre}


def test_quarter_list_ignores_an_entry_reviewed_the_day_before_the_quarter(staff, cadre):
    entry = record(staff, cadre)
    _reviewed_at(entry, datetime.date(2026, 6, 30))
    assert list(selectors.cadres_without_reviewed_entry(user=staff, day=DAY)) == [cadre]


def test_quarter_bounds():
    assert selectors.quarter_bounds(datetime.date(2026, 12, 31)) == (
        datetime.date(2026, 10, 1),
        datetime.date(2026, 12, 31),
    )
    assert selectors.quarter_bounds(datetime.date(2026, 4, 1)) == (
        datetime.date(2026, 4, 1),
        datetime.date(2026, 6, 30),
    )


# --- supervision file -----------------------------------------------------------------------


@pytest.mark.parametrize("status", [SupervisionStatus.EXCUSED, SupervisionStatus.CLEARED])
def test_excused_and_cleared_records_stay_but_are_not_active(staff, cadre, status):
    kept = services.supervision_record(
        actor=staff, cadre=cadre, kind="admonishment", date=DAY, source="县纪委", text="诫勉谈话"
    )
    ruled = services.supervision_record(
        actor=staff,
        cadre=cadre,
        kind="performance_view",
        date=DAY,
        source="巡察反馈",
        text="形象工程",
    )
    with pytest.raises(ValidationError):
        services.supervision_decide(actor=staff, record=ruled, status=status, reason="")
    services.supervision_decide(actor=staff, record=ruled, status=status, reason="符合容错情形")
    assert list(selectors.active_supervision(cadre=cadre)) == [kept]
    assert set(selectors.supervision_of(cadre=cadre)) == {kept, ruled}
    with pytest.raises(RuleRefused):
        services.supervision_decide(actor=staff, record=ruled, status=status, reason="再认定")


# --- watch list -----------------------------------------------------------------------------


def test_an_accepted_self_nomination_enters_the_watch_list_once(staff, cadre, owner):
    nomination = self_nomination_submit(
        actor=owner, cadre=cadre, target_kind="rank", target="二级主任科员", statement="实绩突出"
    )
    with pytest.raises(RuleRefused):
        services.watch_add_from_nomination(actor=staff, nomination=nomination)
    assert list(selectors.watch_candidates(user=staff)) == []
    nomination = self_nomination_decide(actor=staff, nomination=nomination, accept=True)
    assert nomination.status == NominationStatus.ACCEPTED
    assert list(selectors.watch_candidates(user=staff)) == [nomination]
    entry = services.watch_add_from_nomination(actor=staff, nomination=nomination)
    assert services.watch_add_from_nomination(actor=staff, nomination=nomination) == entry
    assert entry.reason_kind == "self_nomination"
    assert list(selectors.watch_candidates(user=staff)) == []


def test_quarterly_review_lists_entries_not_reviewed_this_quarter(staff, cadre, other_cadre):
    kept = services.watch_add(actor=staff, cadre=cadre, reason_kind="achievement", note="全省第一")
    gone = services.watch_add(actor=staff, cadre=other_cadre, reason_kind="priority_reserve")
    WatchEntry.objects.filter(pk__in=[kept.pk, gone.pk]).update(
        added_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)
    )
    assert set(selectors.watch_to_review(user=staff, day=DAY)) == {kept, gone}
    services.watch_review(actor=staff, entry=kept, keep=True, day=DAY)
    with pytest.raises(ValidationError):
        services.watch_review(actor=staff, entry=gone, keep=False, reason="", day=DAY)
    services.watch_review(actor=staff, entry=gone, keep=False, reason="已提拔", day=DAY)
    assert list(selectors.watch_to_review(user=staff, day=DAY)) == []
    assert list(selectors.watch_list(user=staff)) == [kept]
    # Next quarter the kept one is due again.
    assert list(selectors.watch_to_review(user=staff, day=datetime.date(2026, 10, 2))) == [kept]


def test_many_entries_are_checked_as_one_and_audited(staff, cadre, other_cadre):
    good = {"cadre": cadre, "date": DAY, "kind": "key_task", "text": "秸秆禁烧"}
    with pytest.raises(ValidationError) as exc:
        services.entry_record_many(
            actor=staff, rows=[good, {**good, "cadre": other_cadre, "text": ""}]
        )
    assert exc.value.message_dict == {"text": ["第 2 条：请填写内容。"]}
    assert not ArchiveEntry.objects.exists()
    created = services.entry_record_many(actor=staff, rows=[good, {**good, "cadre": other_cadre}])
    assert [e.cadre for e in created] == [cadre, other_cadre]
    assert AuditLog.objects.filter(target_type="archive.archiveentry", action="create").count() == 2


def test_archive_audit_rows_are_the_audit_administrators_only(
    staff, cadre, county_user, auditor_user
):
    from zuzhi.core.selectors import audit_list

    record(staff, cadre)
    services.supervision_record(
        actor=staff, cadre=cadre, kind="other", date=DAY, source="来信", text="反映问题"
    )
    assert not audit_list(user=county_user).filter(target_type__startswith="archive.").exists()
    assert audit_list(user=auditor_user).filter(target_type__startswith="archive.").count() == 2
