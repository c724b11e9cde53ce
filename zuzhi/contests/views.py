"""Contest pages: thin adapters over zuzhi.contests.services and selectors.

Managers (the organizer's staff) configure, run and publish; townships enter data for their
own entrants; judges score on their phones; the public votes without logging in.
"""

import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zuzhi.core.context import client_ip
from zuzhi.core.export import pdf_response, xlsx_response
from zuzhi.core.uploads import ATTACHMENT_TYPES, attachment_response
from zuzhi.orgs.selectors import org_get, org_roots

from . import forms, selectors, services
from .api import VOTER_COOKIE, VOTER_DEVICE_COOKIE
from .models import (
    PERSON_TRACKS,
    AdjustmentKind,
    Aggregation,
    ContestStatus,
    Direction,
    Method,
    StageKind,
    TrimOn,
    VoteMethod,
)

PAGE_SIZE = 50


def _text(params, name: str, limit: int = 200) -> str:
    return (params.get(name) or "").replace("\x00", "").strip()[:limit]


def _int(params, name: str) -> int:
    raw = _text(params, name, 20)
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) < 2**62:
        raise Http404
    return int(raw)


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def contest_list_view(request):
    search = _text(request.GET, "q", 50)
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
            "judging": selectors.judge_stages(user=request.user),
        },
    )


@login_required
def contest_copy_view(request, pk):
    source = selectors.contest_get(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            organization = org_get(user=request.user, pk=_int(request.POST, "organization"))
            contest = services.contest_copy(
                actor=request.user,
                source=source,
                organization=organization,
                name=_text(request.POST, "name", 100),
                period_label=_text(request.POST, "period_label", 32),
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "已按模板新建考评竞赛，请添加参评对象后开始。")
            return redirect("contests:detail", contest.pk)
    return render(
        request,
        "contests/contest_copy.html",
        {"source": source, "roots": org_roots(user=request.user), "posted": request.POST},
    )


def _detail_context(request, contest):
    manager = services.can_manage(request.user, contest)
    stages = list(contest.stages.prefetch_related("criteria", "rater_groups", "indicators"))
    search = _text(request.GET, "q", 50)
    entrants = Paginator(
        selectors.entrant_list(user=request.user, contest=contest, search=search), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return {
        "contest": contest,
        "manager": manager,
        "eligible": selectors.eligible_organizations(user=request.user, contest=contest)
        if manager and contest.track not in PERSON_TRACKS
        else [],
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
    services.require_manager(request.user, contest)
    if request.method == "POST":
        data = {
            "name": _text(request.POST, "name", 100),
            "period_label": _text(request.POST, "period_label", 32),
            "description": _text(request.POST, "description", 2000),
            "tiers": _tiers_from_text(_text(request.POST, "tiers", 500)),
        }
        for field in ("top_n", "red_list_size", "black_list_size", "supervision_days"):
            raw = _text(request.POST, field, 6)
            data[field] = int(raw) if raw.isascii() and raw.isdigit() else raw or None
        for field in ("bonus_limit", "penalty_limit"):
            data[field] = _text(request.POST, field, 10) or "0"
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
            _errors(request, exc)
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
            actor=request.user, contest=contest, reason=_text(request.POST, "reason")
        ),
    }
    if action not in actions:
        raise Http404
    try:
        actions[action]()
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "已完成。")
        if action == "compute":
            return redirect("contests:results", contest.pk)
    return redirect("contests:detail", contest.pk)


@login_required
@require_POST
def entrant_add_view(request, pk):
    """Add an entrant: an organization picked from the eligible ones, or a member found by
    name, pinyin initials or whole ID number inside the user's scope."""
    from zuzhi.members.selectors import member_list

    contest = selectors.contest_get(user=request.user, pk=pk)
    try:
        member, organization = None, None
        if contest.track in PERSON_TRACKS:
            query = _text(request.POST, "member", 30)
            found = list(member_list(user=request.user, q=query)[:6]) if query else []
            if len(found) != 1:
                raise ValidationError(
                    "请输入党员姓名、拼音首字母或完整身份证号。"
                    if not found
                    else f"找到 {len(found) if len(found) < 6 else '多'} 名党员，请输入完整身份证号。"
                )
            member = found[0]
        else:
            organization = org_get(user=request.user, pk=_int(request.POST, "organization"))
        services.entrant_add(
            actor=request.user,
            contest=contest,
            organization=organization,
            member=member,
            story=_text(request.POST, "story", 5000),
            photo=request.FILES.get("photo"),
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "已添加参评对象。")
    return redirect("contests:detail", contest.pk)


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
                raw = _text(request.POST, f"v_{entrant.pk}_{leaf.pk}", 30)
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
        for v in selectors.indicator_values(contest=contest).filter(entrant__in=page.object_list)
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
            "editable": contest.status in services.EDITABLE,
            "evidence_types": "、".join(ATTACHMENT_TYPES),
        },
    )


