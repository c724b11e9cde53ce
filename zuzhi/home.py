"""The home page's to-do list and charts (首页待办与图表), gathered from each app's selectors.

Every figure is one grouped query in the owning app (a province-sized scope is counted by the
database, never looped over here); this module only asks the items the user's roles concern,
words them and links each to the list where it is done. It sits beside `views` rather than in
`core`, because `core` imports no domain app.
"""

import datetime
import os
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from zuzhi.adjustments.selectors import open_cases
from zuzhi.apartments.selectors import applications as apartment_applications
from zuzhi.apartments.selectors import ending_soon
from zuzhi.archive.selectors import quarter_todo
from zuzhi.cadres.models.scoping import is_cadre_staff
from zuzhi.cadres.nomination_selectors import nomination_todo
from zuzhi.cadres.team_selectors import vacant_posts
from zuzhi.contests.selectors.todo import (
    indicator_values_missing,
    judge_scores_due,
    supervision_open,
)
from zuzhi.core.roles import Role
from zuzhi.core.scope import has_role, user_scope_paths
from zuzhi.dues.selectors import dues_arrears_count
from zuzhi.households.selectors import my_households
from zuzhi.joint_reviews.rules import ROUND_ROLES
from zuzhi.joint_reviews.selectors import reviewer_todo
from zuzhi.members.selectors import member_structure, transfers_to_receive
from zuzhi.members.services import MEMBER_ORG_TYPES, add_years
from zuzhi.orglife.selectors import (
    KIND_LABELS,
    MeetingsDue,
    meetings_due,
    meetings_overdue,
    meetings_to_remind,
    monthly_meeting_rates,
)
from zuzhi.orgs.models import Organization
from zuzhi.orgs.selectors import HealthFlag, org_attention_counts, org_terms_due
from zuzhi.ratings.periods import period_name
from zuzhi.ratings.selectors import proposals_to_decide
from zuzhi.recruitment.models import Stage
from zuzhi.recruitment.selectors import candidate_stage_counts, recruitment_steps_due
from zuzhi.reserve_training.selectors import month_pairs, month_summary
from zuzhi.reserves.scoping import may_manage_reserves
from zuzhi.reserves.selectors import reserve_todo
from zuzhi.subsidies.selectors import subsidy_todo
from zuzhi.talent.scoping import is_talent_staff
from zuzhi.talent.selectors import not_visited
from zuzhi.tickets.selectors import overdue_todo
from zuzhi.training.models import Group
from zuzhi.training.selectors import own_cadre, person_progress, short_list

CURRENT = {"month": "本月", "quarter": "本季度", "year": "本年度"}


@dataclass
class TodoPart:
    """One line under an item: a township's share, a meeting kind, a contest."""

    label: str
    count: int | None
    url: str | None = None


@dataclass
class TodoItem:
    """One thing to do (待办), counted and linked to the list where it is done."""

    label: str
    count: int
    url: str
    note: str = ""
    tone: str = "task"  # "overdue" (past its deadline), "reminder" (before it) or "task"
    since: datetime.date | None = None  # the oldest case's date: items are listed oldest first
    parts: list[TodoPart] = field(default_factory=list)
    groups: list[TodoPart] = field(default_factory=list)  # the share of each township or branch


def short_names(orgs: list[Organization]) -> list[str]:
    """Names as a chart or a list of townships shows them: the short name, else the full
    name without the 中共……县 (市, 区) they all begin with (中共示范县城关镇党委 → 城关镇党委)."""
    names = [o.name for o in orgs]
    common = os.path.commonprefix(names) if len(names) > 1 else ""
    cut = max(common.rfind(c) for c in "省市州县区旗") + 1 if common.startswith("中共") else 0
    if any(len(n) == cut for n in names):
        cut = 0
    return [o.short_name or n[cut:] for o, n in zip(orgs, names, strict=True)]


def _group_parts(groups: list) -> list[TodoPart]:
    """Each township's (or branch's) count, the largest first."""
    names = short_names([org for org, _ in groups])
    ranked = sorted(zip(names, groups, strict=True), key=lambda g: -g[1][1])
    return [TodoPart(name, n) for name, (_, n) in ranked]


