"""The province build's application records: cadres and their assessments, village
reserves, households with their linked members and their requests (tickets), and the
yearly contests, written with COPY from the tree and members already built."""

import datetime
import json
from decimal import Decimal

from province_build_rows import FEMALE, MALE, STAMP, SURNAMES, Org, Writer, pick


class AppsBuild:
    """The cadres, reserves, households, tickets and contests of `Build` (a mixin: it uses
    the build's tree, members, `rng`, `cursor`, `sql` and `drop_indexes`)."""

    # ---- cadres --------------------------------------------------------------------------
    def build_cadres(self) -> int:
        """Cadres: ten leaders per township and two per county unit, from the members of the
        unit (same person, same ID number), with three years of annual assessments."""
        from zuzhi.cadres.models import AnnualAssessment, Cadre
        from zuzhi.members.models import Member

        rng = self.rng
        picks = []
        for org in self.townships:
            first_branch = next((b for b in org.children if b.kind in ("village", "unit")), None)
            if first_branch is None:
                continue
            branch = first_branch if first_branch.members[0] else first_branch.children[0]
            lo, hi = branch.members
            picks += [(org, m) for m in range(lo, min(hi, lo + 9) + 1)]
        for branch in self.unit_branches:
            lo, hi = branch.members
            picks += [(branch, m) for m in range(lo, min(hi, lo + 1) + 1)]
        # Through the model: the members' ID numbers are stored encrypted for their own
        # column, so the cadre's copy is decrypted here and sealed again for the cadre's.
        chosen = [m for _, m in picks]
        people = {}
        for start in range(0, len(chosen), 10_000):
            people |= {
                r[0]: r
                for r in Member.objects.filter(pk__in=chosen[start : start + 10_000])
                .order_by()
                .values_list(
                    "id",
                    "name",
                    "name_initials",
                    "id_number",
                    "gender",
                    "birth_date",
                    "ethnicity",
                    "education",
                )
            }
        posts = (
            "党委书记",
            "镇长",
            "党委副书记",
            "组织委员",
            "宣传委员",
            "纪委书记",
            "副镇长",
            "武装部长",
        )
        with (
            self.cursor() as cur,
            Writer(
                cur,
                Cadre,
                [
                    "id",
                    "organization_id",
                    "unit_name",
                    "member_id",
                    "id_number",
                    "name",
                    "name_initials",
                    "gender",
                    "birth_date",
                    "ethnicity",
                    "education",
                    "current_post",
                    "photo",
                ],
            ) as w,
        ):
            for pk, (org, mid) in enumerate(picks, 1):
                _, name, ini, idn, gender, born, eth, edu = people[mid]
                w.row(
                    pk,
                    org.id,
                    f"组织{org.id}",
                    mid,
                    idn,
                    name,
                    ini,
                    gender,
                    born,
                    eth,
                    edu,
                    rng.choice(posts),
                    b"",
                )
        cadres = w.rows
        with (
            self.cursor() as cur,
            Writer(cur, AnnualAssessment, ["cadre_id", "year", "result"]) as w,
        ):
            for pk in range(1, cadres + 1):
                for year in (2023, 2024, 2025):
                    w.row(pk, year, "excellent" if rng.random() < 0.2 else "competent")
        return cadres + w.rows

    # ---- reserves ------------------------------------------------------------------------
    def build_reserves(self) -> int:
        """Two or three reserves per village at every stage, most in the pool."""
        from zuzhi.core.idnumber import check_char
        from zuzhi.core.text import initials_index
        from zuzhi.reserves.models import ReserveCandidate, ReserveEvent

        rng = self.rng
        statuses = (
            ("in_pool", 60),
            ("candidate", 10),
            ("township_approved", 8),
            ("in_review", 5),
            ("returned", 4),
            ("appointed", 6),
            ("exited", 7),
        )
        sources = (
            "excellent_member",
            "business_leader",
            "veteran",
            "migrant_worker",
            "graduate",
            "other",
        )
        pk = 0
        events = []
        seqs: dict[tuple, int] = {}
        with (
            self.cursor() as cur,
            Writer(
                cur,
                ReserveCandidate,
                [
                    "id",
                    "village_id",
                    "name",
                    "name_initials",
                    "id_number",
                    "gender",
                    "birth_date",
                    "education",
                    "source",
                    "discovery",
                    "status",
                    "status_changed_on",
                    "priority",
                ],
            ) as w,
        ):
            for village in self.villages:
                division = self.divisions[village.county % len(self.divisions)]
                for _ in range(rng.randint(2, 3)):
                    pk += 1
                    male = rng.random() < 0.65
                    born = datetime.date(
                        rng.randint(1978, 2001), rng.randint(1, 12), rng.randint(1, 28)
                    )
                    # Sequence numbers from 801 up: members use those below (see build_members).
                    key = (village.county, born, male)
                    k = seqs.get(key, 0)
                    seqs[key] = k + 1
                    seq = 801 + 2 * k if male else 802 + 2 * k
                    first17 = f"{division}{born:%Y%m%d}{seq:03d}"
                    name = (
                        rng.choice(SURNAMES)
                        + rng.choice(MALE if male else FEMALE)
                        + rng.choice(MALE if male else FEMALE)
                    )
                    status = pick(rng, statuses)
                    w.row(
                        pk,
                        village.id,
                        name,
                        initials_index(name),
                        first17 + check_char(first17),
                        "1" if male else "2",
                        born,
                        pick(rng, (("21", 30), ("31", 35), ("37", 25), ("38", 10))),
                        rng.choice(sources),
                        rng.choice(("organization", "public", "self")),
                        status,
                        datetime.date(2026, rng.randint(1, 11), rng.randint(1, 28)),
                        rng.random() < 0.15,
                    )
                    events.append((pk, "nominated"))
                    if status in ("township_approved", "in_review", "in_pool", "appointed"):
                        events.append((pk, "township_approved"))
                    if status in ("in_review", "in_pool", "appointed"):
                        events.append((pk, "sent_to_review"))
                    if status in ("in_pool", "appointed"):
                        events.append((pk, "review_passed"))
                    if status in ("appointed", "exited", "returned"):
                        events.append((pk, status if status != "returned" else "returned"))
        candidates = w.rows
        with self.cursor() as cur, Writer(cur, ReserveEvent, ["candidate_id", "kind", "on"]) as w:
            for i, (cid, kind) in enumerate(events):
                w.row(cid, kind, datetime.date(2026, 1 + i % 11, 1 + i % 28))
        return candidates + w.rows

    # ---- households and tickets ----------------------------------------------------------
    def build_households(self) -> int:
        """Ten households per member of the county units' first 100 branches (千名党员联万户),
        in the communities and villages of the county, each with its current link."""
        from zuzhi.core.text import pinyin_initials
        from zuzhi.households.models import Household, HouseholdLink

        rng = self.rng
        by_county: dict[int, list[Org]] = {}
        for v in self.villages:
            by_county.setdefault(v.county, []).append(v)
        linkers: dict[int, list[int]] = {}
        for b in self.unit_branches:
            lo, hi = b.members
            linkers.setdefault(b.county, []).extend(range(lo, hi + 1))
        self.households: list[tuple[int, int, str]] = []  # (id, member id, phone)
        pk = 0
        with (
            self.cursor() as cur,
            Writer(
                cur,
                Household,
                [
                    "id",
                    "community_id",
                    "grid",
                    "address",
                    "head_name",
                    "head_initials",
                    "phone",
                    "people",
                    "member_id",
                    "qr_token",
                ],
            ) as w,
        ):
            for county, members in linkers.items():
                villages = by_county[county]
                for n, member in enumerate(members[:1000]):
                    for h in range(10):
                        pk += 1
                        village = villages[(n * 10 + h) % len(villages)]
                        head = rng.choice(SURNAMES) + rng.choice(MALE) + rng.choice(MALE)
                        phone = f"13{rng.randint(0, 999999999):09d}"
                        w.row(
                            pk,
                            village.id,
                            f"第{h % 5 + 1}网格",
                            f"{village.id}号区{pk}号",
                            head,
                            pinyin_initials(head),
                            phone,
                            rng.randint(1, 6),
                            member,
                            f"h{pk:012d}",
                        )
                        self.households.append((pk, member, phone))
        households = w.rows
        with (
            self.cursor() as cur,
            Writer(cur, HouseholdLink, ["household_id", "member_id", "started_on"]) as w,
        ):
            for hid, member, _ in self.households:
                w.row(hid, member, datetime.date(2025, 3, 1))
        return households + w.rows

    def build_tickets(self) -> int:
        """A year of households' requests, one per household on average: most closed and
        rated, the last weeks' still open."""
        from zuzhi.core.scope import SYSTEM
        from zuzhi.tickets.config_services import ticket_types_load_defaults
        from zuzhi.tickets.models import Ticket, TicketEvent, TicketType

        ticket_types_load_defaults(actor=SYSTEM)
        types = list(TicketType.objects.values_list("id", "accept_hours", "resolve_hours"))
        rng = self.rng
        self.indexes_tickets = self.drop_indexes("tickets_ticket")
        tz = datetime.timezone(datetime.timedelta(hours=8))
        start = datetime.datetime(2025, 12, 6, 8, tzinfo=tz)
        now = datetime.datetime(2026, 12, 5, 8, tzinfo=tz)
        events = []
        with (
            self.cursor() as cur,
            Writer(
                cur,
                Ticket,
                [
                    "id",
                    "household_id",
                    "type_id",
                    "channel",
                    "description",
                    "contact_phone",
                    "state",
                    "member_id",
                    "created_at",
                    "accept_due",
                    "resolve_due",
                    "accepted_at",
                    "resolved_at",
                    "closed_at",
                    "resolution",
                    "rating",
                    "rated_at",
                    "callback_token",
                ],
            ) as w,
        ):
            pk = 0
            for hid, member, phone in self.households:
                for _ in range(rng.choice((0, 1, 1, 2))):
                    pk += 1
                    type_id, accept_h, resolve_h = rng.choice(types)
                    created = start + datetime.timedelta(minutes=rng.randint(0, 525_000))
                    age_days = (now - created).days
                    if age_days > 20 or rng.random() < 0.3:
                        state = "closed"
                    else:
                        state = rng.choice(("new", "accepted", "in_progress", "resolved"))
                    accepted = (
                        created + datetime.timedelta(hours=rng.randint(1, accept_h))
                        if state != "new"
                        else None
                    )
                    resolved = (
                        created + datetime.timedelta(hours=rng.randint(accept_h, resolve_h))
                        if state in ("resolved", "closed")
                        else None
                    )
                    closed = resolved + datetime.timedelta(days=1) if state == "closed" else None
                    w.row(
                        pk,
                        hid,
                        type_id,
                        rng.choice(("member", "community", "household")),
                        "门前路灯不亮，请帮忙联系修理",
                        phone,  # the service's default: the household's phone
                        state,
                        member,
                        created,
                        created + datetime.timedelta(hours=accept_h),
                        created + datetime.timedelta(hours=resolve_h),
                        accepted,
                        resolved,
                        closed,
                        "已联系相关部门处理" if resolved else "",
                        rng.choice(("satisfied", "satisfied", "basic")) if closed else "",
                        closed,
                        f"t{pk:015d}",
                    )
                    events.append((pk, "create", "", "new", created))
                    if closed:
                        events.append((pk, "close", "resolved", "closed", closed))
        tickets = w.rows
        with (
            self.cursor() as cur,
            Writer(
                cur,
                TicketEvent,
                ["ticket_id", "kind", "from_state", "to_state", "at", "actor_label"],
            ) as w,
        ):
            for tid, kind, a, b, at in events:
                w.row(tid, kind, a, b, at, "联系党员")
        return tickets + w.rows

    # ---- contests ------------------------------------------------------------------------
    def build_contests(self) -> int:
        """Per county the villages' yearly contest (an indicator stage of five indicators,
        one value each, a published result with red and black lists); a province-wide
        contest of the townships the same way."""
        from zuzhi.contests.models import (
            Contest,
            Entrant,
            Indicator,
            ResultRow,
            ResultVersion,
            Stage,
        )

        rng = self.rng
        contests = [(self.province, "township", "全省乡镇党委年度考评", self.townships)]
        by_county: dict[int, list[Org]] = {}
        for v in self.villages:
            by_county.setdefault(v.county, []).append(v)
        contests += [
            (
                county,
                "village",
                f"{county.county + 1}县村级党组织年度考评",
                by_county[county.county],
            )
            for county in self.county_orgs
        ]
        rows = 0
        entrant_pk = 0
        self.contest_ids = {}
        for organizer, track, name, entrants in contests:
            contest = Contest.objects.create(
                organization_id=organizer.id,
                name=name,
                track=track,
                period_label="2026年度",
                status="published",
                red_list_size=10,
                black_list_size=10,
                top_n=max(1, len(entrants) // 10),
            )
            self.contest_ids[organizer.id] = contest.pk
            stage = Stage.objects.create(
                contest=contest, kind="indicators", name="指标数据", weight=Decimal(100)
            )
            indicators = [
                Indicator.objects.create(
                    stage=stage, name=f"指标{i + 1}", weight=Decimal(20), order=i
                )
                for i in range(5)
            ]
            version = ResultVersion.objects.create(contest=contest, number=1, status="published")
            first = entrant_pk + 1
            with (
                self.cursor() as cur,
                Writer(
                    cur, Entrant, ["id", "contest_id", "organization_id", "name", "number"]
                ) as w,
            ):
                for number, org in enumerate(entrants, 1):
                    entrant_pk += 1
                    w.row(entrant_pk, contest.pk, org.id, f"组织{org.id}", number)
            rows += w.rows
            rows += self.sql(
                """INSERT INTO contests_indicatorvalue (indicator_id, entrant_id, scaled, note,
                                                        evidence, entered_at)
                   SELECT i, e, ((e * 2654435761 + i * 40503) %% 1000000), '', '', %s
                   FROM unnest(%s::bigint[]) i CROSS JOIN generate_series(%s, %s) e""",
                [STAMP, [i.pk for i in indicators], first, entrant_pk],
            )
            finals = sorted(
                ((rng.randint(6000, 9900), e) for e in range(first, entrant_pk + 1)), reverse=True
            )
            count = len(finals)
            with (
                self.cursor() as cur,
                Writer(
                    cur,
                    ResultRow,
                    [
                        "version_id",
                        "entrant_id",
                        "stage_scores",
                        "adjustment",
                        "final",
                        "rank",
                        "tier",
                        "selected",
                        "list_mark",
                    ],
                ) as w,
            ):
                for rank, (final, e) in enumerate(finals, 1):
                    score = f"{final / 100:.2f}"
                    mark = "red" if rank <= 10 else "black" if rank > count - 10 else ""
                    w.row(
                        version.pk,
                        e,
                        json.dumps({str(stage.pk): score}),
                        "0.00",
                        score,
                        rank,
                        "优秀" if rank <= count // 5 else "良好",
                        rank <= max(1, count // 10),
                        mark,
                    )
            rows += w.rows
        return rows
