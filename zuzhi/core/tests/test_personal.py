"""The personal-data policy (core.personal): every page, API answer, export and history view
shows ID numbers and phones unmasked only to a role allowed to see them, and each unmasked
view writes one audit row; to anyone else no plain value appears anywhere in a response."""

import datetime
import io
import zipfile

import pytest
from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from python_calamine import CalamineWorkbook

from zuzhi.core.audit import audit_record
from zuzhi.core.fields import BlindIndexField, EncryptedCharField, MaskedField
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.personal import PERSONAL_MODELS, personal_view
from zuzhi.core.scope import SYSTEM
from zuzhi.members.models import Member
from zuzhi.members.services import member_update
from zuzhi.orgs.services import org_update
from zuzhi.recruitment.services import candidate_apply
from zuzhi.testing.factories import make_member, valid_id_number

MEMBER_ID = valid_id_number("19800101", 321)
MEMBER_PHONE = "13912345678"
MEMBER_OLD_PHONE = "13712340000"
CANDIDATE_ID = valid_id_number("20000101", 222)
CANDIDATE_PHONE = "13611112222"
SECRETARY_PHONE = "13812345678"
SECRETARY_OLD_PHONE = "13598765432"
# A secretary's phone in an audit row logged before the phone was encrypted at rest: the log
# is append-only, so such rows keep the value in clear and are still masked and audited.
LEGACY_PHONE = "13500001111"
PLAIN = [
    MEMBER_ID,
    MEMBER_PHONE,
    MEMBER_OLD_PHONE,
    CANDIDATE_ID,
    CANDIDATE_PHONE,
    SECRETARY_PHONE,
    SECRETARY_OLD_PHONE,
    LEGACY_PHONE,
]


@pytest.fixture
def people(county, town_a_user):
    audit_record(
        actor=SYSTEM,
        action=AuditAction.UPDATE,
        target=county.village_a1,
        org_path=county.village_a1.path,
        before={"secretary_phone": ""},
        after={"secretary_phone": LEGACY_PHONE},
    )
    org_update(actor=town_a_user, org=county.village_a1, data={"secretary_phone": "13598765432"})
    org_update(actor=town_a_user, org=county.village_a1, data={"secretary_phone": SECRETARY_PHONE})
    member = make_member(
        county.village_a1, name="王小明", id_number=MEMBER_ID, phone=MEMBER_OLD_PHONE
    )
    member = member_update(actor=town_a_user, member=member, data={"phone": MEMBER_PHONE})
    candidate = candidate_apply(
        actor=town_a_user,
        organization=county.village_a1,
        applied_on=datetime.date(2024, 3, 1),
        data={
            "name": "赵小青",
            "id_number": CANDIDATE_ID,
            "ethnicity": "01",
            "phone": CANDIDATE_PHONE,
        },
    )
    return county.village_a1, member, candidate


def viewed():
    return AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL)


def body(response) -> str:
    """The response as text: an .xlsx download is read cell by cell."""
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
        return "\n".join(str(cell) for row in sheet.to_python() for cell in row)
    if response.get("Content-Type", "").startswith("application/pdf"):
        return ""
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def plain_in(text: str) -> list[str]:
    return [value for value in PLAIN if value in text]


# --- the function itself -----------------------------------------------------------------


def test_a_role_not_allowed_gets_masks_and_no_audit_row(people, town_a_user):
    _, member, _ = people
    member = Member.objects.get(pk=member.pk)
    personal_view(user=town_a_user, objects=[member], where="/x/")
    assert member.id_number == MEMBER_ID[:6] + "********" + MEMBER_ID[-4:]
    assert member.phone == "139****5678"
    assert not viewed().exists()


def test_an_allowed_role_sees_values_with_one_audit_row_naming_them(people, county_user):
    org, member, _ = people
    members = [Member.objects.get(pk=member.pk), make_member(org, phone="")]
    personal_view(user=county_user, objects=members, where="/api/members")
    assert members[0].id_number == MEMBER_ID and members[0].phone == MEMBER_PHONE
    row = viewed().get()
    assert row.actor == county_user and row.target_type == "members.member"
    assert row.org_path == org.path
    assert "公民身份号码、联系电话" in row.message and "/api/members" in row.message
    assert f"编号 {members[0].pk}、{members[1].pk}" in row.message


def test_asked_not_to_reveal_it_masks_for_every_role(people, county_user):
    _, member, _ = people
    member = Member.objects.get(pk=member.pk)
    personal_view(user=county_user, objects=[member], where="/x/", reveal=False)
    assert member.phone == "139****5678" and not viewed().exists()


def test_a_stream_is_masked_as_read_and_audited_once_at_its_end(people, county, county_user):
    org, member, _ = people
    make_member(county.village_b1, id_number=valid_id_number("19800101", 7))
    shown = personal_view(
        user=county_user, objects=Member.objects.order_by("pk").iterator(), where="/export/"
    )
    assert not viewed().exists()
    assert [m.id_number for m in shown][0] == MEMBER_ID
    row = viewed().get()
    assert row.target_repr == "2 条" and row.org_path == county.county.path


