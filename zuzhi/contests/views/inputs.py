"""Data pages: indicator values and their evidence, bonus and penalty items (加减分)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zuzhi.core.params import id_param
from zuzhi.core.uploads import ATTACHMENT_TYPES, attachment_response

from .. import rules, selectors, services
from ..models import (
    AdjustmentKind,
    StageKind,
)
from .common import show_errors, text_field


@login_required
def values_view(request, pk):
    """Indicator data entry (指标数据录入): one row per entrant in scope, one box per leaf."""
    contest = selectors.contest_get(user=request.user, pk=pk)
    stage = contest.stages.filter(kind=StageKind.INDICATORS).first()
    if stage is None:
        raise Http404
    leaves = selectors.leaf_indicators(stage)
    page = Paginator(selectors.entrant_list(user=request.user, contest=contest), 30).get_page(
        request.GET.get("page")
    )
    if request.method == "POST":
        saved, failed = 0, []
        for entrant in page.object_list:
            for leaf in leaves:
                raw = text_field(request.POST, f"v_{entrant.pk}_{leaf.pk}", 30)
                if raw == "":
                    continue
                try:
                    services.indicator_value_set(
                        actor=request.user, entrant=entrant, indicator=leaf, value=raw
                    )
                    saved += 1
                except ValidationError as exc:
                    failed.append(f"{entrant.name}·{leaf.name}：{'；'.join(exc.messages)}")
        for message in failed:
            messages.error(request, message)
        messages.success(request, f"已保存 {saved} 项。")
        return redirect(f"{request.path}?page={page.number}")
    values = {
        (v.entrant_id, v.indicator_id): v
        for v in selectors.indicator_values(user=request.user, contest=contest).filter(
            entrant__in=page.object_list
        )
    }
    rows = []
    for entrant in page:
        cells = [(leaf, values.get((entrant.pk, leaf.pk))) for leaf in leaves]
        rows.append((entrant, cells, any(item for _, item in cells)))
    return render(
        request,
        "contests/values.html",
        {
            "contest": contest,
            "leaves": leaves,
            "rows": rows,
            "page": page,
            "editable": contest.status in rules.EDITABLE,
            "evidence_types": "、".join(ATTACHMENT_TYPES),
        },
    )


@login_required
@require_POST
def value_evidence_view(request, pk):
    """Attach or replace the evidence (佐证材料) of one entrant's value on one leaf indicator."""
    contest = selectors.contest_get(user=request.user, pk=pk)
    entrant = selectors.entrant_get(
        user=request.user, contest=contest, pk=id_param(request.POST, "entrant")
    )
    indicator = selectors.indicator_get(contest=contest, pk=id_param(request.POST, "indicator"))
    try:
        services.indicator_value_evidence_set(
            actor=request.user,
            entrant=entrant,
            indicator=indicator,
            evidence=request.FILES.get("evidence"),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, f"{entrant.name}·{indicator.name}：{message}")
    else:
        messages.success(request, f"已上传“{entrant.name}·{indicator.name}”的佐证材料。")
    page = text_field(request.POST, "page", 10)
    target = redirect("contests:values", contest.pk)
    if page.isascii() and page.isdigit():
        target["Location"] += f"?page={page}"
    return target


@login_required
def value_evidence_download_view(request, pk, entrant_pk, indicator_pk):
    """Download an indicator value's evidence (佐证材料), inside the user's scope."""
    contest = selectors.contest_get(user=request.user, pk=pk)
    item = selectors.indicator_value_get(
        user=request.user, contest=contest, entrant_pk=entrant_pk, indicator_pk=indicator_pk
    )
    return attachment_response(
        item.evidence, actor=request.user, target=item, org_path=contest.organization.path
    )


@login_required
def adjustments_view(request, pk):
    contest = selectors.contest_get(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            entrant = selectors.entrant_get(
                user=request.user, contest=contest, pk=id_param(request.POST, "entrant")
            )
            services.adjustment_request(
                actor=request.user,
                entrant=entrant,
                kind=text_field(request.POST, "kind", 10),
                amount=text_field(request.POST, "amount", 20),
                reason=text_field(request.POST, "reason"),
                evidence=request.FILES.get("evidence"),
            )
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, "已申报，待主办单位审核。")
        return redirect("contests:adjustments", contest.pk)
    return render(
        request,
        "contests/adjustments.html",
        {
            "contest": contest,
            "manager": rules.can_manage(request.user, contest),
            "items": selectors.adjustment_list(user=request.user, contest=contest)[:500],
            "entrants": selectors.entrant_list(user=request.user, contest=contest),
            "kinds": AdjustmentKind.choices,
        },
    )


@login_required
@require_POST
def adjustment_decide_view(request, pk, item_pk):
    contest = selectors.contest_get(user=request.user, pk=pk)
    item = selectors.adjustment_get(user=request.user, contest=contest, pk=item_pk)
    try:
        services.adjustment_decide(
            actor=request.user,
            adjustment=item,
            approve=request.POST.get("approve") == "1",
            note=text_field(request.POST, "note"),
        )
    except ValidationError as exc:
        show_errors(request, exc)
    return redirect("contests:adjustments", contest.pk)


@login_required
def evidence_view(request, pk, item_pk):
    """Download a bonus/penalty item's evidence (佐证材料), inside the user's scope."""
    contest = selectors.contest_get(user=request.user, pk=pk)
    item = selectors.adjustment_get(user=request.user, contest=contest, pk=item_pk)
    return attachment_response(
        item.evidence, actor=request.user, target=item, org_path=contest.organization.path
    )
