"""The county overview (全县概览) page and its PDF: thin over selectors and exports. Over
ZUZHI_EXPORT_INLINE_MAX members both are computed by the worker (a report job) and the page
shows the last figures it kept."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from zuzhi.core.export import pdf_response
from zuzhi.core.export_jobs import report_in_worker, report_is_large, report_state
from zuzhi.orgs.figures import subtree_members

from . import selectors
from .exports import (
    KIND,
    PDF_HEADERS,
    figures_context,
    overview_params_read,
    overview_query,
    pdf_filename,
    pdf_lines,
    pdf_rows,
    pdf_title,
)


@require_safe
@login_required
def overview_view(request):
    root, form = overview_params_read(user=request.user, params=request.GET)
    context = {
        "root": root,
        "form": form,
        "choices": selectors.subtree_choices(user=request.user, root=root),
    }
    members = subtree_members(user=request.user, org=root)
    if report_is_large(members=members):
        query = overview_query(root=root, form=form)
        report = report_state(
            user=request.user,
            kind=KIND,
            params=query,
            members=members,
            start_url=f"{reverse('overview:pdf')}?{query.urlencode()}",
        )
        return render(request, "overview/overview.html", {**context, "report": report})
    figures = selectors.overview(user=request.user, root=root, period=form.period())
    return render(request, "overview/overview.html", {**context, **figures_context(figures)})


@require_safe
@login_required
def overview_pdf_view(request):
    """The same figures as a PDF (charts left out), audited as an export."""
    root, form = overview_params_read(user=request.user, params=request.GET)
    if queued := report_in_worker(
        request,
        kind=KIND,
        members=subtree_members(user=request.user, org=root),
        params=overview_query(root=root, form=form),
        where=reverse("overview:index"),
    ):
        return queued
    figures = selectors.overview(user=request.user, root=root, period=form.period())
    return pdf_response(
        actor=request.user,
        filename=pdf_filename(root),
        title=pdf_title(root),
        lines=pdf_lines(figures),
        headers=PDF_HEADERS,
        rows=pdf_rows(figures),
        target_type="orgs.organization",
        org_path=root.path,
    )
