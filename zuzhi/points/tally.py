"""Keeping each member's yearly points (年度积分) for the branch summaries.

The services that change what points are computed from (meetings and who attended or was
absent, published appraisals, manual entries) call `points_refresh` inside their
transaction with the members and years they touched; a change of the rules recomputes every
kept year in the worker (`points_refresh_all`).

Both are set-based: per year, one `INSERT … SELECT … ON CONFLICT DO UPDATE` computes the
members' points in the database from the year's attendances, absences, appraisal grades and
manual entries, each grouped per member once and joined, with the rule of
`selectors.rule_value`. The full recomputation takes the registry a range of member ids at a
time, each range in its own transaction."""

from collections.abc import Iterable

from django.db import connections, router, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.db.models.sql import Query

from zuzhi.appraisal.models import AppraisalRound, AppraisalSubject, RoundStatus
from zuzhi.members.models import Member
from zuzhi.orglife.models import Meeting, MeetingAbsence

from .models import MemberYearPoints, PointEntry, PointRule, RuleSource
from .selectors import YearFigures, points_rules, points_total, rule_value, veto_condition

# Members per transaction of the full recomputation.
CHUNK = 5000

# Which members a refresh computes: ("in", ids) or ("range", (first id, last id)).
Members = tuple[str, object]


def points_refresh(*, member_ids: Iterable[int], years: Iterable[int]) -> None:
    """Recompute these members' kept points for these years."""
    ids = sorted(set(member_ids))
    if ids:
        _refresh(("in", ids), years)


def points_refresh_all(*, years: Iterable[int] | None = None) -> int:
    """Recompute the kept points of every member for `years` (default: every year kept), a
    range of members at a time, each in its own transaction; returns the members done."""
    if years is None:
        years = MemberYearPoints.objects.order_by().values_list("year", flat=True).distinct()
    years = sorted(set(years))
    done = last = 0
    while ids := list(
        Member.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CHUNK]
    ):
        _refresh(("range", (ids[0], ids[-1])), years)
        done += len(ids)
        last = ids[-1]
    return done


def _refresh(members: Members, years: Iterable[int]) -> None:
    """Recompute the kept points of `members`. Their rows are made and locked first, in key
    order, so that two refreshes of one member do not leave the earlier count behind: the one
    that waited computes from what the other committed."""
    years = sorted(set(years))
    if not years:
        return
    alias = router.db_for_write(MemberYearPoints)
    with transaction.atomic(using=alias):
        for year in years:
            _execute(alias, *_insert_missing(alias, members, year))
        list(
            MemberYearPoints.objects.using(alias)
            .select_for_update()
            .filter(_on(members, "member_id"), year__in=years)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        # The rules are read under the lock: a refresh that waited sees a rule changed meanwhile.
        rules = points_rules(using=alias)
        for year in years:
            _execute(alias, *_upsert(alias, members, year, rules))


def _on(members: Members, field: str) -> Q:
    """`members` as a condition on a column holding member ids."""
    lookup, value = members
    if lookup == "range":
        return Q(**{f"{field}__gte": value[0], f"{field}__lte": value[1]})
    return Q(**{f"{field}__in": value})


def _sql(alias: str, qs) -> tuple[str, tuple]:
    sql, params = qs.query.get_compiler(using=alias).as_sql()
    return sql, tuple(params)


def _execute(alias: str, sql: str, params) -> None:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)


def _insert_missing(alias: str, members: Members, year: int) -> tuple[str, tuple]:
    qn = connections[alias].ops.quote_name
    sql, params = _sql(alias, Member.objects.filter(_on(members, "pk")).order_by().values("id"))
    return (
        f"INSERT INTO {qn(MemberYearPoints._meta.db_table)} (member_id, year, total, vetoed)"
        f" SELECT m.id, %s, 0, %s FROM ({sql}) m WHERE true"
        " ON CONFLICT (member_id, year) DO NOTHING",
        (year, False, *params),
    )


