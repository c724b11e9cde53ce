"""Platform and care pages of the talent office (人才平台, 关心关爱): platforms with their
people, care events with who took part, and the yearly visit check (年度走访). Thin over
selectors and services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zuzhi.core.forms import apply_service_errors
from zuzhi.core.params import id_param, text_param

from . import selectors, services
from .forms import CareEventForm, PlatformForm, PlatformPersonForm
from .models import CareKind, PlatformPerson
from .scoping import talent_county
from .views import office_only


def _year(request) -> int:
    """The year asked for (?year=), this year when absent or outside 2000–2100."""
    year = text_param(request.GET, "year")
    if year.isascii() and year.isdigit() and 2000 <= int(year) <= 2100:
        return int(year)
    return timezone.localdate().year


@office_only
def platforms_view(request):
    return render(
        request, "talent/platforms.html", {"platforms": selectors.platforms(user=request.user)}
    )


def _platform_form(request, platform=None):
    initial = {f: getattr(platform, f) for f in services.PLATFORM_FIELDS} if platform else None
    form = PlatformForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            platform = services.platform_save(
                actor=request.user,
                county=talent_county(request.user),
                platform=platform,
                data=form.cleaned_data,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已保存人才平台。")
            return form, redirect("talent:platform", platform.pk)
    return form, None


@office_only
def platform_create_view(request):
    form, done = _platform_form(request)
    return done or render(request, "talent/platform_form.html", {"form": form, "platform": None})


@office_only
def platform_edit_view(request, pk):
    platform = selectors.platform_get(user=request.user, pk=pk)
    form, done = _platform_form(request, platform)
    return done or render(
        request, "talent/platform_form.html", {"form": form, "platform": platform}
    )


@office_only
def platform_view(request, pk):
    platform = selectors.platform_get(user=request.user, pk=pk)
    form = PlatformPersonForm(
        request.POST or None, talents=selectors.talent_choices(user=request.user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        talent = (
            selectors.talent_get(user=request.user, pk=data["talent"]) if data["talent"] else None
        )
        try:
            services.platform_person_add(
                actor=request.user,
                platform=platform,
                role=data["role"],
                talent=talent,
                name=data["name"],
                affiliation=data["affiliation"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已添加平台人员。")
            return redirect("talent:platform", platform.pk)
    return render(
        request,
        "talent/platform.html",
        {
            "platform": platform,
            "people": selectors.platform_people(platform=platform),
            "form": form,
        },
    )


@office_only
@require_POST
def platform_person_remove_view(request, pk):
    person = PlatformPerson.objects.select_related("platform__county").get_visible_or_404(
        request.user, pk=pk
    )
    services.platform_person_remove(actor=request.user, person=person)
    messages.success(request, f"已移除{person}。")
    return redirect("talent:platform", person.platform_id)


@office_only
def care_list_view(request):
    year = _year(request)
    kind = request.GET.get("kind", "")
    kind = kind if kind in CareKind.values else ""
    page = Paginator(selectors.care_events(user=request.user, kind=kind, year=year), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "talent/care_list.html",
        {
            "page": page,
            "year": year,
            "kind": kind,
            "kinds": CareKind.choices,
            "query": f"year={year}&kind={kind}",
            "not_visited": selectors.not_visited(user=request.user, year=year).count(),
        },
    )


def _care_form(request, event=None):
    initial = None
    if event:
        initial = {f: getattr(event, f) for f in services.CARE_FIELDS}
        initial["talents"] = list(event.talents.values_list("pk", flat=True))
    else:
        wanted = id_param(request.GET, "talent")
        initial = {"held_on": timezone.localdate(), "talents": [wanted] if wanted else []}
        if request.GET.get("kind") in CareKind.values:
            initial["kind"] = request.GET["kind"]
    form = CareEventForm(
        request.POST or None,
        initial=initial,
        talents=selectors.talent_choices(user=request.user, keep=initial.get("talents", ())),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        talents = list(
            selectors.talents_visible(user=request.user).filter(pk__in=data.pop("talents"))
        )
        try:
            event = services.care_event_save(
                actor=request.user,
                county=talent_county(request.user),
                event=event,
                data=data,
                talents=talents,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已登记关心关爱活动。")
            return form, redirect("talent:care_event", event.pk)
    return form, None


@office_only
def care_create_view(request):
    form, done = _care_form(request)
    return done or render(request, "talent/care_form.html", {"form": form, "event": None})


@office_only
def care_edit_view(request, pk):
    event = selectors.care_event_get(user=request.user, pk=pk)
    form, done = _care_form(request, event)
    return done or render(request, "talent/care_form.html", {"form": form, "event": event})


@office_only
def care_event_view(request, pk):
    event = selectors.care_event_get(user=request.user, pk=pk)
    return render(
        request,
        "talent/care_event.html",
        {"event": event, "talents": event.talents.order_by("name")},
    )


@office_only
def visits_view(request):
    """年度走访: the high-level talents not yet visited this year (a reminder list, with a
    link that opens the visit form for one of them)."""
    year = _year(request)
    page = Paginator(selectors.not_visited(user=request.user, year=year), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request, "talent/visits.html", {"page": page, "year": year, "query": f"year={year}"}
    )
