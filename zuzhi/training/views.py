"""Training pages (教育培训): catalogue, records, progress by unit and person, the reminder
list, and a cadre's own year. Thin over selectors and services."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zuzhi.cadres.models import Cadre
from zuzhi.cadres.models.scoping import is_cadre_staff
from zuzhi.core.access import may_import
from zuzhi.core.export import xlsx_response
from zuzhi.core.forms import apply_service_errors
from zuzhi.core.idnumber import normalize
from zuzhi.core.params import text_param
from zuzhi.core.scope import user_scope_paths
from zuzhi.members.models import Member

from . import selectors, services
from .forms import CourseForm, RecordForm, RequirementForm
from .models import Group
from .scoping import may_set_requirement

YEAR_MIN, YEAR_MAX = 2000, 2100


def _year(request) -> int:
    raw = request.GET.get("year") or ""
    if raw.isascii() and raw.isdigit() and YEAR_MIN <= int(raw) <= YEAR_MAX:
        return int(raw)
    return timezone.localdate().year


def _groups(user) -> list[str]:
    """The groups whose lists the user reads: cadres for the cadre section, members for
    whoever holds a data scope."""
    groups = []
    if is_cadre_staff(user):
        groups.append(Group.CADRES)
    if user_scope_paths(user):
        groups.append(Group.MEMBERS)
    return groups


def _group(request) -> str:
    groups = _groups(request.user)
    if not groups:
        raise Http404("没有可查看的培训数据。")
    wanted = request.GET.get("group")
    return wanted if wanted in groups else groups[0]


def _context(request, group: str, **extra) -> dict:
    return {
        "group": group,
        "group_label": Group(group).label,
        "groups": [(g, Group(g).label) for g in _groups(request.user)],
        "year": _year(request),
        "may_import": may_import(request.user, "training"),
        **extra,
    }


@login_required
def home_view(request):
    if not _groups(request.user):
        if selectors.own_cadre(user=request.user) is not None:
            return redirect("training:mine")
        raise Http404("没有可查看的培训数据。")
    return redirect("training:progress")


@login_required
def progress_view(request):
    """Each unit's progress; with ?org= the people of that unit, by name."""
    group, year = _group(request), _year(request)
    org = selectors.group_org_param(user=request.user, group=group, value=request.GET.get("org"))
    requirement = selectors.requirement_for(group=group, year=year)
    units = selectors.unit_progress(user=request.user, group=group, year=year, org=org)
    people = None
    if org is not None:
        people = Paginator(
            selectors.people_progress(user=request.user, group=group, year=year, org=org), 50
        ).get_page(request.GET.get("page"))
    return render(
        request,
        "training/progress.html",
        _context(
            request,
            group,
            org=org,
            units=units,
            people=people,
            requirement=requirement,
            query=urlencode({"group": group, "year": year, "org": org.pk if org else ""}),
            may_set=may_set_requirement(request.user, group),
            requirement_form=RequirementForm(
                initial={
                    "group": group,
                    "year": year,
                    "hours": requirement.hours,
                    "courses": requirement.courses,
                }
            ),
        ),
    )


SHORT_HEADERS = ["姓名", "单位", "本年度学时", "课程数", "尚缺学时"]


@login_required
def short_view(request):
    """Who is short of the year's requirement (提醒名单), by unit and name."""
    group, year = _group(request), _year(request)
    org = selectors.group_org_param(user=request.user, group=group, value=request.GET.get("org"))
    people = selectors.short_list(user=request.user, group=group, year=year, org=org)
    requirement = selectors.requirement_for(group=group, year=year)
    page = Paginator(people, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "training/short.html",
        _context(
            request,
            group,
            org=org,
            page=page,
            rows=selectors.short_rows(people=page.object_list, requirement=requirement),
            requirement=requirement,
            query=urlencode({"group": group, "year": year, "org": org.pk if org else ""}),
        ),
    )