@login_required
@require_POST
def value_evidence_view(request, pk):
    """Attach or replace the evidence (佐证材料) of one entrant's value on one leaf indicator."""
    contest = selectors.contest_get(user=request.user, pk=pk)
    entrant = selectors.entrant_get(
        user=request.user, contest=contest, pk=_int(request.POST, "entrant")
    )
    indicator = selectors.indicator_get(contest=contest, pk=_int(request.POST, "indicator"))
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
    page = _text(request.POST, "page", 10)
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
                user=request.user, contest=contest, pk=_int(request.POST, "entrant")
            )
            services.adjustment_request(
                actor=request.user,
                entrant=entrant,
                kind=_text(request.POST, "kind", 10),
                amount=_text(request.POST, "amount", 20),
                reason=_text(request.POST, "reason"),
                evidence=request.FILES.get("evidence"),
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "已申报，待主办单位审核。")
        return redirect("contests:adjustments", contest.pk)
    return render(
        request,
        "contests/adjustments.html",
        {
            "contest": contest,
            "manager": services.can_manage(request.user, contest),
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
            note=_text(request.POST, "note"),
        )
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("contests:adjustments", contest.pk)


# --- judges ---------------------------------------------------------------------------------


def _stage(contest, stage_pk, kind=StageKind.JUDGES):
    stage = contest.stages.filter(pk=stage_pk, kind=kind).first()
    if stage is None:
        raise Http404
    return stage


@login_required
def board_view(request, pk, stage_pk):
    """The secretary's live board (评分进度): call entrants up, see who has scored."""
    contest = selectors.contest_get(user=request.user, pk=pk)
    services.require_manager(request.user, contest)
    stage = _stage(contest, stage_pk)
    if request.method == "POST":
        try:
            if "seat" in request.POST:
                from zuzhi.accounts.models import User

                judge = User.objects.filter(username=_text(request.POST, "seat", 150)).first()
                if judge is None:
                    raise ValidationError("没有这个账号。")
                services.judge_seat(actor=request.user, stage=stage, judge=judge)
            elif "open" in request.POST:
                entrant = selectors.entrant_get(
                    user=request.user, contest=contest, pk=_int(request.POST, "open")
                )
                services.appearance_open(actor=request.user, stage=stage, entrant=entrant)
            elif "close" in request.POST:
                appearance = selectors.current_appearance(stage)
                if appearance is None:
                    raise ValidationError("现在没有正在评分的对象。")
                services.appearance_close(actor=request.user, appearance=appearance)
            elif "correction" in request.POST:
                from .models import ScoreCorrection

                item = ScoreCorrection.objects.filter(
                    pk=_int(request.POST, "correction"), sheet__stage=stage
                ).first()
                if item is None:
                    raise Http404
                services.correction_decide(
                    actor=request.user, correction=item, approve=request.POST.get("approve") == "1"
                )
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("contests:board", contest.pk, stage.pk)
    seats, rows = selectors.judges_board(stage=stage)
    appeared = {r.appearance.entrant_id for r in rows}
    for r in rows:
        r.cells = [
            f"{r.scores[s.seat_no]:g}"
            if r.scores is not None and s.seat_no in r.scores
            else ("✓" if s.seat_no in r.submitted else "…")
            for s in seats
        ]
    template = (
        "contests/_board.html" if request.headers.get("HX-Request") else "contests/board.html"
    )
    return render(
        request,
        template,
        {
            "contest": contest,
            "stage": stage,
            "seats": seats,
            "rows": rows,
            "waiting": [e for e in contest.entrants.order_by("number") if e.pk not in appeared],
            "current": selectors.current_appearance(stage),
            "corrections": selectors.pending_corrections(stage=stage),
        },
    )


@login_required
def judging_view(request):
    """A judge's own stages (我的评分)."""
    return render(
        request, "contests/judging.html", {"stages": selectors.judge_stages(user=request.user)}
    )


@login_required
def score_view(request, stage_pk):
    """The judge's phone page: the entrant on stage, one box per criterion, submit once."""
    stage = selectors.judge_stage_get(user=request.user, pk=stage_pk)
    current = selectors.current_appearance(stage)
    errors: list[str] = []
    if request.method == "POST" and current is not None:
        marks = {str(c.pk): _text(request.POST, f"c_{c.pk}", 10) for c in stage.criteria.all()}
        try:
            if request.POST.get("entrant") != str(current.entrant_id):
                raise ValidationError("台上的参评对象已经变化，请核对后重新打分。")
            services.sheet_submit(
                judge=request.user, stage=stage, entrant=current.entrant, marks=marks
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, f"已提交对“{current.entrant.name}”的评分。")
            return redirect("contests:score", stage.pk)
    sheet = (
        selectors.judge_sheet(stage=stage, judge=request.user, entrant_id=current.entrant_id)
        if current
        else None
    )
    template = (
        "contests/_score.html" if request.headers.get("HX-Request") else "contests/score.html"
    )
    return render(
        request,
        template,
        {
            "stage": stage,
            "current": current,
            "criteria": [(c, _text(request.POST, f"c_{c.pk}", 10)) for c in stage.criteria.all()],
            "sheet": sheet,
            "errors": errors,
            "posted": request.POST,
        },
    )


# --- results --------------------------------------------------------------------------------


@login_required
def results_view(request, pk):
    contest = selectors.contest_get(user=request.user, pk=pk)
    manager = services.can_manage(request.user, contest)
    versions = selectors.result_versions(user=request.user, contest=contest)
    try:
        chosen = int(request.GET.get("v") or 0)
    except ValueError:
        chosen = 0
    version = next((v for v in versions if v.pk == chosen), None) or (
        versions[0] if versions else None
    )
    if request.method == "POST" and "case" in request.POST:
        case = (
            selectors.case_list(user=request.user, contest=contest)
            .filter(pk=_int(request.POST, "case"))
            .first()
        )
        if case is None:
            raise Http404
        try:
            services.case_close(
                actor=request.user, case=case, resolution=_text(request.POST, "resolution", 2000)
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "督办事项已办结。")
        return redirect("contests:results", contest.pk)
    if request.method == "POST" and version is not None:
        try:
            services.result_publish(actor=request.user, version=version)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "结果已发布并锁定。")
        return redirect("contests:results", contest.pk)
    rows = list(selectors.result_rows(user=request.user, version=version)) if version else []
    stages = list(contest.stages.all())
    if request.GET.get("export") in ("xlsx", "pdf") and version is not None:
        headers = [
            "名次",
            "编号",
            "参评对象",
            *[s.name for s in stages],
            "加减分",
            "总分",
            "等次",
            "入选",
            "红黑榜",
            "说明",
        ]
        table = [
            [
                r.rank,
                r.entrant.number,
                r.entrant.name,
                *[r.stage_scores.get(str(s.pk)) for s in stages],
                r.adjustment,
                r.final,
                r.tier,
                "是" if r.selected else "",
                r.get_list_mark_display(),
                r.note,
            ]
            for r in rows
        ]
        filename = f"{contest.name}第{version.number}版结果"
        if request.GET["export"] == "pdf":
            weights = "，".join(f"{s.name} {s.weight:g}%" for s in stages)
            published = (
                f"{timezone.localtime(version.published_at):%Y年%m月%d日}发布"
                if version.published_at
                else "草稿，未发布"
            )
            return pdf_response(
                actor=request.user,
                filename=filename,
                title=f"{contest.name}（{contest.period_label}）考评结果",
                lines=[
                    f"主办单位：{contest.organization.name}。第 {version.number} 版，{published}。",
                    f"计分办法：{weights}。"
                    + (f"更正理由：{version.reason}。" if version.reason else ""),
                ],
                headers=headers,
                rows=table,
                target_type="contests.resultversion",
                org_path=contest.organization.path,
            )
        return xlsx_response(
            actor=request.user,
            filename=filename,
            headers=headers,
            rows=table,
            target_type="contests.resultversion",
            org_path=contest.organization.path,
        )
    chart = {
        "names": [r.entrant.name for r in rows[:50]],
        "finals": [float(r.final) for r in rows[:50]],
        "stages": [{"name": s.name, "max": 100} for s in stages],
        "radar": {
            str(r.entrant_id): [float(r.stage_scores.get(str(s.pk)) or 0) for s in stages]
            for r in rows[:50]
        },
    }
    return render(
        request,
        "contests/results.html",
        {
            "contest": contest,
            "manager": manager,
            "versions": versions,
            "version": version,
            "rows": rows,
            "stages": stages,
            "chart": chart,
            "cases": selectors.case_list(user=request.user, contest=contest),
        },
    )