def _url(name: str, *args, **query) -> str:
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


def _own_branches(user) -> list[Organization] | None:
    """The branches a branch secretary keeps, when every scope root is a branch; else None
    (a township or county sees counts by the level below it)."""
    roots = list(Organization.objects.filter(path__in=user_scope_paths(user)))
    if roots and all(o.org_type in MEMBER_ORG_TYPES for o in roots):
        return roots
    return None


def _meeting_item(due: MeetingsDue, *, overdue: bool, own: list | None) -> TodoItem:
    period = due.period
    frequency = period.kind
    deadline = period.end - datetime.timedelta(days=1)
    compliance = _url(
        "orglife:compliance", frequency=frequency, day=period.start.isoformat(), missing=1
    )
    missing = [(k, n) for k, n in due.by_kind.items() if n]
    if own is not None and len(own) == 1:
        # A branch secretary: which meetings, each with the form to record it.
        org = own[0]
        parts = [
            TodoPart(KIND_LABELS[k], None, _url("orglife:create", org=org.pk, kind=k))
            for k, _ in missing
        ]
        label = (
            f"{period.label if overdue else CURRENT[frequency]}还有 {len(missing)} 项组织生活未开展"
        )
        return TodoItem(
            label=label,
            count=len(missing),
            url=compliance,
            note=f"截止 {deadline:%m-%d}",
            tone="overdue" if overdue else "reminder",
            since=deadline,
            parts=parts,
        )
    parts = [TodoPart(f"{KIND_LABELS[k]}还差 {n} 个支部", None) for k, n in missing]
    when = period.label if overdue else CURRENT[frequency]
    return TodoItem(
        label=f"{when}组织生活未开展完的支部",
        count=due.branches,
        url=compliance,
        note=f"截止 {deadline:%m-%d}",
        tone="overdue" if overdue else "reminder",
        since=deadline,
        parts=parts,
        groups=_group_parts(due.groups),
    )


def _data_items(user, today: datetime.date) -> list[TodoItem]:
    """What a county, township or branch user has to do in their scope."""
    items: list[TodoItem] = []
    own = _own_branches(user)
    for due in meetings_overdue(user=user, day=today):
        items.append(_meeting_item(due, overdue=True, own=own))
    for due in meetings_to_remind(user=user, day=today):
        items.append(_meeting_item(due, overdue=False, own=own))

    transfers = transfers_to_receive(user=user)
    if transfers["count"]:
        oldest = timezone.localdate(transfers["oldest"])
        items.append(
            TodoItem(
                label="待接收的组织关系转接",
                count=transfers["count"],
                url=_url("members:transfers"),
                note=f"最早 {oldest:%Y-%m-%d} 转出",
                since=oldest,
            )
        )
    arrears = dues_arrears_count(user=user, today=today)
    if arrears:
        items.append(
            TodoItem(label="连续 6 个月未交党费的党员", count=arrears, url=_url("dues:arrears"))
        )
    steps = recruitment_steps_due(user=user, today=today)
    if steps.activists:
        since = add_years(steps.activists_oldest, 1)
        items.append(
            TodoItem(
                label="培养满一年、可列为发展对象的入党积极分子",
                count=steps.activists,
                url=_url("recruitment:list", stage=Stage.ACTIVIST),
                note=f"最早 {since:%Y-%m-%d} 满一年",
                since=since,
            )
        )
    if steps.probationers:
        since = add_years(steps.probationers_oldest, 1)
        items.append(
            TodoItem(
                label="预备期满、应讨论转正的预备党员",
                count=steps.probationers,
                url=_url("recruitment:list", stage=Stage.PROBATIONARY),
                note=f"最早 {since:%Y-%m-%d} 期满",
                since=since,
            )
        )
    terms = org_terms_due(user=user, today=today)
    if terms.expired or terms.expiring:
        parts = []
        if terms.expired:
            parts.append(
                TodoPart("任期已届满", terms.expired, _url("orgs:health", flag="term_expired"))
            )
        if terms.expiring:
            parts.append(
                TodoPart("90 天内届满", terms.expiring, _url("orgs:health", flag="term_expiring"))
            )
        items.append(
            TodoItem(
                label="需要换届的党组织",
                count=terms.expired + terms.expiring,
                url=_url("orgs:health", flag="term_expired" if terms.expired else "term_expiring"),
                note=f"最早 {terms.oldest:%Y-%m-%d} 届满",
                tone="overdue" if terms.expired else "task",
                since=terms.oldest,
                parts=parts,
            )
        )
    filling = indicator_values_missing(user=user)
    if filling:
        items.append(
            TodoItem(
                label="考评指标数据待填报",
                count=sum(n for _, n in filling),
                url=_url("contests:values", filling[0][0].pk),
                note=f"{len(filling)} 项考评",
                since=filling[0][0].ends_on,
                parts=[TodoPart(c.name, n, _url("contests:values", c.pk)) for c, n in filling],
            )
        )
    cases = supervision_open(user=user, today=today)
    if cases:
        overdue = sum(r["overdue"] for r in cases)
        items.append(
            TodoItem(
                label="督办中的事项",
                count=sum(r["count"] for r in cases),
                url=_url("contests:results", cases[0]["contest"].pk),
                note=f"其中 {overdue} 项已超期"
                if overdue
                else f"最早 {cases[0]['oldest']:%m-%d} 到期",
                tone="overdue" if overdue else "task",
                since=cases[0]["oldest"],
                parts=[
                    TodoPart(
                        r["contest"].name, r["count"], _url("contests:results", r["contest"].pk)
                    )
                    for r in cases
                ],
            )
        )
    return items


