"""Contest pages: the list, copies of templates, the detail page, the rules page, the
contest's actions (start, add all, compute, revise) and adding entrants.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zuzhi.core.params import id_param
from zuzhi.orgs.picker import OrgPicker
from zuzhi.orgs.selectors import org_get

from .. import forms, rules, selectors, services
from ..models import (
    PERSON_TRACKS,
    Aggregation,
    ContestStatus,
    Direction,
    EdgeTies,
    Method,
    StageKind,
    Track,
    TrimOn,
    VoteMethod,
)
from ..rules import TRACK_UNITS
from .common import PAGE_SIZE, show_errors, text_field


@login_required
def contest_list_view(request):
    search = text_field(request.GET, "q", 50)
    page = Paginator(selectors.contest_list(user=request.user, search=search), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "contests/contest_list.html",
        {
            "page": page,
            "q": search,
            "query": urlencode({"q": search}) if search else "",
            "templates": selectors.contest_list(user=request.user, templates=True),
            "can_create": bool(rules.creatable_tracks(request.user)),
            "judging": selectors.judge_stages(user=request.user),
        },
    )


@login_required
def contest_create_view(request):
    """Set up a contest (新建考评): name, track, period and organizer; the scoring rules are
    then set on the rules page. The tracks offered are those the user may organize."""
    tracks = rules.creatable_tracks(request.user)
    if not tracks:
        raise Http404
    if request.method == "POST":
        track = text_field(request.POST, "track", 16)
        try:
            organization = selectors.organizer_get(
                user=request.user, pk=id_param(request.POST, "organization"), track=track
            )
            contest = services.contest_create(
                actor=request.user,
                organization=organization,
                data={
                    "name": text_field(request.POST, "name", 100),
                    "track": track if track in dict(tracks) else "",
                    "period_label": text_field(request.POST, "period_label", 32),
                },
            )
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, "已新建，请设置计分办法并添加参评对象。")
            return redirect("contests:edit", contest.pk)
    return render(
        request,
        "contests/contest_create.html",
        {
            "tracks": tracks,
            "organizers": selectors.organizer_choices(user=request.user),
            "posted": request.POST,
        },
    )


@login_required
def contest_copy_view(request, pk):
    source = selectors.contest_get(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            organization = selectors.organizer_get(
                user=request.user, pk=id_param(request.POST, "organization"), track=source.track
            )
            contest = services.contest_copy(
                actor=request.user,
                source=source,
                organization=organization,
                name=text_field(request.POST, "name", 100),
                period_label=text_field(request.POST, "period_label", 32),
            )
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, "已按模板新建考评竞赛，请添加参评对象后开始。")
            return redirect("contests:detail", contest.pk)
    return render(
        request,
        "contests/contest_copy.html",
        {
            "source": source,
            "roots": selectors.organizer_choices(user=request.user),
            "posted": request.POST,
        },
    )


def _detail_context(request, contest):
    manager = rules.can_manage(request.user, contest)
    stages = list(contest.stages.prefetch_related("criteria", "rater_groups", "indicators"))
    search = text_field(request.GET, "q", 50)
    entrants = Paginator(
        selectors.entrant_list(user=request.user, contest=contest, search=search), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return {
        "contest": contest,
        "manager": manager,
        # Organizations of the track's kind, chosen by name; the service checks the rest.
        "entrant_picker": OrgPicker(
            name="organization",
            id="id_org",
            unit_categories=tuple(sorted(TRACK_UNITS.get(contest.track) or ())),
        )
        if manager and contest.track not in PERSON_TRACKS
        else None,
        "stages": stages,
        "entrants": entrants,
        "q": search,
        "query": urlencode({"q": search}) if search else "",
        "problems": services.contest_problems(contest)
        if manager and contest.status == ContestStatus.DRAFT
        else [],
        "published": selectors.published_version(contest),
        "has_vote": any(s.kind == StageKind.PUBLIC_VOTE for s in stages),
        "has_indicators": any(s.kind == StageKind.INDICATORS for s in stages),
    }


@login_required
def contest_detail_view(request, pk):
    contest = selectors.contest_get(user=request.user, pk=pk)
    if contest.is_template:
        return redirect("contests:copy", contest.pk)
    if selectors.is_judge_only(request.user, contest):
        return redirect("contests:judging")
    return render(request, "contests/contest_detail.html", _detail_context(request, contest))


def _tiers_text(tiers) -> str:
    return "，".join(f"{t['name']}:{t['min']}" for t in tiers or [])


def _tiers_from_text(text: str) -> list[dict]:
    """ "优秀:90，良好:80" → [{"name": "优秀", "min": "90"}, …]; checked by the service."""
    tiers = []
    for part in text.replace("，", ",").replace("：", ":").split(","):
        name, _, low = part.partition(":")
        if name.strip():
            tiers.append({"name": name.strip()[:20], "min": low.strip() or None})
    return tiers


@login_required
def contest_edit_view(request, pk):
    """The rules page (计分办法与基本信息) of a contest still in preparation."""
    contest = selectors.contest_get(user=request.user, pk=pk)
    rules.require_manager(request.user, contest)
    if request.method == "POST":
        data = {
            "name": text_field(request.POST, "name", 100),
            "period_label": text_field(request.POST, "period_label", 32),
            "description": text_field(request.POST, "description", 2000),
            "tiers": _tiers_from_text(text_field(request.POST, "tiers", 500)),
        }
        data["edge_ties"] = text_field(request.POST, "edge_ties", 8) or EdgeTies.ALL_IN
        for field in ("top_n", "red_list_size", "black_list_size", "supervision_days"):
            raw = text_field(request.POST, field, 6)
            data[field] = int(raw) if raw.isascii() and raw.isdigit() else raw or None
        for field in ("bonus_limit", "penalty_limit"):
            data[field] = text_field(request.POST, field, 10) or "0"
        try:
            with transaction.atomic():
                services.contest_update(actor=request.user, contest=contest, data=data)
                if contest.status == ContestStatus.DRAFT:
                    services.contest_configure(
                        actor=request.user,
                        contest=contest,
                        stages=forms.stages_from_post(request.POST),
                    )
        except ValidationError as exc:
            show_errors(request, exc)
            contest.refresh_from_db()
        else:
            messages.success(request, "已保存。")
            return redirect("contests:detail", contest.pk)
    return render(
        request,
        "contests/contest_edit.html",
        {
            "contest": contest,
            "tiers": _tiers_text(contest.tiers),
            "edge_ties": EdgeTies.choices,
            "stages": forms.form_stages(services.stage_specs(contest)),
            "kinds": StageKind.choices,
            "methods": Method.choices,
            "directions": Direction.choices,
            "aggregations": Aggregation.choices,
            "trims": TrimOn.choices,
            "vote_methods": VoteMethod.choices,
        },
    )


@login_required
@require_POST
def contest_action_view(request, pk, action):
    contest = selectors.contest_get(user=request.user, pk=pk)
    actions = {
        "start": lambda: services.contest_start(actor=request.user, contest=contest),
        "add_all": lambda: services.entrants_add_eligible(actor=request.user, contest=contest),
        "compute": lambda: services.result_compute(actor=request.user, contest=contest),
        "revise": lambda: services.result_revise(
            actor=request.user, contest=contest, reason=text_field(request.POST, "reason")
        ),
    }
    if action not in actions:
        raise Http404
    try:
        actions[action]()
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, "已完成。")
        if action == "compute":
            return redirect("contests:results", contest.pk)
    return redirect("contests:detail", contest.pk)


@login_required
@require_POST
def entrant_add_view(request, pk):
    """Add an entrant: an organization chosen with the picker, a member found by name,
    pinyin initials or whole ID number inside the user's scope, or a talent of the talent
    office's registry found the same way."""
    from zuzhi.members.selectors import member_list
    from zuzhi.talent.selectors import talent_list

    contest = selectors.contest_get(user=request.user, pk=pk)
    try:
        member, organization, talent = None, None, None
        if contest.track == Track.TALENT:
            query = text_field(request.POST, "talent", 30)
            found = list(talent_list(user=request.user, q=query)[:6]) if query else []
            if len(found) != 1:
                raise ValidationError(
                    "请输入人才姓名、拼音首字母或完整身份证号。"
                    if not found
                    else f"找到 {len(found) if len(found) < 6 else '多'} 名人才，请输入完整身份证号。"
                )
            talent = found[0]
        elif contest.track in PERSON_TRACKS:
            query = text_field(request.POST, "member", 30)
            found = list(member_list(user=request.user, q=query)[:6]) if query else []
            if len(found) != 1:
                raise ValidationError(
                    "请输入党员姓名、拼音首字母或完整身份证号。"
                    if not found
                    else f"找到 {len(found) if len(found) < 6 else '多'} 名党员，请输入完整身份证号。"
                )
            member = found[0]
        else:
            picked = id_param(request.POST, "organization")
            organization = org_get(user=request.user, pk=picked) if picked else None
        services.entrant_add(
            actor=request.user,
            contest=contest,
            organization=organization,
            member=member,
            talent=talent,
            story=text_field(request.POST, "story", 5000),
            photo=request.FILES.get("photo"),
        )
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, "已添加参评对象。")
    return redirect("contests:detail", contest.pk)
