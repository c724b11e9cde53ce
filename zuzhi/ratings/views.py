"""Star rating pages (星级评定): per scheme and period, the table of subjects with their
stars, the proposals waiting for the county, the 升星/降星 page and each subject's history."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zuzhi.core.export import xlsx_response
from zuzhi.core.forms import apply_service_errors
from zuzhi.core.params import id_param
from zuzhi.core.uploads import attachment_response
from zuzhi.orgs.selectors import org_get

from . import selectors, services
from .models import AwardStatus, StarScheme
from .periods import period_name, period_previous, period_recent, period_valid

PAGE_SIZE = 50


def _period(request, scheme: StarScheme) -> str:
    period = (request.GET.get("period") or request.POST.get("period") or "").strip().upper()
    return period if period_valid(scheme.period_kind, period) else selectors.current_period(scheme)


def _periods(scheme: StarScheme, period: str) -> list[tuple[str, str]]:
    labels = period_recent(scheme.period_kind, timezone.localdate())
    if period not in labels:
        labels.append(period)
    return [(label, period_name(label)) for label in labels]


def _level(request) -> int | None:
    value = request.GET.get("level", "")
    return int(value) if value.isdigit() else None


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return query.urlencode()


def _subject_columns(scheme: StarScheme, subject) -> tuple[str, str]:
    """Name and the organization above it: a member's branch, a branch's township."""
    if selectors.is_member_scheme(scheme):
        return subject.name, subject.organization.name
    return subject.name, subject.parent.name if subject.parent_id else ""


def _board_url(scheme: StarScheme, period: str) -> str:
    return f"{reverse('ratings:board', args=[scheme.code])}?period={period}"


@login_required
def rating_list_view(request):
    """The schemes, each with this period's level distribution in the user's scope."""
    cards = []
    for scheme in selectors.scheme_list(user=request.user):
        period = selectors.current_period(scheme)
        cards.append(
            {
                "scheme": scheme,
                "period": period,
                "period_name": period_name(period),
                "levels": selectors.level_distribution(
                    user=request.user, scheme=scheme, period=period
                ),
                "pending": selectors.award_list(
                    user=request.user, scheme=scheme, period=period, status=AwardStatus.PROPOSED
                ).count(),
                "settings": services.scheme_may_edit(request.user, scheme)
                or bool(services.scheme_adopt_targets(request.user, scheme)),
            }
        )
    return render(
        request,
        "ratings/scheme_list.html",
        {"cards": cards},
    )


@login_required
def board_view(request, code):
    """评定表: every subject in scope with its stars and level for one period."""
    scheme = selectors.scheme_get(user=request.user, code=code)
    period = _period(request, scheme)
    q = (request.GET.get("q") or "").strip()
    level = _level(request)
    qs = selectors.subject_levels(
        user=request.user, scheme=scheme, period=period, q=q or None, level=level
    )
    stars = list(scheme.stars.all())
    if request.GET.get("export") == "xlsx":
        rows = selectors.subject_rows(scheme=scheme, period=period, subjects=qs)
        marks = {AwardStatus.CONFIRMED: "★", AwardStatus.PROPOSED: "待确认"}
        member = selectors.is_member_scheme(scheme)
        return xlsx_response(
            actor=request.user,
            filename=f"{scheme.name}{period_name(period)}",
            headers=[
                "姓名" if member else "党组织",
                "所在党组织" if member else "上级党组织",
                *[s.name for s in stars],
                "星级",
                "待确认",
            ],
            rows=(
                [
                    *_subject_columns(scheme, r.subject),
                    *[marks.get(a.status, "") if a else "" for _, a in r.cells],
                    r.level,
                    r.proposed,
                ]
                for r in rows
            ),
            target_type="ratings.staraward",
            message=f"导出{scheme.name}{period_name(period)}评定表 {len(rows)} 行",
        )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rights = services.rating_rights(request.user)
    rows = [
        (r, *_subject_columns(scheme, r.subject), rights.can_propose(_org_of(scheme, r.subject)))
        for r in selectors.subject_rows(scheme=scheme, period=period, subjects=page)
    ]
    return render(
        request,
        "ratings/board.html",
        {
            "scheme": scheme,
            "stars": stars,
            "period": period,
            "period_name": period_name(period),
            "periods": _periods(scheme, period),
            "levels": selectors.level_distribution(user=request.user, scheme=scheme, period=period),
            "quotas": list(scheme.quotas.all()),
            "page": page,
            "rows": rows,
            "q": q,
            "level": level,
            "query": _query(request),
            "may_propose": bool(rights.propose_roots),
            "pending": selectors.award_list(
                user=request.user, scheme=scheme, period=period, status=AwardStatus.PROPOSED
            ).count(),
        },
    )


def _org_of(scheme: StarScheme, subject):
    return subject.organization if selectors.is_member_scheme(scheme) else subject


class ProposeForm(forms.Form):
    star = forms.ChoiceField(label="星")
    evidence = forms.CharField(
        label="评定依据",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="写明达到该星标准的事实；或上传证明材料。",
    )
    evidence_file = forms.FileField(label="证明材料", required=False)

    def __init__(self, *args, stars, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["star"].choices = [(s.pk, s.name) for s in stars]


@login_required
def propose_view(request, code):
    """申报: one star for one subject, with evidence."""
    scheme = selectors.scheme_get(user=request.user, code=code)
    period = _period(request, scheme)
    subject = selectors.subject_get(
        user=request.user,
        scheme=scheme,
        pk=request.GET.get("subject") or request.POST.get("subject"),
    )
    stars = list(scheme.stars.all())
    form = ProposeForm(
        request.POST or None,
        request.FILES or None,
        stars=stars,
        initial={"star": request.GET.get("star")},
    )
    if request.method == "POST" and form.is_valid():
        star = next(s for s in stars if str(s.pk) == form.cleaned_data["star"])
        try:
            services.award_propose(
                actor=request.user,
                star=star,
                period=period,
                subject=subject,
                evidence=form.cleaned_data["evidence"],
                evidence_file=form.cleaned_data["evidence_file"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已申报“{star.name}”，等待县委组织部确认。")
            return redirect(_board_url(scheme, period))
    return render(
        request,
        "ratings/propose.html",
        {
            "scheme": scheme,
            "subject": subject,
            "subject_columns": _subject_columns(scheme, subject),
            "period": period,
            "period_name": period_name(period),
            "form": form,
        },
    )


@login_required
def pending_view(request, code):
    """待确认: proposals of the period; the county confirms them here, several at once."""
    scheme = selectors.scheme_get(user=request.user, code=code)
    period = _period(request, scheme)
    qs = selectors.award_list(
        user=request.user, scheme=scheme, period=period, status=AwardStatus.PROPOSED
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rights = services.rating_rights(request.user)
    return render(
        request,
        "ratings/pending.html",
        {
            "scheme": scheme,
            "period": period,
            "period_name": period_name(period),
            "periods": _periods(scheme, period),
            "page": page,
            "rows": [
                (
                    a,
                    *_subject_columns(scheme, a.subject),
                    rights.can_confirm(a.subject_organization),
                )
                for a in page
            ],
            "may_confirm": bool(rights.confirm_roots),
            "query": _query(request),
        },
    )


@login_required
@require_POST
def confirm_view(request, code):
    scheme = selectors.scheme_get(user=request.user, code=code)
    period = _period(request, scheme)
    awards = selectors.award_get_many(user=request.user, pks=request.POST.getlist("award"))
    try:
        services.award_confirm(actor=request.user, awards=awards)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, f"已确认 {len(awards)} 颗星。")
    return redirect(f"{reverse('ratings:pending', args=[scheme.code])}?period={period}")


@login_required
@require_POST
def carry_over_view(request, code):
    scheme = selectors.scheme_get(user=request.user, code=code)
    period = _period(request, scheme)
    try:
        count = services.awards_carry_over(actor=request.user, scheme=scheme, period=period)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(
            request,
            f"已按{period_name(period_previous(period))}的评定申报 {count} 颗星，等待县委组织部确认。",
        )
    return redirect(_board_url(scheme, period))


@login_required
def award_view(request, pk):
    award = selectors.award_get(user=request.user, pk=pk)
    rights = services.rating_rights(request.user)
    org = award.subject_organization
    return render(
        request,
        "ratings/award.html",
        {
            "award": award,
            "scheme": award.scheme,
            "period_name": period_name(award.period),
            "subject_columns": _subject_columns(award.scheme, award.subject),
            "may_confirm": award.status == AwardStatus.PROPOSED and rights.can_confirm(org),
            "may_withdraw": (
                award.status == AwardStatus.CONFIRMED
                and rights.can_confirm(org)
                or award.status == AwardStatus.PROPOSED
                and rights.can_propose(org)
            ),
            "reason_error": request.GET.get("reason_error"),
        },
    )


@login_required
@require_POST
def award_action_view(request, pk, action):
    award = selectors.award_get(user=request.user, pk=pk)
    try:
        if action == "confirm":
            services.award_confirm(actor=request.user, awards=[award])
            done = "已确认。"
        elif action == "withdraw":
            services.award_withdraw(
                actor=request.user, award=award, reason=request.POST.get("reason", "")
            )
            done = "已撤销。"
        else:
            raise Http404
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, done)
    return redirect("ratings:award", pk=award.pk)


@login_required
def evidence_view(request, pk):
    """The evidence file, under the award's scope (files are never served publicly)."""
    award = selectors.award_get(user=request.user, pk=pk)
    return attachment_response(
        award.evidence_file,
        actor=request.user,
        target=award,
        org_path=award.subject_organization.path,
        filename=award.evidence_name or "证明材料",
    )