def _cadre_items(user, today: datetime.date) -> list[TodoItem]:
    """Self-nominations waiting for the unit's opinion or the cadre section, correction
    requests to handle, each counted for whom it waits; for the cadre section, the vacant
    posts of its teams and, in the last quarter, the cadres short of the year's 学时."""
    pending = nomination_todo(user=user)
    items = []
    if is_cadre_staff(user):
        vacant = vacant_posts(user=user)
        if vacant["count"]:
            items.append(
                TodoItem(
                    label="空缺的班子职位",
                    count=vacant["count"],
                    url=_url("cadres:teams", vacant=1),
                    note=f"最早 {vacant['oldest']:%Y-%m-%d} 起空缺",
                    since=vacant["oldest"],
                )
            )
        cases = open_cases(user=user)
        if cases.count:
            opened = timezone.localdate(cases.oldest)
            items.append(
                TodoItem(
                    label="待研判的五个即调案件",
                    count=cases.count,
                    url=_url("adjustments:list", status="open"),
                    note=f"最早 {opened:%Y-%m-%d} 启动",
                    since=opened,
                )
            )
        if archive := quarter_todo(user=user, day=today):
            items.append(
                TodoItem(
                    label="本季度实绩档案尚无审核条目的干部",
                    count=archive.count,
                    url=_url("archive:quarter"),
                    note=f"{archive.end:%m-%d} 前完成",
                    tone="reminder",
                )
            )
        if today.month >= 10:
            short = short_list(user=user, group=Group.CADRES, year=today.year).count()
            if short:
                items.append(
                    TodoItem(
                        label="本年度学时未达标的干部",
                        count=short,
                        url=_url("training:short", group=Group.CADRES, year=today.year),
                        note=f"{today.year} 年底前完成",
                        tone="reminder",
                    )
                )
    for key, label, url in (
        ("opinion", "自荐待单位意见", _url("cadres:nominations")),
        ("decide", "自荐待审核", _url("cadres:nominations")),
        ("corrections", "更正申请待处理", _url("cadres:corrections")),
    ):
        if pending[key].count:
            oldest = timezone.localdate(pending[key].oldest)
            items.append(
                TodoItem(
                    label=label,
                    count=pending[key].count,
                    url=url,
                    note=f"最早 {oldest:%Y-%m-%d} 提交",
                    since=oldest,
                )
            )
    return items


