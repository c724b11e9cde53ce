"""Member pages: thin adapters over zuzhi.members.selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone

from zuzhi.core import idnumber
from zuzhi.core.audit_display import audit_entries
from zuzhi.core.codes import code_map
from zuzhi.core.export import pdf_response
from zuzhi.core.export_jobs import export_or_enqueue
from zuzhi.core.forms import apply_service_errors
from zuzhi.core.paging import CappedPaginator
from zuzhi.core.personal import (
    may_reveal_phone,
    may_see_personal,
    personal_phone_reveal,
    personal_view,
)
from zuzhi.orgs.models import Organization
from zuzhi.orgs.picker import filter_picker
from zuzhi.orgs.selectors import org_param

from . import selectors, services
from .exports import GENDERS, member_list_filtered
from .forms import (
    CaseForm,
    CloseCaseForm,
    MemberForm,
    MobileForm,
    ReturnForm,
)
from .models import CaseKind, Member, MemberCategory, MemberStatus


def _within(request):
    return org_param(user=request.user, value=request.GET.get("org"))


def _display(member: Member) -> Member:
    member.gender_label = GENDERS.get(member.gender, "")
    member.ethnicity_label = code_map("GB3304").get(member.ethnicity, member.ethnicity)
    member.education_label = code_map("ZB64").get(member.education, member.education)
    return member


@login_required
def member_list_view(request):
    """党员名册: search by name, initials or whole ID number; filters by organization subtree,
    age band, gender, education, category and status; sortable; the members ticked on the page
    (or, none ticked, all that the filters find) exported to Excel or printed as a roster."""
    params = request.GET
    if params.get("export") == "xlsx":
        return export_or_enqueue(request, kind="members")
    qs, within = member_list_filtered(user=request.user, params=params)
    if params.get("export") == "pdf":
        return _roster_pdf(request, qs, within)
    page = CappedPaginator(qs, 50).get_page(params.get("page"))
    # A list shows personal data masked to every role: the detail page reveals it on request,
    # and the roles that ring members reveal one phone at a time.
    page.object_list = personal_view(
        user=request.user, objects=list(page), where=request.path, reveal=False
    )
    for member in page:
        _display(member)
    query = params.copy()
    for key in ("page", "export", "member"):
        query.pop(key, None)
    unsorted = query.copy()
    unsorted.pop("sort", None)
    sort = params.get("sort")
    sort = sort if sort in selectors.MEMBER_SORTS else selectors.DEFAULT_SORT
    # Each sortable column's link: ascending first, a second click descending.
    sorts = {
        key: (
            "-" + key if sort == key else key,
            "↑" if sort == key else "↓" if sort == "-" + key else "",
        )
        for key in ("name", "birth_date", "join_date", "org")
    }
    return render(
        request,
        "members/member_list.html",
        {
            "page": page,
            "filters": params,
            "query": query.urlencode(),
            "kept": [(k, v) for k, values in query.lists() for v in values],
            "unsorted": unsorted.urlencode(),
            "sorts": sorts,
            "within": within,
            "org_picker": filter_picker(user=request.user, chosen=within),
            "statuses": MemberStatus.choices,
            "categories": MemberCategory.choices,
            "genders": GENDERS.items(),
            "educations": selectors.education_groups(),
            "age_bands": selectors.AGE_BANDS,
            "may_reveal_phone": may_reveal_phone(request.user),
        },
    )


# A printed roster is a branch's or a township's; a larger one is an Excel export.
ROSTER_MAX_ROWS = 2000
ROSTER_HEADERS = [
    "序号",
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "学历",
    "入党日期",
    "转正日期",
    "党员状态",
    "人员类别",
    "公民身份号码",
    "联系电话",
    "工作单位及职务",
]


def _roster_pdf(request, qs, within):
    """党员花名册 as a printable PDF in the list's order, masked and audited like the Excel
    export. When it holds members of several organizations, a last column names each one's."""
    count = qs.count()
    if count > ROSTER_MAX_ROWS:
        messages.error(
            request,
            f"共 {count} 名党员，花名册一次最多打印 {ROSTER_MAX_ROWS} 名："
            "请选择一个党组织或缩小筛选范围，或导出 Excel。",
        )
        query = request.GET.copy()
        query.pop("export", None)
        return redirect(f"{request.path}?{query.urlencode()}")
    ethnicities, educations = code_map("GB3304"), code_map("ZB64")
    members = personal_view(user=request.user, objects=list(qs), where=request.path)
    orgs = {m.organization_id for m in members}
    several = len(orgs) > 1
    headers = [*ROSTER_HEADERS, "所在党组织"] if several else ROSTER_HEADERS
    rows = []
    for number, m in enumerate(members, start=1):
        row = [
            number,
            m.name,
            GENDERS.get(m.gender, ""),
            ethnicities.get(m.ethnicity, m.ethnicity),
            f"{m.birth_date:%Y-%m-%d}",
            educations.get(m.education, m.education),
            m.join_date_display,
            m.full_date_display,
            m.get_status_display(),
            m.get_category_display(),
            m.id_number,
            m.phone,
            m.work_unit,
        ]
        rows.append([*row, m.organization.name] if several else row)
    today = timezone.localdate()
    if within is not None:
        title_org = within.name
    elif len(orgs) == 1:
        title_org = members[0].organization.name
    else:
        title_org = ""
    return pdf_response(
        actor=request.user,
        filename="党员花名册",
        title=f"{title_org}党员花名册",
        lines=[f"共 {count} 名　打印日期：{today.year}年{today.month}月{today.day}日"],
        headers=headers,
        rows=rows,
        target_type="members.member",
        org_path=within.path if within else "",
    )