def _grouped(members: Members, year: int, rules: list[PointRule]) -> dict:
    """The year's figures per member, each a grouped query with a member_id column."""
    mine = _on(members, "member_id")

    def per_member(qs, **values):
        return qs.order_by().values("member_id").annotate(**values)

    # The meeting's date and the round's year are looked up by primary key for each of the
    # members' rows: joined instead, PostgreSQL hashes the whole year's meetings of a
    # province (two million) for every range of members.
    day = Subquery(Meeting.objects.filter(pk=OuterRef("meeting_id")).order_by().values("date"))
    published = AppraisalRound.objects.filter(
        pk=OuterRef("round_id"), status=RoundStatus.PUBLISHED
    ).order_by()
    tables = {
        "attended": per_member(
            Meeting.attendees.through.objects.filter(mine).alias(day=day).filter(day__year=year),
            n=Count("pk"),
        ),
        "absent": per_member(
            MeetingAbsence.objects.filter(mine).alias(day=day).filter(day__year=year),
            n=Count("pk"),
        ),
        # The latest published appraisal with a grade; its grade is joined by primary key.
        "appraised": per_member(
            AppraisalSubject.objects.filter(mine)
            .exclude(grade="")
            .alias(round_year=Subquery(published.values("year")))
            .filter(round_year=year),
            last=Max("pk"),
        ),
    }
    manual = [r.pk for r in rules if r.source == RuleSource.MANUAL]
    if manual:
        tables["entries"] = per_member(
            PointEntry.objects.filter(mine, year=year),
            **{f"r{pk}": Sum("points", filter=Q(rule_id=pk)) for pk in manual},
        )
    return tables


def _upsert(alias: str, members: Members, year: int, rules: list[PointRule]) -> tuple[str, tuple]:
    """The statement writing the year's points of `members`: a row per member, from the
    grouped figures left-joined on the member (a member without any has none)."""
    connection = connections[alias]
    qn = connection.ops.quote_name

    def column(table, name, default, field):
        return Coalesce(RawSQL(f"{qn(table)}.{qn(name)}", (), output_field=field), Value(default))

    figures = YearFigures(
        attended=column("attended", "n", 0, IntegerField()),
        absent=column("absent", "n", 0, IntegerField()),
        grade=column("graded", "grade", "", AppraisalSubject._meta.get_field("grade")),
        manual=lambda rule: column("entries", f"r{rule.pk}", 0, IntegerField()),
    )
    total = points_total(rules, [rule_value(r, figures) for r in rules], figures.grade)
    veto = veto_condition(rules, figures.grade)
    vetoed = (
        Value(False)
        if veto is None
        else Case(When(veto, then=Value(True)), default=Value(False), output_field=BooleanField())
    )
    query = Query(MemberYearPoints)
    compiler = query.get_compiler(using=alias)
    selected, params = [], [year]
    for expression in (total, vetoed):
        sql, p = compiler.compile(expression.resolve_expression(query, allow_joins=False))
        selected.append(sql)
        params += p
    members_sql, p = _sql(alias, Member.objects.filter(_on(members, "pk")).order_by().values("id"))
    joins = [f"({members_sql}) m"]
    params += p
    for name, qs in _grouped(members, year, rules).items():
        sql, p = _sql(alias, qs)
        joins.append(f"LEFT JOIN ({sql}) {qn(name)} ON {qn(name)}.member_id = m.id")
        params += p
    subject = qn(AppraisalSubject._meta.db_table)
    joins.append(
        f"LEFT JOIN {subject} {qn('graded')} ON {qn('graded')}.id = {qn('appraised')}.{qn('last')}"
    )
    return (
        f"INSERT INTO {qn(MemberYearPoints._meta.db_table)} (member_id, year, total, vetoed)"
        f" SELECT m.id, %s, {selected[0]}, {selected[1]} FROM {' '.join(joins)} WHERE true"
        " ON CONFLICT (member_id, year) DO UPDATE SET total = excluded.total,"
        " vetoed = excluded.vetoed",
        tuple(params),
    )