def _reserve_items(user, today: datetime.date) -> list[TodoItem]:
    """Village reserves (村级后备力量): the township's first review and returned names, the
    county's names to send to the joint review, and a department reviewer's names to answer."""
    items = []
    for row in reviewer_todo(user=user):
        items.append(
            TodoItem(
                label=f"待反馈的联审名单（{row['department'].name}）",
                count=row["count"],
                url=_url("joint_reviews:review", department=row["department"].pk),
                note=f"{row['deadline']:%Y-%m-%d} 前反馈",
                tone="overdue" if row["deadline"] < today else "task",
                since=row["deadline"],
            )
        )
    if not may_manage_reserves(user):
        return items
    counts = reserve_todo(user=user)
    for key, label, status in (
        ("to_review", "待乡镇党委初审的后备力量人选", "candidate"),
        ("returned", "初审退回待补正的后备力量人选", "returned"),
    ):
        if counts[key]:
            items.append(
                TodoItem(label=label, count=counts[key], url=_url("reserves:list", status=status))
            )
    month = today.replace(day=1)
    mentoring = month_summary(pairs=month_pairs(user=user, month=month))
    if mentoring["missing"]:
        items.append(
            TodoItem(
                label="本月尚未记录帮带的后备力量结对",
                count=mentoring["missing"],
                url=_url("reserve_training:board"),
                note=f"共 {mentoring['total']} 对，{month:%m} 月底前记录",
                tone="reminder",
            )
        )
    if counts["to_send"] and has_role(user, *ROUND_ROLES):
        items.append(
            TodoItem(
                label="待报送县级联审的后备力量人选",
                count=counts["to_send"],
                url=_url("reserves:list", status="township_approved"),
            )
        )
    return items


TICKET_LEVEL_LABELS = {1: "支部书记", 2: "社区", 3: "镇（街道）"}


def _ticket_items(user) -> list[TodoItem]:
    """Overdue household requests escalated to the level the user watches (联户诉求逾期上报)."""
    return [
        TodoItem(
            label=f"逾期上报到{TICKET_LEVEL_LABELS[level]}的联户诉求",
            count=count,
            url=_url("tickets:list", escalated="on"),
            tone="overdue",
        )
        for level, count in overdue_todo(user=user).items()
        if count
    ]


def _talent_items(user, today: datetime.date) -> list[TodoItem]:
    """The talent office's (人才办): subsidy applications, payroll runs and flat applications
    waiting for it; agreements ending soon and the high-level talents not yet visited this year
    (reminders)."""
    if not is_talent_staff(user):
        return []
    counts = {
        **subsidy_todo(user=user),
        "flats": apartment_applications(user=user, status="pending").count(),
        "ending": ending_soon(user=user, today=today).count(),
        "visits": not_visited(user=user, year=today.year).count(),
    }
    lines = (
        ("applications", "待审核的人才补贴申请", "subsidies:applications", {"status": "submitted"}),
        ("runs", "待审核的补贴发放批次", "subsidies:runs", {}),
        ("flats", "待审核的人才公寓入住申请", "apartments:applications", {"status": "pending"}),
        ("ending", "30 天内到期的人才公寓协议", "apartments:ending", {}),
        ("visits", "本年度尚未走访的高层次人才", "talent:visits", {"year": today.year}),
    )
    return [
        TodoItem(
            label=label,
            count=counts[key],
            url=_url(name, **query),
            note=f"{today.year} 年底前走访" if key == "visits" else "",
            tone="reminder" if key in ("ending", "visits") else "task",
        )
        for key, label, name, query in lines
        if counts[key]
    ]