# --- public vote ----------------------------------------------------------------------------


def public_view(request, pk):
    """The public voting page (群众投票): no login; a phone verified by SMS code votes."""
    data = selectors.public_contest(pk=pk)
    contest = selectors.public_contest_get(pk=pk)
    voter = services.voter_from_token(request.COOKIES.get(VOTER_COOKIE))
    device = request.COOKIES.get(VOTER_DEVICE_COOKIE) or secrets.token_hex(16)
    notice, error, token = "", "", None
    if request.method == "POST":
        try:
            if "send" in request.POST:
                services.vote_code_send(
                    contest=contest, phone=_text(request.POST, "phone", 20), ip=client_ip(request)
                )
                notice = "验证码已发送，请查看短信。"
            elif "verify" in request.POST:
                voter = services.vote_code_verify(
                    phone=_text(request.POST, "phone", 20),
                    code=_text(request.POST, "code", 10),
                    ip=client_ip(request),
                )
                token = services.voter_token(voter)
                notice = "验证成功，请投票。"
            elif "entrant" in request.POST:
                if voter is None:
                    raise services.VoteRefused("请先用手机号码验证后再投票。")
                services.vote_cast(
                    stage=services.public_vote_stage(contest),
                    entrant_id=_text(request.POST, "entrant", 20),
                    voter=voter,
                    device=device,
                    ip=client_ip(request),
                )
                notice = "投票成功，谢谢参与！"
                data = selectors.public_contest(pk=pk)
        except ValidationError as exc:
            error = exc.messages[0]
    response = render(
        request,
        "contests/public.html",
        {
            "data": data,
            "voter": voter,
            "notice": notice,
            "error": error,
            "posted": request.POST,
        },
    )
    response.set_cookie(
        VOTER_DEVICE_COOKIE, device, max_age=365 * 24 * 3600, httponly=True, samesite="Lax"
    )
    if token:
        response.set_cookie(
            VOTER_COOKIE, token, max_age=services.VOTER_MAX_AGE, httponly=True, samesite="Lax"
        )
    return response