def test_audit_snapshots_are_masked_by_key(people, town_a_user):
    rows = list(AuditLog.objects.filter(target_type="members.member"))
    personal_view(user=town_a_user, objects=rows, where="/x/")
    text = str([(r.before, r.after) for r in rows])
    assert plain_in(text) == [] and "139****5678" in text and "137****0000" in text


def test_every_field_that_looks_personal_is_declared():
    """A new model with an ID number or a phone must be declared in core.personal (a phone
    kept only as a digest and its last four digits is not one)."""
    not_personal = {"contests.votecode.phone_digest", "contests.vote.phone_digest"}
    not_personal |= {"contests.vote.phone_tail"}
    found = {
        f"{model._meta.label_lower}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        # An encrypted field's blind index and masked copy are not personal data.
        if isinstance(field, models.CharField | EncryptedCharField)
        and not isinstance(field, BlindIndexField | MaskedField)
        and any(
            word in field.name
            for word in ("id_number", "phone", "id_card", "mobile", "bank_account")
        )
    }
    declared = {
        f"{label}.{name}" for label, spec in PERSONAL_MODELS.items() for name in spec.fields
    }
    assert found - not_personal == declared


# --- the four API endpoints that showed values unaudited, and the other views ------------


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/api/orgs", {SECRETARY_PHONE}),
        ("/api/orgs/{org}", {SECRETARY_PHONE}),
        ("/api/recruitment", {CANDIDATE_ID}),
        ("/api/recruitment/{candidate}", {CANDIDATE_ID}),
        ("/api/members", {MEMBER_ID, MEMBER_PHONE}),
        ("/api/members/{member}", {MEMBER_ID, MEMBER_PHONE}),
        ("/api/orgs/{org}/history", {LEGACY_PHONE}),
    ],
)
def test_api_reads(people, api_as, county_user, town_a_user, path, shown):
    org, member, candidate = people
    url = path.format(org=org.pk, member=member.pk, candidate=candidate.pk)
    params = {"q": "VA1"} if url == "/api/orgs" else {}
    masked = api_as(town_a_user).get(url, params)
    assert masked.status_code == 200
    assert plain_in(masked.content.decode()) == [] and not viewed().exists()
    assert set(plain_in(api_as(county_user).get(url, params).content.decode())) == shown
    row = viewed().get()
    assert row.actor == county_user and url in row.message and row.org_path == org.path


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("members:detail", {"show": "full"}),
        ("members:list", {"export": "xlsx"}),
        ("orgs:detail", {"show": "phone"}),
        ("orgs:history", {"show": "phone"}),
        ("orgs:list", {"export": "xlsx"}),
    ],
)
def test_pages_exports_and_history(people, client_as, county_user, town_a_user, name, params):
    org, member, _ = people
    pk = {"members": member.pk, "orgs": org.pk}[name.split(":")[0]]
    url = reverse(name, args=[pk]) if not name.endswith("list") else reverse(name)
    masked = client_as(town_a_user).get(url, params)
    assert masked.status_code == 200
    assert plain_in(body(masked)) == [] and not viewed().exists()
    county_client = client_as(county_user)
    assert plain_in(body(county_client.get(url))) == [] and not viewed().exists()
    assert plain_in(body(county_client.get(url, params))) != []
    row = viewed().get()
    assert row.actor == county_user and url in row.message


def test_member_list_page_masks_for_every_role(people, client_as, county_user):
    assert plain_in(body(client_as(county_user).get(reverse("members:list")))) == []
    assert not viewed().exists()


def test_edit_forms_show_masks_and_keep_the_values_sent_back_unchanged(
    people, client_as, branch_a1_user
):
    _, member, _ = people
    client = client_as(branch_a1_user)
    url = reverse("members:edit", args=[member.pk])
    page = body(client.get(url))
    masked_id = MEMBER_ID[:6] + "********" + MEMBER_ID[-4:]
    assert plain_in(page) == [] and f'value="{masked_id}"' in page
    form = {
        "name": "王小明",
        "id_number": masked_id,
        "ethnicity": "01",
        "join_date": "2010-07-01",
        "status": member.status,
        "category": member.category,
        "phone": "139****5678",
        "work_unit": "李庄村",
    }
    assert client.post(url, form).status_code == 302
    member.refresh_from_db()
    assert (member.id_number, member.phone, member.work_unit) == (MEMBER_ID, MEMBER_PHONE, "李庄村")


def test_audit_log_api_reveals_snapshots_with_an_audit_row(people, api_as, county_user):
    items = api_as(county_user).get("/api/audit", {"target_type": "orgs.organization"}).json()
    assert LEGACY_PHONE in str(items) and SECRETARY_OLD_PHONE not in str(items)
    assert viewed().get().target_type == "orgs.organization"


def test_a_history_view_is_audited_as_a_look_at_its_object(people, client_as, county_user):
    org, _, _ = people
    client_as(county_user).get(reverse("orgs:history", args=[org.pk]), {"show": "phone"})
    row = viewed().get()
    assert (row.target_type, row.target_id) == (org._meta.label_lower, str(org.pk))


