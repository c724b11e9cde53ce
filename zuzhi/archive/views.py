"""Pages of the performance archive (实绩档案), the supervision file and the watch list:
thin adapters over selectors and services. Everything but a cadre's own archive (我的实绩档案)
is the cadre section's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zuzhi.cadres.nomination_selectors import nomination_get
from zuzhi.core.export import pdf_document_response
from zuzhi.core.forms import apply_service_errors
from zuzhi.core.uploads import attachment_response

from . import offers, services
from . import selectors as sel
from .forms import EntryForm, SupervisionForm, WatchForm
from .models import SupervisionStatus, WatchReason
from .summary import archive_summary_pdf


def _fail(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _done(request, action, done: str) -> None:
    try:
        action()
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, done)


# --- a cadre's archive ----------------------------------------------------------------------


def _archive_page(request, cadre, *, form=None, own=False):
    return render(
        request,
        "archive/cadre.html",
        {
            "cadre": cadre,
            "entries": sel.entries_of(cadre=cadre),
            "form": form or EntryForm(initial={"date": timezone.localdate()}),
            "own": own,
            "watch_reasons": WatchReason.choices,
        },
    )


@login_required
def cadre_view(request, cadre_id):
    """A cadre's archive, for the cadre section (the cadre reads theirs at archive:mine)."""
    cadre = sel.staff_cadre_get(user=request.user, pk=cadre_id)
    return _archive_page(request, cadre)


@login_required
def mine_view(request):
    """我的实绩档案: the cadre's own entries, read only."""
    cadre = sel.my_cadre(user=request.user)
    if cadre is None:
        raise Http404("本账号没有对应的干部信息。")
    return _archive_page(request, cadre, own=True)