@login_required
def changes_view(request, code):
    """升星/降星: subjects whose level in the period differs from the period before."""
    scheme = selectors.scheme_get(user=request.user, code=code)
    period = _period(request, scheme)
    direction = (
        request.GET.get("direction") if request.GET.get("direction") in ("up", "down") else None
    )
    q = (request.GET.get("q") or "").strip()
    qs = selectors.level_changes(
        user=request.user, scheme=scheme, period=period, direction=direction, q=q or None
    )
    previous = period_previous(period)
    member = selectors.is_member_scheme(scheme)
    if request.GET.get("export") == "xlsx":
        rows = selectors.change_rows(scheme=scheme, period=period, subjects=qs)
        return xlsx_response(
            actor=request.user,
            filename=f"{scheme.name}{period_name(period)}升降星",
            headers=[
                "姓名" if member else "党组织",
                "所在党组织" if member else "上级党组织",
                f"{period_name(previous)}星级",
                f"{period_name(period)}星级",
                "变化",
                "新得的星",
                "失去的星",
            ],
            rows=(
                [
                    *_subject_columns(scheme, r.subject),
                    r.previous_level,
                    r.level,
                    "升星" if r.level > r.previous_level else "降星",
                    "、".join(r.gained),
                    "、".join(r.lost),
                ]
                for r in rows
            ),
            target_type="ratings.staraward",
            message=f"导出{scheme.name}{period_name(period)}升降星 {len(rows)} 行",
        )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "ratings/changes.html",
        {
            "scheme": scheme,
            "period": period,
            "period_name": period_name(period),
            "previous_name": period_name(previous),
            "periods": _periods(scheme, period),
            "direction": direction,
            "q": q,
            "page": page,
            "rows": [
                (r, *_subject_columns(scheme, r.subject))
                for r in selectors.change_rows(scheme=scheme, period=period, subjects=page)
            ],
            "counts": selectors.change_counts(user=request.user, scheme=scheme, period=period),
            "query": _query(request),
        },
    )