def test_encrypted_values_reach_no_history_or_audit_log_in_clear(
    people, client_as, api_as, county_user
):
    """A member's ID number and phone and a secretary's phone are encrypted at rest: the log
    keeps their masked copies only, so no role reads them in a history, and showing masks is
    no look to audit."""
    org, member, _ = people
    history = client_as(county_user).get(
        reverse("members:history", args=[member.pk]), {"show": "full"}
    )
    items = api_as(county_user).get("/api/audit", {"target_type": "members.member"}).json()
    text = body(history) + str(items)
    assert plain_in(text) == [] and "137****0000" in text and "139****5678" in text
    org_history = body(client_as(county_user).get(reverse("orgs:history", args=[org.pk])))
    assert "135****5432" in org_history and "138****5678" in org_history
    assert not viewed().exists()
    # Only a row written before encryption holds a value in clear: the log is append-only.
    assert plain_in(str(list(AuditLog.objects.values_list("before", "after")))) == [
        LEGACY_PHONE,
    ]


# --- generated: every page and every API read, as each role -------------------------------


def _routes(resolver, namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = getattr(entry.pattern, "converters", {})
            params = {k: type(v).__name__ for k, v in converters.items()}
            if entry.pattern.regex.groupindex and not converters:
                continue
            yield namespace + entry.name, params


def _urls(ids: list[int]) -> list[str]:
    urls = set()
    for name, params in _routes(get_resolver()):
        if any(kind != "IntConverter" for kind in params.values()) or len(params) > 1:
            continue
        for pk in ids if params else [None]:
            urls.add(reverse(name, kwargs={k: pk for k in params}))
    return sorted(urls)


def test_no_plain_value_reaches_a_role_not_allowed_and_every_one_shown_is_audited(
    people, client_as, api_as, county_user, town_a_user, branch_a1_user
):
    org, member, candidate = people
    urls = _urls([org.pk, member.pk, candidate.pk])
    assert "/api/orgs" in urls and f"/members/{member.pk}/history/" in urls
    variants = [{"export": "xlsx"}, {"show": "full"}, {"show": "phone"}]
    checked = 0
    for user in (town_a_user, branch_a1_user, county_user):
        api_client, page_client = api_as(user), client_as(user)
        api_client.raise_request_exception = page_client.raise_request_exception = False
        for url in urls:
            client = api_client if url.startswith("/api/") else page_client
            for params in [{}, *(variants if client is page_client else [])]:
                before = viewed().count()
                response = client.get(url, params)
                if response.status_code != 200:
                    break
                checked += 1
                text = body(response)
                if user is county_user:
                    if plain_in(text):
                        assert viewed().count() > before, f"{url} {params} 未记录审计"
                else:
                    assert plain_in(text) == [], f"{url} {params} 对 {user} 显示了未脱敏信息"
                    assert viewed().count() == before
    assert checked > 100


def test_the_export_zip_holds_no_plain_value(people, client_as, town_a_user):
    """Cell values aside, nothing in the .xlsx package (shared strings, properties) either."""
    response = client_as(town_a_user).get(reverse("members:list"), {"export": "xlsx"})
    package = zipfile.ZipFile(io.BytesIO(response.content))
    text = "".join(package.read(name).decode(errors="replace") for name in package.namelist())
    assert plain_in(text) == []


def test_an_import_preview_does_not_show_a_stored_value(people, client_as, town_a_user):
    """Re-importing a roster lists old → new per field: the old value of a personal field is
    stored data, so it is masked (the new one is the uploader's own file)."""
    from zuzhi.core.imports import import_job_create
    from zuzhi.members.importers import COLUMNS as MEMBER_COLUMNS
    from zuzhi.orgs.importers import COLUMNS as ORG_COLUMNS
    from zuzhi.testing.xlsx import make_xlsx

    org, member, _ = people
    org_row = {"组织代码": "VA1", "组织名称": org.name, "组织类型": "党支部"}
    org_row |= {"上级组织代码": "TA", "书记电话": "13500000000"}
    member_row = {"姓名": "王小明", "公民身份号码": MEMBER_ID, "民族": "汉族"}
    member_row |= {"入党日期": "2010-07-01", "党员状态": "正式党员", "所在党组织代码": "VA1"}
    member_row |= {"联系电话": "13500000001"}
    for kind, columns, row in (
        ("orgs", ORG_COLUMNS, org_row),
        ("members", MEMBER_COLUMNS, member_row),
    ):
        headers = [c.header for c in columns]
        job = import_job_create(
            actor=town_a_user,
            kind=kind,
            filename=f"{kind}.xlsx",
            content=make_xlsx([headers, [row.get(h) for h in headers]]),
        )
        assert job.changes, job.errors
        page = body(client_as(town_a_user).get(reverse("imports:job", args=[job.pk])))
        assert plain_in(str(job.changes) + page) == []
        assert ("135" in str(job.changes)) and "****" in str(job.changes)