def todo_items(*, user, today: datetime.date | None = None) -> list[TodoItem]:
    """The user's to-do list: past deadlines first, then the rest, each group oldest first."""
    today = today or timezone.localdate()
    items: list[TodoItem] = []
    if user_scope_paths(user):
        items += _data_items(user, today)
    proposals = proposals_to_decide(user=user)
    if proposals:
        oldest = timezone.localdate(proposals[0]["oldest"])
        items.append(
            TodoItem(
                label="待确认的星级评定申报",
                count=sum(r["count"] for r in proposals),
                url=_url(
                    "ratings:pending", proposals[0]["scheme"].code, period=proposals[0]["period"]
                ),
                note=f"最早 {oldest:%Y-%m-%d} 申报",
                since=oldest,
                parts=[
                    TodoPart(
                        f"{r['scheme'].name} · {period_name(r['period'])}",
                        r["count"],
                        _url("ratings:pending", r["scheme"].code, period=r["period"]),
                    )
                    for r in proposals
                ],
            )
        )
    scores = judge_scores_due(user=user)
    if scores:
        items.append(
            TodoItem(
                label="待评分的参评对象",
                count=sum(n for _, n in scores),
                url=_url("contests:score", scores[0][0].pk),
                parts=[
                    TodoPart(f"{s.contest.name} · {s.name}", n, _url("contests:score", s.pk))
                    for s, n in scores
                ],
            )
        )
    items += _cadre_items(user, today)
    items += _reserve_items(user, today)
    items += _ticket_items(user)
    items += _talent_items(user, today)
    return sorted(items, key=lambda i: (i.tone != "overdue", i.since or datetime.date.max))


def record_shortcuts(*, user, today: datetime.date | None = None) -> dict | None:
    """A branch secretary's shortcuts to record a meeting (记录组织生活): the meetings their
    branch has not yet held in the current month, quarter and year, each linked to the form,
    whatever the reminder window; None for anyone who keeps more than one branch."""
    own = _own_branches(user)
    if own is None or len(own) != 1:
        return None
    org = own[0]
    today = today or timezone.localdate()
    pending = []
    for frequency in CURRENT:
        # Only the kinds are shown: the counts by township are not needed.
        due = meetings_due(user=user, day=today, frequency=frequency, groups=False)
        if due is None:
            continue
        for kind, n in due.by_kind.items():
            if n:
                pending.append(
                    TodoPart(
                        f"{CURRENT[frequency]}{KIND_LABELS[kind]}",
                        None,
                        _url("orglife:create", org=org.pk, kind=kind),
                    )
                )
    return {"organization": org, "pending": pending, "url": _url("orglife:create", org=org.pk)}


def home_charts(
    *, user, today: datetime.date | None = None, attention=None, pipeline=None
) -> dict | None:
    """The charts of a county or township home page (ECharts), or None for anyone else:
    member structure, meetings held by month, organizations needing attention, the
    recruitment pipeline (`attention` and `pipeline` when the caller has counted them)."""
    if not has_role(user, Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF):
        return None
    today = today or timezone.localdate()
    structure = member_structure(user=user, today=today)
    if attention is None:
        attention = org_attention_counts(user=user, today=today)
    if pipeline is None:
        pipeline = candidate_stage_counts(user=user)
    return {
        "age": structure["age"],
        "education": structure["education"],
        "gender": structure["gender"],
        "meetings": monthly_meeting_rates(user=user, day=today),
        "attention": {
            "names": short_names([org for org, _ in attention]),
            "flags": [
                {"label": label, "counts": [row[flag] for _, row in attention]}
                for flag, label in HealthFlag.LABELS.items()
            ],
        },
        "pipeline": [(label, n) for _, label, n in pipeline],
    }


def cadre_self(*, user, today: datetime.date | None = None) -> dict | None:
    """A cadre's own account on the home page (干部本人): their post, this year's 学时 against
    the requirement, and where their record and self-nominations are."""
    cadre = own_cadre(user=user)
    if cadre is None:
        return None
    today = today or timezone.localdate()
    progress = person_progress(user=user, group=Group.CADRES, pk=cadre.pk, year=today.year)
    return {"cadre": cadre, "progress": progress, "year": today.year}


def member_self(*, user) -> dict | None:
    """A member's own account (党员本人账号): the households they are linked to (联户)."""
    if not getattr(user, "is_authenticated", False):
        return None
    households = my_households(user=user).count()
    return {"households": households} if households else None
