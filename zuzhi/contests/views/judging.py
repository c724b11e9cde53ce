"""The judges' pages: the secretary's live board and its actions, a judge's own stages and
the phone page where they score.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from zuzhi.core.params import id_param

from .. import rules, selectors, services
from ..models import StageKind
from .common import show_errors, text_field


def _stage(contest, stage_pk, kind=StageKind.JUDGES):
    stage = contest.stages.filter(pk=stage_pk, kind=kind).first()
    if stage is None:
        raise Http404
    return stage


def _board_stage(request, pk, stage_pk):
    """The contest and its judges' stage, for the organizer only."""
    contest = selectors.contest_get(user=request.user, pk=pk)
    rules.require_manager(request.user, contest)
    return contest, _stage(contest, stage_pk)


def _board_action(request, pk, stage_pk, action) -> object:
    """Run one of the board's actions and come back to the board, the refusal shown there."""
    contest, stage = _board_stage(request, pk, stage_pk)
    try:
        action(contest, stage)
    except ValidationError as exc:
        show_errors(request, exc)
    return redirect("contests:board", contest.pk, stage.pk)


@login_required
@require_POST
def board_seat_view(request, pk, stage_pk):
    """Seat a judge (安排评委) by their account name."""

    def seat(contest, stage):
        from zuzhi.accounts.models import User

        judge = User.objects.filter(username=text_field(request.POST, "username", 150)).first()
        if judge is None:
            raise ValidationError("没有这个账号。")
        services.judge_seat(actor=request.user, stage=stage, judge=judge)

    return _board_action(request, pk, stage_pk, seat)


@login_required
@require_POST
def board_open_view(request, pk, stage_pk):
    """Call the chosen entrant to the stage (上场)."""

    def open_(contest, stage):
        entrant = selectors.entrant_get(
            user=request.user, contest=contest, pk=id_param(request.POST, "entrant")
        )
        services.appearance_open(actor=request.user, stage=stage, entrant=entrant)

    return _board_action(request, pk, stage_pk, open_)


@login_required
@require_POST
def board_close_view(request, pk, stage_pk):
    """End the scoring of the entrant on stage (结束评分)."""

    def close(contest, stage):
        appearance = selectors.current_appearance(stage)
        if appearance is None:
            raise ValidationError("现在没有正在评分的对象。")
        services.appearance_close(actor=request.user, appearance=appearance)

    return _board_action(request, pk, stage_pk, close)


@login_required
@require_POST
def board_correction_view(request, pk, stage_pk, item_pk):
    """Approve or reject a judge's correction (审核评分更正)."""

    def decide(contest, stage):
        item = selectors.correction_get(user=request.user, contest=contest, stage=stage, pk=item_pk)
        services.correction_decide(
            actor=request.user, correction=item, approve=request.POST.get("approve") == "1"
        )

    return _board_action(request, pk, stage_pk, decide)


@login_required
@require_safe
def board_view(request, pk, stage_pk):
    """The secretary's live board (评分进度): who is on stage, who has scored; the actions
    each have their own address above."""
    contest, stage = _board_stage(request, pk, stage_pk)
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


def _marks(request, stage) -> dict[str, str]:
    return {str(c.pk): text_field(request.POST, f"c_{c.pk}", 10) for c in stage.criteria.all()}


def _score_page(request, stage, *, typed=None, check=None, errors=()):
    """The judge's page: the polled status, and the sheet for the entrant on stage. The sheet
    is never part of what the status poll replaces, so typed scores stay where they are."""
    current = selectors.current_appearance(stage)
    sheet = (
        selectors.judge_sheet(stage=stage, judge=request.user, entrant_id=current.entrant_id)
        if current
        else None
    )
    typed = typed or {}
    return render(
        request,
        "contests/score.html",
        {
            "stage": stage,
            "current": current,
            "shown": current.entrant_id if current else 0,
            "criteria": [(c, typed.get(str(c.pk), "")) for c in stage.criteria.all()],
            "sheet": sheet,
            "check": check,
            "errors": errors,
        },
    )


@login_required
@require_safe
def score_view(request, stage_pk):
    """The judge's phone page (评分): the entrant on stage and one box per criterion; checking
    and submitting have their own addresses below."""
    stage = selectors.judge_stage_get(user=request.user, pk=stage_pk)
    return _score_page(request, stage)


@login_required
@require_safe
def score_status_view(request, stage_pk):
    """The status above the sheet, polled every few seconds: who is on stage. `shown` is the
    entrant the page was drawn for; when someone else is on stage and nothing is being typed
    (the page waited, or its sheet is in) the page reloads itself (HX-Refresh); a sheet being
    typed is left alone and the judge is told."""
    stage = selectors.judge_stage_get(user=request.user, pk=stage_pk)
    current = selectors.current_appearance(stage)
    shown = id_param(request.GET, "shown") or 0
    response = render(
        request,
        "contests/_score_status.html",
        {"stage": stage, "current": current, "shown": shown},
    )
    if (current.entrant_id if current else 0) != shown and (
        not shown or selectors.judge_sheet(stage=stage, judge=request.user, entrant_id=shown)
    ):
        response["HX-Refresh"] = "true"
    return response


def _on_stage(request, stage):
    """The entrant on stage, refused when it is not the one the sheet was typed for."""
    current = selectors.current_appearance(stage)
    if current is None or request.POST.get("entrant") != str(current.entrant_id):
        raise ValidationError("台上的参评对象已经变化，请核对后重新打分。")
    return current


@login_required
@require_POST
def score_check_view(request, stage_pk):
    """Check the typed sheet (核对评分): the server's verdict and total, with the button that
    submits exactly what it checked. Answered as a fragment under the sheet to htmx, else as
    the whole page with the sheet still filled in."""
    stage = selectors.judge_stage_get(user=request.user, pk=stage_pk)
    typed = _marks(request, stage)
    check, errors = None, []
    try:
        current = _on_stage(request, stage)
        clean, total = services.sheet_check(
            judge=request.user, stage=stage, entrant=current.entrant, marks=typed
        )
    except ValidationError as exc:
        errors = exc.messages
    else:
        check = {
            "entrant": current.entrant,
            "marks": [(c, clean[str(c.pk)]) for c in stage.criteria.all()],
            "total": total,
        }
    if request.headers.get("HX-Request"):
        return render(
            request,
            "contests/_score_confirm.html",
            {"stage": stage, "check": check, "errors": errors},
        )
    return _score_page(request, stage, typed=typed, check=check, errors=errors)


@login_required
@require_POST
def score_submit_view(request, stage_pk):
    """Submit the checked sheet (确认提交), once."""
    stage = selectors.judge_stage_get(user=request.user, pk=stage_pk)
    typed = _marks(request, stage)
    try:
        current = _on_stage(request, stage)
        services.sheet_submit(judge=request.user, stage=stage, entrant=current.entrant, marks=typed)
    except ValidationError as exc:
        return _score_page(request, stage, typed=typed, errors=exc.messages)
    messages.success(request, f"已提交对“{current.entrant.name}”的评分。")
    return redirect("contests:score", stage.pk)
