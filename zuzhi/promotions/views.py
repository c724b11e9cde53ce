"""Pages of assessment rounds (年度考核) and promotion rounds (职级晋升): thin adapters over
services and selectors; one URL per action."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zuzhi.cadres.models import AssessmentResult, Rank
from zuzhi.cadres.rank_selectors import require_cadre_staff
from zuzhi.cadres.selectors import cadre_unit
from zuzhi.core.forms import apply_service_errors
from zuzhi.core.params import id_param, object_id, text_param

from . import selectors, services
from .forms import AssessmentOpenForm, DecideForm, OfferForm, PromotionRoundForm
from .models import AssessmentStatus, PromotionStatus

# --- promotion rounds --------------------------------------------------------------------------


@login_required
def round_list_view(request):
    rounds = selectors.promotion_round_list(user=request.user)
    return render(request, "promotions/rounds.html", {"rounds": rounds})


@login_required
def round_create_view(request):
    require_cadre_staff(request.user)
    form = PromotionRoundForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.promotion_round_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已新建“{round_.name}”，请安排各单位晋升名额。")
            return redirect("promotions:round", round_.pk)
    return render(request, "promotions/round_form.html", {"form": form})


def _detail(request, round_, offer_form=None):
    return render(
        request,
        "promotions/round_detail.html",
        {
            "round": round_,
            "offers": selectors.promotion_offers(user=request.user, round_=round_),
            "decisions": round_.decisions.select_related("cadre", "offer__organization").order_by(
                "offer__organization__path", "offer__rank", "-score"
            ),
            "form": offer_form or OfferForm(user=request.user),
            "open": round_.status == PromotionStatus.OPEN,
        },
    )


@login_required
def round_detail_view(request, pk):
    round_ = selectors.promotion_round_get(user=request.user, pk=pk)
    return _detail(request, round_)


@login_required
@require_POST
def offer_set_view(request, pk):
    round_ = selectors.promotion_round_get(user=request.user, pk=pk)
    form = OfferForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.promotion_offer_set(actor=request.user, round_=round_, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已保存晋升名额。")
            return redirect("promotions:round", round_.pk)
    return _detail(request, round_, offer_form=form)


def _eligible(request, round_, *, chosen=None, form=None, errors=()):
    """The eligible list (符合条件人选) with its filters; the decide form under it."""
    rank = text_param(request.GET, "rank")
    rank = rank if rank in Rank.values else ""
    org_id = id_param(request.GET, "org")
    unit = cadre_unit(user=request.user, pk=org_id) if org_id else None
    sort = text_param(request.GET, "sort")
    sort = sort if sort in selectors.CANDIDATE_SORTS else "record"
    show_all = request.GET.get("all") == "1"
    rows = selectors.promotion_candidates(
        round_=round_, rank=rank, organization=unit, include_refused=show_all, sort=sort
    )
    if chosen is None:
        chosen = set()
        if request.GET.get("fill") == "1":
            # 按排序选满名额: the first eligible of each offer up to its places, a starting
            # point the officer changes; the order is the record's, not seniority's.
            taken: dict[int, int] = {}
            for c in sorted(rows, key=lambda c: (-c.score, c.cadre.rank_since)):
                if c.eligible and taken.get(c.offer.pk, 0) < c.offer.places:
                    taken[c.offer.pk] = taken.get(c.offer.pk, 0) + 1
                    chosen.add(c.cadre.pk)
    return render(
        request,
        "promotions/eligible.html",
        {
            "round": round_,
            "rows": rows,
            "chosen": chosen,
            "ranks": [
                (r, Rank(r).label)
                for r in sorted({o.rank for o in round_.offers.all()}, key=Rank.values.index)
            ],
            "units": sorted(
                {o.organization for o in round_.offers.select_related("organization")},
                key=lambda u: u.path,
            ),
            "filters": {
                "rank": rank,
                "org": unit.pk if unit else "",
                "sort": sort,
                "all": show_all,
            },
            "open": round_.status == PromotionStatus.OPEN,
            "form": form or DecideForm(),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@login_required
def eligible_view(request, pk):
    round_ = selectors.promotion_round_get(user=request.user, pk=pk)
    return _eligible(request, round_)


@login_required
@require_POST
def decide_view(request, pk):
    round_ = selectors.promotion_round_get(user=request.user, pk=pk)
    chosen = {i for i in (object_id(v) for v in request.POST.getlist("cadre_ids")) if i}
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            decisions = services.promotion_decide(
                actor=request.user, round_=round_, cadre_ids=sorted(chosen), **form.cleaned_data
            )
        except ValidationError as exc:
            return _eligible(request, round_, chosen=chosen, form=form, errors=exc.messages)
        messages.success(request, f"已作出晋升决定：{len(decisions)} 人晋升职级。")
        return redirect("promotions:round", round_.pk)
    return _eligible(request, round_, chosen=chosen, form=form, errors=["请填写生效日期。"])


@login_required
@require_POST
def round_close_view(request, pk):
    round_ = selectors.promotion_round_get(user=request.user, pk=pk)
    try:
        services.promotion_round_close(actor=request.user, round_=round_)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "本轮职级晋升已结束。")
    return redirect("promotions:round", round_.pk)


# --- annual assessment -------------------------------------------------------------------------


@login_required
def assessment_list_view(request):
    """年度考核: the rounds by unit and year, and opening one."""
    require_cadre_staff(request.user)
    form = AssessmentOpenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.assessment_round_open(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已开始{round_}。")
            return redirect("promotions:assessment", round_.pk)
    org_id = id_param(request.GET, "org")
    year = text_param(request.GET, "year")
    rounds = selectors.assessment_round_list(
        user=request.user,
        organization=cadre_unit(user=request.user, pk=org_id) if org_id else None,
        year=int(year) if year.isdigit() and 1900 <= int(year) <= 2100 else None,
    )
    return render(
        request, "promotions/assessments.html", {"rounds": rounds, "form": form, "year": year}
    )


@login_required
def assessment_sheet_view(request, pk):
    """The grading page (评定等次): every cadre of the unit on one page, 优秀 capped."""
    round_ = selectors.assessment_round_get(user=request.user, pk=pk)
    errors, posted = [], {}
    if request.method == "POST":
        for key, value in request.POST.items():
            cadre_id = object_id(key.removeprefix("grade_")) if key.startswith("grade_") else None
            if cadre_id and value:
                posted[cadre_id] = value
        try:
            n = services.assessment_grades_set(actor=request.user, round_=round_, grades=posted)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, f"已保存 {n} 名干部的等次。")
            return redirect("promotions:assessment", round_.pk)
    sheet = selectors.assessment_sheet(round_)
    rows = [(c, posted.get(c.pk, result)) for c, result in sheet.rows]
    return render(
        request,
        "promotions/assessment_sheet.html",
        {
            "round": round_,
            "sheet": sheet,
            "rows": rows,
            "choices": AssessmentResult.choices,
            "open": round_.status == AssessmentStatus.OPEN,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def assessment_close_view(request, pk):
    round_ = selectors.assessment_round_get(user=request.user, pk=pk)
    try:
        services.assessment_round_close(actor=request.user, round_=round_)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "年度考核已结束。")
    return redirect("promotions:assessment", round_.pk)
