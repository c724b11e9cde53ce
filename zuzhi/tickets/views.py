"""Ticket pages (联户服务诉求): a member's phone page 我的诉求 with one-tap accept and resolve,
the list of the community, town and county with filters, a ticket with its steps and the
actions the user may take (one URL per action), the service teams and a leader's team page,
and the county's request types. Thin over selectors and services."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from zuzhi.core.export_jobs import export_or_enqueue
from zuzhi.core.forms import apply_service_errors
from zuzhi.core.params import id_param
from zuzhi.core.personal import personal_view
from zuzhi.core.scope import deny, scope_queryset
from zuzhi.core.uploads import attachment_response
from zuzhi.households.models import Household
from zuzhi.members.selectors import own_member_id
from zuzhi.orgs.models import Organization

from . import config_services, rules, selectors, services
from .exports import ticket_list_filtered
from .forms import (
    AttachForm,
    NoteForm,
    PassToTeamForm,
    ReassignForm,
    ResolveForm,
    TeamForm,
    TeamOrgForm,
    TicketCreateForm,
    TicketTypeForm,
)
from .models import TicketAttachment, TicketState, TicketType

PAGE = 30


def _page(request, qs, size=PAGE):
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _query(request) -> str:
    return urlencode({k: v for k, v in request.GET.items() if k != "page"})


@login_required
def mine_view(request):
    """我的诉求: the member's own tickets on a phone, open first, with one-tap actions."""
    page = _page(request, selectors.my_tickets(user=request.user), 20)
    tickets = selectors.tickets_shown(
        user=request.user, tickets=list(page), where=request.path, reveal=False
    )
    for ticket in tickets:
        ticket.actions = rules.allowed_actions(request.user, ticket)
    return render(
        request,
        "tickets/mine.html",
        {
            "page": page,
            "tickets": tickets,
            "query": "",
            "households": Household.objects.filter(member_id=own_member_id(request.user)).exists(),
        },
    )


@login_required
def list_view(request):
    form, qs = ticket_list_filtered(user=request.user, params=request.GET)
    page = _page(request, qs)
    tickets = personal_view(user=request.user, objects=list(page), where=request.path, reveal=False)
    return render(
        request,
        "tickets/list.html",
        {"form": form, "page": page, "tickets": tickets, "query": _query(request)},
    )


@login_required
def export_view(request):
    """The filtered list as Excel (in the worker when it is long)."""
    return export_or_enqueue(request, kind="tickets")


@login_required
def create_view(request):
    """A request entered by the member for one of their households, or by the community for
    the household named by ?household=."""
    household_id = id_param(request.GET, "household")
    if household_id:
        household = Household.objects.get_visible_or_404(request.user, pk=household_id)
        households = Household.objects.filter(pk=household.pk)
    else:
        households = Household.objects.filter(member_id=own_member_id(request.user))
    form = TicketCreateForm(request.POST or None, request.FILES or None, households=households)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_create(
                actor=request.user,
                household=data["household"],
                ticket_type=data["type"],
                description=data["description"],
                phone=data["phone"],
                attachments=[data["attachment"]] if data.get("attachment") else [],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已提交诉求。")
            return redirect("tickets:detail", ticket.pk)
    return render(request, "tickets/create.html", {"form": form})


def _action_forms(user, ticket, actions) -> dict:
    forms = {}
    if "pass_to_team" in actions:
        forms["pass_to_team"] = PassToTeamForm(
            teams=selectors.team_choices_for(user=user, ticket=ticket)
        )
    if "reassign" in actions:
        forms["reassign"] = ReassignForm(members=selectors.reassign_choices(ticket=ticket))
    if "resolve" in actions:
        forms["resolve"] = ResolveForm()
    if "attach" in actions:
        forms["attach"] = AttachForm()
    return forms


@login_required
def detail_view(request, pk):
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    selectors.tickets_shown(user=request.user, tickets=[ticket], where=request.path)
    actions = rules.allowed_actions(request.user, ticket)
    events = list(selectors.ticket_events(ticket=ticket))
    for event in events:  # labels, not stored values
        event.kind_label = rules.ACTION_LABELS.get(event.kind, event.kind)
        event.to_state_label = TicketState(event.to_state).label if event.to_state else ""
    return render(
        request,
        "tickets/detail.html",
        {
            "ticket": ticket,
            "events": events,
            "escalations": selectors.ticket_escalations(ticket=ticket),
            "actions": actions,
            "labels": rules.ACTION_LABELS,
            "forms": _action_forms(request.user, ticket, actions),
        },
    )


def _back(request, ticket):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("tickets:detail", ticket.pk)


def _act(request, pk, form_class, call, done: str, **form_kwargs):
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    kwargs = {k: f(request.user, ticket) for k, f in form_kwargs.items()}
    form = form_class(request.POST, request.FILES, **kwargs)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, "；".join(errors))
        return _back(request, ticket)
    try:
        call(ticket, form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, done)
    return _back(request, ticket)


