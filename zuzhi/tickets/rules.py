"""The ticket workflow as one table (诉求办理流程): for each state, the actions allowed and who
may take each; and the relations of a user to a ticket that the table names. Services check
`may` before writing; pages show a button only when `may` says so. Refusals name the rule.

Who is who, for one ticket:
- owner: the member owning it now (`ticket.member`: the linked member; while with a team its
  leader until a team member takes it, then the taker), through their own account;
- team: the leader or a member of the service team it was passed to (`ticket.team`);
- community: a data role (branch secretary, township or county staff) on the household's
  community node or above: the community, the town and the county may reassign and close.
The system actor (commands, the demo seeder) is all three.
The household itself acts only on the public pages (create, rate), through the services
`ticket_create_public` and `ticket_rate`, with no account.
"""

from zuzhi.core.scope import is_system, path_in_scope
from zuzhi.members.selectors import own_member_id
from zuzhi.orgs.models import OrgType

from .models import Ticket, TicketState

S = TicketState

OWNER, TEAM, COMMUNITY = "owner", "team", "community"

# Files and a note added without moving the ticket (补充材料): by anyone working on it until
# it is closed.
ANYONE_ON_IT = frozenset({OWNER, TEAM, COMMUNITY})

# state → action → who may take it. `rate` is the household's (public callback page).
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    S.NEW: {
        "accept": frozenset({OWNER, COMMUNITY}),
        "reassign": frozenset({COMMUNITY}),
        "close": frozenset({COMMUNITY}),
        "attach": ANYONE_ON_IT,
    },
    S.ACCEPTED: {
        "start": frozenset({OWNER}),
        "pass_to_team": frozenset({OWNER, COMMUNITY}),
        "resolve": frozenset({OWNER}),
        "reassign": frozenset({COMMUNITY}),
        "close": frozenset({COMMUNITY}),
        "attach": ANYONE_ON_IT,
    },
    S.IN_PROGRESS: {
        "pass_to_team": frozenset({OWNER, COMMUNITY}),
        "resolve": frozenset({OWNER}),
        "reassign": frozenset({COMMUNITY}),
        "close": frozenset({COMMUNITY}),
        "attach": ANYONE_ON_IT,
    },
    S.WITH_TEAM: {
        "take": frozenset({TEAM}),
        "resolve": frozenset({OWNER}),
        "reassign": frozenset({COMMUNITY}),
        "close": frozenset({COMMUNITY}),
        "attach": ANYONE_ON_IT,
    },
    # Closed by the household's rating; the community closes one whose callback was by phone.
    S.RESOLVED: {"close": frozenset({COMMUNITY}), "attach": ANYONE_ON_IT},
    S.CLOSED: {},
}

# Where each action leads (reassign and close: see the services; attach stays).
TARGET = {
    "accept": S.ACCEPTED,
    "start": S.IN_PROGRESS,
    "pass_to_team": S.WITH_TEAM,
    "take": S.IN_PROGRESS,
    "resolve": S.RESOLVED,
    "close": S.CLOSED,
}

ACTION_LABELS = {
    "create": "提交诉求",
    "accept": "受理",
    "start": "开始办理",
    "pass_to_team": "转服务团队",
    "take": "团队成员承接",
    "resolve": "办结",
    "reassign": "改派",
    "close": "关闭",
    "attach": "补充材料",
    "rate": "群众评价",
    "reopen": "不满意，重新办理",
}

# Organizations that hold service teams (联合党总支、联合党支部).
TEAM_ORG_TYPES = (OrgType.JOINT_BRANCH, OrgType.JOINT_GENERAL_BRANCH)


def own_team_ids(user) -> set[int]:
    """The teams the user leads or belongs to (one query; cached on the user)."""
    member_id = own_member_id(user)
    if member_id is None:
        return set()
    if not hasattr(user, "_zuzhi_team_ids"):
        from django.db.models import Q

        from .models import ServiceTeam

        user._zuzhi_team_ids = set(
            ServiceTeam.objects.filter(Q(leader_id=member_id) | Q(members__id=member_id))
            .values_list("pk", flat=True)
            .distinct()
        )
    return user._zuzhi_team_ids


def relations(user, ticket: Ticket) -> set[str]:
    """What the user is to the ticket: owner, team, community (any number of them). The
    system (commands, the demo seeder) acts as anyone."""
    if is_system(user):
        return {OWNER, TEAM, COMMUNITY}
    found = set()
    if path_in_scope(user, ticket.household.community.path):
        found.add(COMMUNITY)
    member_id = own_member_id(user)
    if member_id is not None:
        if ticket.member_id == member_id:
            found.add(OWNER)
        if ticket.team_id and (
            ticket.team.leader_id == member_id or ticket.team.members.filter(pk=member_id).exists()
        ):
            found.add(TEAM)
    return found


def allowed_actions(user, ticket: Ticket) -> list[str]:
    """The actions the user may take on the ticket now, in table order."""
    mine = relations(user, ticket)
    return [a for a, who in TRANSITIONS[ticket.state].items() if who & mine]


def refusal(user, ticket: Ticket, action: str) -> str | None:
    """Why the user may not take `action` now (Chinese, naming the rule), or None."""
    who = TRANSITIONS[ticket.state].get(action)
    label = ACTION_LABELS[action]
    if who is None:
        return f"诉求“{ticket.get_state_display()}”时不能{label}。"
    if not who & relations(user, ticket):
        names = {OWNER: "责任党员", TEAM: "服务团队成员", COMMUNITY: "社区（镇）"}
        return f"只有{'或'.join(names[w] for w in sorted(who))}可以{label}此诉求。"
    return None