@login_required
def votes_view(request, pk):
    """The vote ledger's suspicious patterns and voiding (投票核查)."""
    contest = selectors.contest_get(user=request.user, pk=pk)
    services.require_manager(request.user, contest)
    stage = services.public_vote_stage(contest)
    if stage is None:
        raise Http404
    if request.method == "POST":
        ids = [
            int(x)
            for x in (request.POST.get("vote_ids") or "").split(",")
            if x.strip().isascii() and x.strip().isdigit() and 0 < int(x) < 2**62
        ]
        try:
            count = services.votes_void(
                actor=request.user,
                stage=stage,
                vote_ids=ids[:10000],
                reason=_text(request.POST, "reason"),
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, f"已作废 {count} 票。")
        return redirect("contests:votes", contest.pk)
    return render(
        request,
        "contests/votes.html",
        {
            "contest": contest,
            "stage": stage,
            "totals": selectors.vote_counts(stage),
            "entrants": contest.entrants.order_by("number"),
            "suspicious": selectors.suspicious_votes(stage=stage),
        },
    )


@login_required
def evidence_view(request, pk, item_pk):
    """Download a bonus/penalty item's evidence (佐证材料), inside the user's scope."""
    contest = selectors.contest_get(user=request.user, pk=pk)
    item = selectors.adjustment_get(user=request.user, contest=contest, pk=item_pk)
    return attachment_response(
        item.evidence, actor=request.user, target=item, org_path=contest.organization.path
    )


def photo_view(request, pk, entrant_pk):
    """An entrant's photo on the public page (no login: the contest itself is public)."""
    contest = selectors.public_contest_get(pk=pk)
    entrant = contest.entrants.filter(pk=entrant_pk).first()
    if entrant is None or not entrant.photo:
        raise Http404
    kind = "image/png" if entrant.photo.name.lower().endswith(".png") else "image/jpeg"
    return FileResponse(entrant.photo.open("rb"), content_type=kind)