@login_required
def history_view(request, code, pk):
    """One subject's stars, period by period, withdrawn ones with their reasons."""
    scheme = selectors.scheme_get(user=request.user, code=code)
    subject = selectors.subject_get(user=request.user, scheme=scheme, pk=pk)
    return render(
        request,
        "ratings/history.html",
        {
            "scheme": scheme,
            "subject": subject,
            "subject_columns": _subject_columns(scheme, subject),
            "history": [
                (h, period_name(h.period))
                for h in selectors.subject_history(scheme=scheme, subject=subject)
            ],
        },
    )


@login_required
def settings_view(request, code):
    """方案设置: star names and quotas, for the county department holding the scheme; a
    county on the default may adopt its own copy here."""
    scheme = selectors.scheme_get(user=request.user, code=code)
    may_edit = services.scheme_may_edit(request.user, scheme)
    adopt_targets = services.scheme_adopt_targets(request.user, scheme)
    if not may_edit and not adopt_targets:
        raise Http404("未找到该页面。")
    stars = list(scheme.stars.all())
    levels = range(len(stars), 0, -1)
    errors: list[str] = []
    if request.method == "POST" and may_edit:
        quotas: dict[int, Decimal | None] = {}
        for level in levels:
            value = request.POST.get(f"quota_{level}", "").strip().rstrip("%")
            try:
                quotas[level] = Decimal(value) / 100 if value else None
            except InvalidOperation:
                errors.append(f"{level} 星的名额比例应为数字。")
        if not errors:
            try:
                services.scheme_update(
                    actor=request.user,
                    scheme=scheme,
                    star_names=[request.POST.get(f"star_{s.pk}", "") for s in stars],
                    quotas=quotas,
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, "已保存评星方案。")
                return redirect("ratings:settings", code=scheme.code)
    shares = {q.level: q.max_share * 100 for q in scheme.quotas.all()}
    return render(
        request,
        "ratings/settings.html",
        {
            "scheme": scheme,
            "stars": [(s, request.POST.get(f"star_{s.pk}", s.name)) for s in stars],
            "quotas": [
                (
                    level,
                    request.POST.get(f"quota_{level}")
                    if request.method == "POST"
                    else (f"{shares[level]:g}" if level in shares else ""),
                )
                for level in levels
            ],
            "errors": errors,
            "may_edit": may_edit,
            "adopt_targets": adopt_targets,
        },
    )


@login_required
@require_POST
def adopt_view(request, code):
    """采用本县方案: the county's own copy of a default scheme."""
    scheme = selectors.scheme_get(user=request.user, code=code)
    organization = org_get(user=request.user, pk=id_param(request.POST, "organization"))
    try:
        copy = services.scheme_adopt(actor=request.user, scheme=scheme, organization=organization)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
        return redirect("ratings:settings", code=scheme.code)
    messages.success(request, f"{organization.name}已采用本县“{copy.name}”方案，可在此修改。")
    return redirect("ratings:settings", code=copy.code)