@login_required
@require_POST
def accept_view(request, pk):
    return _act(
        request,
        pk,
        NoteForm,
        lambda t, d: services.ticket_accept(actor=request.user, ticket=t, note=d["note"]),
        "已受理。",
    )


@login_required
@require_POST
def start_view(request, pk):
    return _act(
        request,
        pk,
        NoteForm,
        lambda t, d: services.ticket_start(actor=request.user, ticket=t, note=d["note"]),
        "已开始办理。",
    )


@login_required
@require_POST
def take_view(request, pk):
    return _act(
        request,
        pk,
        NoteForm,
        lambda t, d: services.ticket_take(actor=request.user, ticket=t, note=d["note"]),
        "已承接，由您负责办理。",
    )


@login_required
@require_POST
def resolve_view(request, pk):
    return _act(
        request,
        pk,
        ResolveForm,
        lambda t, d: services.ticket_resolve(
            actor=request.user,
            ticket=t,
            resolution=d["resolution"],
            attachments=[d["attachment"]] if d.get("attachment") else [],
        ),
        "已办结，将短信请群众评价。",
    )


@login_required
@require_POST
def pass_to_team_view(request, pk):
    return _act(
        request,
        pk,
        PassToTeamForm,
        lambda t, d: services.ticket_pass_to_team(
            actor=request.user, ticket=t, team=d["team"], note=d["note"]
        ),
        "已转服务团队。",
        teams=lambda user, t: selectors.team_choices_for(user=user, ticket=t),
    )


@login_required
@require_POST
def reassign_view(request, pk):
    return _act(
        request,
        pk,
        ReassignForm,
        lambda t, d: services.ticket_reassign(
            actor=request.user, ticket=t, member=d["member"], note=d["note"]
        ),
        "已改派。",
        members=lambda user, t: selectors.reassign_choices(ticket=t),
    )


@login_required
@require_POST
def close_view(request, pk):
    return _act(
        request,
        pk,
        NoteForm,
        lambda t, d: services.ticket_close(actor=request.user, ticket=t, note=d["note"]),
        "已关闭。",
    )


@login_required
@require_POST
def attach_view(request, pk):
    return _act(
        request,
        pk,
        AttachForm,
        lambda t, d: services.ticket_attach(
            actor=request.user, ticket=t, attachments=[d["attachment"]], note=d["note"]
        ),
        "已补充材料。",
    )


@login_required
def attachment_view(request, pk):
    """Download a file of a ticket: its ticket's visibility applies; audited."""
    attachment = TicketAttachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise deny(request.user, message="诉求附件不存在")
    ticket = selectors.ticket_get(user=request.user, pk=attachment.ticket_id)
    return attachment_response(
        attachment.file,
        actor=request.user,
        target=ticket,
        org_path=ticket.household.community.path,
        filename=attachment.name,
    )


# --- teams -----------------------------------------------------------------------------------
def _team_orgs(user):
    return scope_queryset(
        user, Organization.objects.filter(org_type__in=rules.TEAM_ORG_TYPES), path_field="path"
    ).order_by("path")


@login_required
def teams_view(request):
    return render(
        request,
        "tickets/teams.html",
        {
            "teams": selectors.teams_visible(user=request.user).order_by(
                "organization__path", "name", "id"
            ),
            "led": selectors.teams_led(user=request.user),
            "org_form": TeamOrgForm(organizations=_team_orgs(request.user)),
        },
    )