@login_required
def short_export_view(request):
    group, year = _group(request), _year(request)
    org = selectors.group_org_param(user=request.user, group=group, value=request.GET.get("org"))
    requirement = selectors.requirement_for(group=group, year=year)
    people = selectors.short_list(user=request.user, group=group, year=year, org=org)
    return xlsx_response(
        actor=request.user,
        filename=f"{year}年{Group(group).label}学时未达标名单",
        headers=SHORT_HEADERS,
        rows=(
            [name, unit, float(hours), courses, float(missing)]
            for name, unit, hours, courses, missing in selectors.short_rows(
                people=people.iterator(chunk_size=2000), requirement=requirement
            )
        ),
        target_type="training.trainingrecord",
        org_path=org.path if org else "",
    )


@login_required
def records_view(request):
    group, year = _group(request), _year(request)
    org = selectors.group_org_param(user=request.user, group=group, value=request.GET.get("org"))
    q = text_param(request.GET, "q")
    course = selectors.course_get(pk=request.GET["course"]) if request.GET.get("course") else None
    records = selectors.record_list(
        user=request.user, year=year, group=group, org=org, course=course, q=q
    )
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "training/records.html",
        _context(
            request,
            group,
            org=org,
            q=q,
            course=course,
            page=page,
            query=urlencode(
                {
                    "group": group,
                    "year": year,
                    "q": q,
                    "org": org.pk if org else "",
                    "course": course.pk if course else "",
                }
            ),
        ),
    )


def _person(user, group: str, id_number: str):
    """The person of the group the user sees with this ID number, or None."""
    model = Cadre if group == Group.CADRES else Member
    return model.objects.visible_to(user).filter(id_number=normalize(id_number)).first()


@login_required
def record_create_view(request):
    group = _group(request)
    form = RecordForm(request.POST or None, initial={"group": group})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = _person(request.user, data["group"], data["id_number"])
        if person is None:
            form.add_error("id_number", "未找到该身份证号的人员，或不在您的管理范围内。")
        else:
            try:
                services.record_create(
                    actor=request.user,
                    course=data["course"],
                    completed_on=data["completed_on"],
                    test_passed=data["test_passed"],
                    **{"cadre" if data["group"] == Group.CADRES else "member": person},
                )
            except ValidationError as exc:
                apply_service_errors(form, exc, {"person": "id_number"})
            else:
                messages.success(request, f"已登记{person.name}的学习记录。")
                return redirect(f"{request.path}?group={data['group']}")
    return render(request, "training/record_form.html", _context(request, group, form=form))


@login_required
def courses_view(request):
    """The catalogue; a POST adds a course."""
    group = _group(request)
    form = CourseForm(request.POST or None, initial={"year": _year(request)})
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已新增课程“{course.title}”。")
            return redirect("training:courses")
    q = text_param(request.GET, "q")
    page = Paginator(selectors.course_list(q=q), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "training/courses.html",
        _context(request, group, form=form, page=page, q=q, query=urlencode({"q": q})),
    )


@login_required
@require_POST
def requirement_view(request):
    form = RequirementForm(request.POST)
    if form.is_valid():
        try:
            services.requirement_set(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "已保存年度学时要求。")
        data = form.cleaned_data
        query = urlencode({"group": data["group"], "year": data["year"]})
        return redirect(f"{reverse('training:progress')}?{query}")
    messages.error(request, "请正确填写年度学时要求。")
    return redirect("training:progress")


def _person_page(request, group: str, pk, mine: bool = False):
    progress = selectors.person_progress(user=request.user, group=group, pk=pk, year=_year(request))
    return render(
        request,
        "training/person.html",
        {"progress": progress, "year": _year(request), "group": group, "mine": mine},
    )


@login_required
def mine_view(request):
    """A cadre's own year: 本年度学时 38 / 50 and the records behind it."""
    cadre = selectors.own_cadre(user=request.user)
    if cadre is None:
        raise Http404("您的账号没有关联干部信息。")
    return _person_page(request, Group.CADRES, cadre.pk, mine=True)


@login_required
def cadre_view(request, cadre_id):
    return _person_page(request, Group.CADRES, cadre_id)


@login_required
def member_view(request, member_id):
    return _person_page(request, Group.MEMBERS, member_id)
