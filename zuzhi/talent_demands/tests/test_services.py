"""The catalogue's rules: yearly editions, copying last year's, publishing, and the drafts
that only the office sees and changes."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.talent_demands import services
from zuzhi.talent_demands.models import DemandEntry, EditionStatus

ENTRY = {
    "industry": "氯碱化工",
    "employer": "示范县化工有限公司",
    "post": "工艺工程师",
    "number": 3,
    "degree": "master",
    "major": "化学工程",
    "salary": "年薪15-25万元",
    "housing": "人才公寓免租三年",
    "contact": "人事部 0377-62345678",
    "note": "企业急需，优先推荐",
}


@pytest.fixture
def edition(talent_world):
    edition = services.edition_create(actor=talent_world.office, data={"year": 2026})
    services.entry_create(actor=talent_world.office, edition=edition, data=ENTRY)
    services.entry_create(
        actor=talent_world.office,
        edition=edition,
        data={**ENTRY, "industry": "医药中间体", "post": "合成研究员", "number": 2},
    )
    return edition


def test_an_edition_is_filed_under_the_office_county_once_a_year(talent_world, edition):
    assert edition.county == talent_world.county.county
    assert edition.title == "2026年度高层次人才需求目录"
    assert edition.status == EditionStatus.DRAFT
    with pytest.raises(ValidationError) as exc:
        services.edition_create(actor=talent_world.office, data={"year": 2026})
    assert "2026年度的需求目录已存在" in str(exc.value)


def test_copy_from_last_year_makes_a_draft_with_every_entry(talent_world, edition):
    services.edition_publish(actor=talent_world.office, edition=edition)
    copy = services.edition_copy(actor=talent_world.office, source=edition, year=2027)
    assert (copy.year, copy.status, copy.title) == (2027, "draft", "2027年度高层次人才需求目录")
    fields = ["industry", "employer", "post", "number", "degree", "salary", "note"]
    assert list(copy.entries.values_list(*fields)) == list(edition.entries.values_list(*fields))
    # The source edition keeps its entries, untouched.
    assert edition.entries.count() == 2 and DemandEntry.objects.count() == 4
    with pytest.raises(ValidationError):
        services.edition_copy(actor=talent_world.office, source=edition, year=2027)


def test_a_published_edition_is_changed_only_after_unpublishing(talent_world, edition):
    office = talent_world.office
    services.edition_publish(actor=office, edition=edition)
    entry = edition.entries.first()
    with pytest.raises(ValidationError, match="请先撤回发布"):
        services.entry_update(actor=office, entry=entry, data={"number": 9})
    with pytest.raises(ValidationError, match="请先撤回发布"):
        services.entry_create(actor=office, edition=edition, data=ENTRY)
    with pytest.raises(ValidationError) as exc:
        services.edition_unpublish(actor=office, edition=edition, reason=" ")
    assert exc.value.message_dict == {"reason": ["请填写撤回发布的原因。"]}
    services.edition_unpublish(actor=office, edition=edition, reason="企业岗位调整")
    row = AuditLog.objects.filter(target_id=str(edition.pk), message__startswith="撤回发布").get()
    assert row.message == "撤回发布：企业岗位调整" and row.action == AuditAction.UPDATE
    services.entry_update(actor=office, entry=entry, data={"number": 9})
    entry.refresh_from_db()
    assert entry.number == 9


def test_an_empty_edition_is_not_published(talent_world):
    edition = services.edition_create(actor=talent_world.office, data={"year": 2027})
    with pytest.raises(ValidationError, match="还没有岗位"):
        services.edition_publish(actor=talent_world.office, edition=edition)


def test_entry_rules_in_chinese(talent_world, edition):
    with pytest.raises(ValidationError) as exc:
        services.entry_create(
            actor=talent_world.office, edition=edition, data={**ENTRY, "number": 0, "post": ""}
        )
    assert "post" in exc.value.message_dict


@pytest.mark.parametrize("who", ["other_office", "county_staff", "township"])
def test_only_the_county_office_writes(talent_world, edition, who):
    actor = getattr(talent_world, who)
    for write in (
        lambda: services.edition_publish(actor=actor, edition=edition),
        lambda: services.entry_create(actor=actor, edition=edition, data=ENTRY),
        lambda: services.edition_copy(actor=actor, source=edition, year=2030),
    ):
        with pytest.raises(Http404):
            write()
    edition.refresh_from_db()
    assert edition.entries.count() == 2 and edition.status == EditionStatus.DRAFT


@pytest.mark.parametrize(
    "contact",
    [
        "13812345678",
        "张经理 138-1234-5678",
        "138 1234 5678",
        "+86 139 1234 5678",
        "电话:19912345678",
    ],
)
def test_a_personal_mobile_is_never_a_public_contact(talent_world, contact):
    edition = services.edition_create(actor=talent_world.office, data={"year": 2026})
    with pytest.raises(ValidationError) as refused:
        services.entry_create(
            actor=talent_world.office, edition=edition, data={**ENTRY, "contact": contact}
        )
    assert "不能填写个人手机号码" in refused.value.message_dict["contact"][0]
    assert "办公电话" in refused.value.message_dict["contact"][0]
    entry = services.entry_create(actor=talent_world.office, edition=edition, data=ENTRY)
    with pytest.raises(ValidationError, match="不能填写个人手机号码"):
        services.entry_update(actor=talent_world.office, entry=entry, data={"contact": contact})


@pytest.mark.parametrize(
    "contact", ["人事部 0377-62345678", "(0377)6512345", "010-65123456", "hr@example.com", ""]
)
def test_an_office_landline_or_email_is_a_contact(talent_world, contact):
    edition = services.edition_create(actor=talent_world.office, data={"year": 2026})
    entry = services.entry_create(
        actor=talent_world.office, edition=edition, data={**ENTRY, "contact": contact}
    )
    assert entry.contact == contact