@login_required
def team_create_view(request):
    org_id = id_param(request.GET, "organization")
    if not org_id:
        return redirect("tickets:teams")
    organization = Organization.objects.get_visible_or_404(request.user, pk=org_id)
    form = TeamForm(
        request.POST or None,
        candidates=selectors.team_member_choices(organization=organization),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team = config_services.team_create(
                actor=request.user,
                organization=organization,
                name=data["name"],
                specialty=data["specialty"],
                leader=data["leader"],
                members=list(data["members"]),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已建立服务团队“{team.name}”。")
            return redirect("tickets:team", team.pk)
    return render(request, "tickets/team_form.html", {"form": form, "organization": organization})


@login_required
def team_view(request, pk):
    """A team's tickets: its leader sees which are waiting to be taken and who took what."""
    team = selectors.team_get(user=request.user, pk=pk)
    page = _page(request, selectors.team_tickets(team=team))
    tickets = selectors.tickets_shown(
        user=request.user, tickets=list(page), where=request.path, reveal=False
    )
    for ticket in tickets:
        ticket.actions = rules.allowed_actions(request.user, ticket)
    return render(
        request,
        "tickets/team.html",
        {
            "team": team,
            "members": team.members.order_by("name", "id"),
            "page": page,
            "tickets": tickets,
            "query": "",
            "editor": rules.path_in_scope(request.user, team.organization.path),
        },
    )


@login_required
def team_edit_view(request, pk):
    team = selectors.team_get(user=request.user, pk=pk)
    if not rules.path_in_scope(request.user, team.organization.path):
        raise deny(request.user, target=team, message=config_services.TEAMS_REFUSED)
    form = TeamForm(
        request.POST or None,
        candidates=selectors.team_member_choices(organization=team.organization),
        initial={
            "name": team.name,
            "specialty": team.specialty,
            "leader": team.leader_id,
            "members": list(team.members.values_list("pk", flat=True)),
            "active": team.active,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            config_services.team_update(
                actor=request.user,
                team=team,
                data={k: data[k] for k in ("name", "specialty", "leader", "active")},
                members=list(data["members"]),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已保存服务团队。")
            return redirect("tickets:team", team.pk)
    return render(
        request,
        "tickets/team_form.html",
        {"form": form, "organization": team.organization, "team": team},
    )


# --- types (the county's settings) -----------------------------------------------------------
@login_required
def types_view(request):
    editor = config_services.may_edit_types(request.user)
    form = TicketTypeForm(request.POST or None)
    if request.method == "POST":
        if not editor:
            raise deny(request.user, message=config_services.TYPES_REFUSED)
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in ("name", "accept_hours", "resolve_hours")}
            try:
                created = config_services.ticket_type_create(
                    actor=request.user, order=form.cleaned_data["order"], **data
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, f"已新增诉求类型“{created.name}”。")
                return redirect("tickets:types")
    return render(
        request,
        "tickets/types.html",
        {
            "types": selectors.ticket_types(),
            "form": form if editor else None,
            "editor": editor,
            "defaults": config_services.DEFAULT_TICKET_TYPES,
        },
    )


@login_required
@require_POST
def types_defaults_view(request):
    created = config_services.ticket_types_load_defaults(actor=request.user)
    messages.success(request, f"已载入默认诉求类型 {len(created)} 个。")
    return redirect("tickets:types")


@login_required
def type_edit_view(request, pk):
    if not config_services.may_edit_types(request.user):
        raise deny(request.user, message=config_services.TYPES_REFUSED)
    ticket_type = TicketType.objects.filter(pk=pk).first()
    if ticket_type is None:
        raise deny(request.user, message="诉求类型不存在")
    form = TicketTypeForm(
        request.POST or None,
        initial={f: getattr(ticket_type, f) for f in TicketTypeForm.base_fields},
    )
    if request.method == "POST" and form.is_valid():
        try:
            config_services.ticket_type_update(
                actor=request.user, ticket_type=ticket_type, data=form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已保存诉求类型。")
            return redirect("tickets:types")
    return render(request, "tickets/type_edit.html", {"form": form, "ticket_type": ticket_type})