@login_required
def member_phone_view(request, pk):
    """One tap on a masked phone: the full number as a tel: link, audited; for the roles that
    ring members (core.personal decides), and only for members in the user's scope (looked up
    first, so that a member out of scope is "not found" whatever the method)."""
    member = selectors.member_get(user=request.user, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    phone = personal_phone_reveal(user=request.user, obj=member, where=request.path)
    return render(request, "members/_phone.html", {"phone": phone})


@login_required
def member_detail_view(request, pk):
    member = selectors.member_get(user=request.user, pk=pk)
    reveal = request.GET.get("show") == "full"
    personal_view(user=request.user, objects=[member], where=request.path, reveal=reveal)
    return render(
        request,
        "members/member_detail.html",
        {
            "member": _display(member),
            "can_unmask": may_see_personal(request.user) and not reveal,
            "may_reveal_phone": may_reveal_phone(request.user) and not reveal,
            "transfers": member.transfers.select_related("from_org", "to_org")[:20],
        },
    )


@login_required
def member_create_view(request):
    initial = {}
    within = _within(request)
    if within is not None:
        initial["organization"] = within.pk
    form = MemberForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organization = data.pop("organization")
        try:
            member = services.member_create(
                actor=request.user, organization=organization, data=data
            )
        except ValidationError as exc:
            form.apply_service_errors(exc)
        else:
            messages.success(request, f"已录入党员 {member.name}。")
            _division_notice(request, member)
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/member_form.html", {"form": form, "member": None})


@login_required
def member_edit_view(request, pk):
    member = selectors.member_get(user=request.user, pk=pk)
    form = MemberForm(
        request.POST or None, instance=Member.objects.get(pk=member.pk), user=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        # Left empty, gender and birth date are taken from the ID number.
        for derived in ("gender", "birth_date"):
            if not data.get(derived):
                data.pop(derived)
        try:
            member = services.member_update(actor=request.user, member=member, data=data)
        except ValidationError as exc:
            form.apply_service_errors(exc)
        else:
            messages.success(request, "已保存。")
            _division_notice(request, member)
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/member_form.html", {"form": form, "member": member})


def _division_notice(request, member) -> None:
    """An ID number from a division no longer in the code table is accepted (abolished
    divisions are legitimate) and said, so the clerk can check it against the card."""
    notice = idnumber.division_notice(member.id_number)
    if notice:
        messages.warning(request, notice)


@login_required
def member_history_view(request, pk):
    """变更记录: each audited change of the member, in labels (汉族, 正式党员, names)."""
    member = selectors.member_get(user=request.user, pk=pk)
    page = Paginator(selectors.member_history(user=request.user, member=member), 30).get_page(
        request.GET.get("page")
    )
    reveal = request.GET.get("show") == "full"
    rows = personal_view(user=request.user, objects=list(page), where=request.path, reveal=reveal)
    return render(
        request,
        "members/member_history.html",
        {
            "member": member,
            "page": page,
            "entries": audit_entries(user=request.user, rows=rows),
            "can_unmask": may_see_personal(request.user) and not reveal,
        },
    )


@login_required
def mobile_list_view(request):
    """流动党员: current ones, seen by the origin and the destination organization."""
    records = selectors.mobile_list(user=request.user, current_only=request.GET.get("all") != "1")
    if request.method == "POST":
        record = selectors.mobile_get(user=request.user, pk=request.POST.get("record"))
        form = ReturnForm(request.POST)
        if form.is_valid():
            try:
                services.mobile_return(
                    actor=request.user, record=record, returned_on=form.cleaned_data["returned_on"]
                )
            except ValidationError as exc:
                for msg in exc.messages:
                    messages.error(request, msg)
            else:
                messages.success(request, f"已登记 {record.member.name} 返回。")
        return redirect("members:mobile")
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return render(request, "members/mobile_list.html", {"page": page, "form": ReturnForm()})


@login_required
def case_list_view(request):
    """失联党员和口袋党员: open cases until closed."""
    kind = request.GET.get("kind") or None
    cases = selectors.case_list(
        user=request.user, kind=kind, open_only=request.GET.get("all") != "1"
    )
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    return render(
        request, "members/case_list.html", {"page": page, "kind": kind, "kinds": CaseKind.choices}
    )


@login_required
def case_detail_view(request, pk):
    case = selectors.case_get(user=request.user, pk=pk)
    form = CloseCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_case_close(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已办结。")
            return redirect("members:cases")
    return render(request, "members/case_detail.html", {"case": case, "form": form})


@login_required
def member_mobile_view(request, pk):
    member = selectors.member_get(user=request.user, pk=pk)
    form = MobileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        code = data.pop("destination_org_code")
        # The destination may be in another township or county: named by its code alone.
        destination_org = Organization.objects.filter(code=code).first() if code else None
        if code and destination_org is None:
            form.add_error("destination_org_code", f"党组织代码“{code}”不存在。")
        else:
            try:
                services.mobile_register(
                    actor=request.user, member=member, destination_org=destination_org, **data
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, f"已登记 {member.name} 为流动党员。")
                return redirect("members:detail", pk=member.pk)
    return render(
        request,
        "members/member_action.html",
        {"member": member, "form": form, "title": "登记流动党员"},
    )


@login_required
def member_case_view(request, pk):
    member = selectors.member_get(user=request.user, pk=pk)
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.member_case_open(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已登记：{case}")
            return redirect("members:cases")
    return render(
        request,
        "members/member_action.html",
        {"member": member, "form": form, "title": "登记失联或口袋党员"},
    )