@login_required
@require_POST
def entry_create_view(request, cadre_id):
    cadre = sel.staff_cadre_get(user=request.user, pk=cadre_id)
    form = EntryForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.entry_record(actor=request.user, cadre=cadre, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已登记。")
            return redirect("archive:cadre", cadre_id=cadre.pk)
    return _archive_page(request, cadre, form=form)


@login_required
@require_POST
def entry_reverse_view(request, archive_entry_id):
    entry = sel.entry_get(user=request.user, pk=archive_entry_id, write=True)
    _done(
        request,
        lambda: services.entry_reverse(
            actor=request.user, entry=entry, reason=request.POST.get("reason", "")
        ),
        "已登记冲正条目。",
    )
    return redirect("archive:cadre", cadre_id=entry.cadre_id)


@login_required
@require_POST
def entry_review_view(request, archive_entry_id):
    entry = sel.entry_get(user=request.user, pk=archive_entry_id, write=True)
    _done(request, lambda: services.entry_review(actor=request.user, entry=entry), "已审核。")
    if request.POST.get("next") == "quarter":
        return redirect("archive:quarter")
    return redirect("archive:cadre", cadre_id=entry.cadre_id)


@login_required
def evidence_view(request, archive_entry_id):
    entry = sel.entry_get(user=request.user, pk=archive_entry_id)
    return attachment_response(
        entry.evidence,
        actor=request.user,
        target=entry,
        org_path=services.AUDIT_ORG_PATH,
        filename=entry.evidence_name,
    )


@login_required
def summary_pdf_view(request, cadre_id):
    """The archive summary for an inspection (考察), audited as an export."""
    cadre = sel.staff_cadre_get(user=request.user, pk=cadre_id)
    content = archive_summary_pdf(
        cadre=cadre,
        entries=list(sel.standing_entries(cadre=cadre)),
        printed_on=timezone.localdate(),
    )
    return pdf_document_response(
        actor=request.user,
        filename=f"{cadre.name}实绩档案摘要",
        content=content,
        target_type="archive.archiveentry",
        message=f"打印{cadre.name}的实绩档案摘要（考察用）",
        org_path=services.AUDIT_ORG_PATH,
    )


# --- the quarter ----------------------------------------------------------------------------


@login_required
def quarter_view(request):
    """本季度实绩档案更新: cadres with no reviewed entry this quarter, entries to review, the
    entries offered from star ratings and the supervision file, and the published contests
    whose rankings are offered."""
    sel.require_staff(request.user)
    today = timezone.localdate()
    _, end = sel.quarter_bounds(today)
    missing = sel.cadres_without_reviewed_entry(user=request.user, day=today)
    return render(
        request,
        "archive/quarter.html",
        {
            "quarter": sel.quarter_label(today),
            "end": end,
            "page": Paginator(missing, 50).get_page(request.GET.get("page")),
            "to_review": list(sel.entries_to_review(user=request.user)[:100]),
            "contests": offers.contests_with_offers(user=request.user),
            "offers": offers.pending_offers(user=request.user),
        },
    )


# --- offers from a published contest --------------------------------------------------------


@login_required
def offers_view(request, contest_id):
    sel.require_staff(request.user)
    contest = offers.offer_contest_get(user=request.user, pk=contest_id)
    pending = offers.archive_offers_for_contest(contest=contest, user=request.user)
    return render(request, "archive/offers.html", {"contest": contest, "offers": pending})


def _offer_action(request, contest_id, cadre_id, service, done: str):
    sel.require_staff(request.user)
    contest = offers.offer_contest_get(user=request.user, pk=contest_id)
    cadre = sel.staff_cadre_get(user=request.user, pk=cadre_id)
    _done(
        request,
        lambda: service(
            actor=request.user,
            cadre=cadre,
            source_type=offers.CONTEST_SOURCE_TYPE,
            source_id=str(contest.pk),
        ),
        done,
    )
    return redirect("archive:offers", contest_id=contest.pk)


@login_required
@require_POST
def offer_accept_view(request, contest_id, cadre_id):
    return _offer_action(
        request, contest_id, cadre_id, services.archive_offer_accept, "已记入实绩档案。"
    )


@login_required
@require_POST
def offer_dismiss_view(request, contest_id, cadre_id):
    return _offer_action(
        request, contest_id, cadre_id, services.archive_offer_dismiss, "已不予记入。"
    )


# --- offers of any source, from the quarter page (建议记入档案) ----------------------------


def _cadre_offer_action(request, cadre_id, service, done: str):
    """The offer is named by the form's source_type and source_id; the service finds it
    again among what the user's cadre section is offered, or refuses."""
    cadre = sel.staff_cadre_get(user=request.user, pk=cadre_id)
    _done(
        request,
        lambda: service(
            actor=request.user,
            cadre=cadre,
            source_type=request.POST.get("source_type", ""),
            source_id=request.POST.get("source_id", ""),
        ),
        done,
    )
    return redirect("archive:quarter")


@login_required
@require_POST
def cadre_offer_accept_view(request, cadre_id):
    return _cadre_offer_action(request, cadre_id, services.archive_offer_accept, "已记入实绩档案。")


@login_required
@require_POST
def cadre_offer_dismiss_view(request, cadre_id):
    return _cadre_offer_action(request, cadre_id, services.archive_offer_dismiss, "已不予记入。")


# --- supervision file -----------------------------------------------------------------------


@login_required
def supervision_view(request, cadre_id):
    """A cadre's supervision file (监督档案), and the form to add a record."""
    cadre = sel.staff_cadre_get(user=request.user, pk=cadre_id)
    form = SupervisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.supervision_record(actor=request.user, cadre=cadre, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已登记。")
            return redirect("archive:supervision", cadre_id=cadre.pk)
    return render(
        request,
        "archive/supervision.html",
        {"cadre": cadre, "records": sel.supervision_of(cadre=cadre), "form": form},
    )


def _supervision_decide(request, supervision_id, status, done: str):
    record = sel.supervision_get(user=request.user, pk=supervision_id)
    _done(
        request,
        lambda: services.supervision_decide(
            actor=request.user,
            record=record,
            status=status,
            reason=request.POST.get("reason", ""),
        ),
        done,
    )
    return redirect("archive:supervision", cadre_id=record.cadre_id)


@login_required
@require_POST
def supervision_excuse_view(request, supervision_id):
    return _supervision_decide(
        request, supervision_id, SupervisionStatus.EXCUSED, "已认定容错免责。"
    )


@login_required
@require_POST
def supervision_clear_view(request, supervision_id):
    return _supervision_decide(request, supervision_id, SupervisionStatus.CLEARED, "已澄清保护。")


# --- watch list -----------------------------------------------------------------------------


@login_required
def watch_view(request):
    """考察视野: the list, the entries due for this quarter's review, and accepted
    self-nominations not on it yet."""
    sel.require_staff(request.user)
    today = timezone.localdate()
    return render(
        request,
        "archive/watch.html",
        {
            "quarter": sel.quarter_label(today),
            "entries": list(sel.watch_list(user=request.user)[:500]),
            "to_review": list(sel.watch_to_review(user=request.user, day=today)[:200]),
            "candidates": list(sel.watch_candidates(user=request.user)[:100]),
        },
    )


@login_required
@require_POST
def watch_add_view(request, cadre_id):
    cadre = sel.staff_cadre_get(user=request.user, pk=cadre_id)
    form = WatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择纳入原因。")
    else:
        _done(
            request,
            lambda: services.watch_add(actor=request.user, cadre=cadre, **form.cleaned_data),
            f"已将{cadre.name}纳入考察视野。",
        )
    return redirect("archive:cadre", cadre_id=cadre.pk)


@login_required
@require_POST
def watch_from_nomination_view(request, nomination_id):
    sel.require_staff(request.user)
    nomination = nomination_get(user=request.user, pk=nomination_id)
    _done(
        request,
        lambda: services.watch_add_from_nomination(actor=request.user, nomination=nomination),
        f"已将{nomination.cadre.name}纳入考察视野。",
    )
    return redirect("archive:watch")


def _watch_review(request, watch_id, keep: bool, done: str):
    entry = sel.watch_get(user=request.user, pk=watch_id)
    _done(
        request,
        lambda: services.watch_review(
            actor=request.user, entry=entry, keep=keep, reason=request.POST.get("reason", "")
        ),
        done,
    )
    return redirect("archive:watch")


@login_required
@require_POST
def watch_keep_view(request, watch_id):
    return _watch_review(request, watch_id, True, "已复核，继续保留。")


@login_required
@require_POST
def watch_remove_view(request, watch_id):
    return _watch_review(request, watch_id, False, "已移出考察视野。")
