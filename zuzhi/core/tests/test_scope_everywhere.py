"""The out-of-scope test, generated for every page and every API operation.

Every URL pattern that names an object (walked from the URL configuration) and every API
operation with a path id (walked from the OpenAPI schema) is requested by a township clerk of
town A and a branch secretary of village A1 for objects that live in town B. A GET answers the
404 and writes the PERMISSION_DENIED row; a POST, PATCH or DELETE answers 404 and changes
nothing in the database. A new page or endpoint is covered without anyone writing a test for
it: its ids are filled in from the parameter names below, or the test fails and says which
URL to teach it (or to list in SKIPPED with the reason).
"""

import datetime
import functools
import re
from decimal import Decimal as D
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.roles import Role
from zuzhi.testing.factories import make_member, user_with_role

# --- what an id in a URL names ---------------------------------------------------------------
# `pk` names the app's main object unless the URL says otherwise; other ids are named for
# their object. Contests and ratings are included: they are scoped like everything else.
PK_KINDS = {
    "orgs": "org",
    "members": "member",
    "orglife": "meeting",
    "recruitment": "candidate",
    "appraisal": "round",
    "dues": "exemption",
    "points": "member",
    "contests": "contest",
    "ratings": "award",
    "cadres": "cadre",
    "promotions": "promotion_round",
    "three_ones": "contact",
    "team_appraisal": "team_appraisal",
    "reserves": "reserve_candidate",
    "reserve_use": "reserve_assignment",
    "households": "household",
    "tickets": "ticket",
    "talent": "talent",
    "talent_demands": "demand_edition",
    "challenges": "challenge",
}
URL_KINDS = {
    ("orgs:rectification", "pk"): "rectification",
    ("members:case", "pk"): "member_case",
    ("members:transfer_decide", "pk"): "transfer",
    ("members:transfer_letter", "pk"): "transfer",
    ("orglife:attachment", "pk"): "attachment",
    ("orgs:committee_end", "pk"): "committee_seat",
    ("ratings:history", "pk"): "org",
    ("ratings:history", "code"): "scheme",
    ("accounts:token_revoke", "pk"): "api_token",
    ("accounts:session_revoke", "pk"): "login_session",
    ("accounts:grant_approve", "pk"): "role_grant",
    ("accounts:grant_refuse", "pk"): "role_grant",
    ("accounts:account_revoke", "assignment"): "role_assignment",
    ("cadres:lrmx_preview", "pk"): "lrmx_import",
    ("cadres:lrmx_confirm", "pk"): "lrmx_import",
    ("cadres:lrmx_status", "pk"): "lrmx_import",
    ("cadres:team_detail", "pk"): "team",
    ("cadres:team_appoint", "pk"): "team",
    ("cadres:holding_end", "pk"): "post_holding",
    ("cadres:team_target_edit", "pk"): "team_target",
    ("promotions:assessment", "pk"): "assessment_round",
    ("promotions:assessment_close", "pk"): "assessment_round",
    ("three_ones:rectify", "pk"): "problem",
    ("three_ones:type_edit", "pk"): "problem_type",
    ("tickets:team", "pk"): "service_team",
    ("tickets:team_edit", "pk"): "service_team",
    ("tickets:type_edit", "pk"): "ticket_type",
    ("tickets:attachment", "pk"): "ticket_attachment",
    ("talent:platform", "pk"): "talent_platform",
    ("talent:platform_edit", "pk"): "talent_platform",
    ("talent:platform_person_remove", "pk"): "talent_platform_person",
    ("talent:care_event", "pk"): "care_event",
    ("talent:care_edit", "pk"): "care_event",
    ("talent_demands:entry_edit", "pk"): "demand_entry",
    ("talent_demands:entry_delete", "pk"): "demand_entry",
    ("challenges:score", "pk"): "challenge_application",
    ("challenges:application_phone", "pk"): "challenge_application",
    ("challenges:application_file", "pk"): "challenge_application",
    ("challenges:application_file", "file_pk"): "challenge_proposal_file",
    ("challenges:milestone_done", "pk"): "challenge_milestone",
    ("challenges:milestone_file", "pk"): "challenge_milestone",
}
PARAM_KINDS = {
    "member_pk": "member",
    "stage_pk": "judge_stage",
    "entrant_pk": "entrant",
    "indicator_pk": "indicator",
    "item_pk": "adjustment",
    "version_pk": "version",
    "case_pk": "contest_case",
    "org_id": "org",
    "member_id": "member",
    "transfer_id": "transfer",
    "meeting_id": "meeting",
    "candidate_id": "candidate",
    "round_id": "round",
    "contest_id": "contest",
    "entrant_id": "entrant",
    "case_id": "contest_case",
    "stage_id": "judge_stage",
    "sheet_id": "sheet",
    "version_id": "version",
    "award_id": "award",
    "cadre_id": "cadre",
    "team_id": "team",
    "holding_id": "post_holding",
    "nomination_id": "self_nomination",
    "correction_id": "correction_request",
    "grant_id": "rank_grant",
    "promotion_round_id": "promotion_round",
    "assessment_round_id": "assessment_round",
    "archive_entry_id": "archive_entry",
    "supervision_id": "supervision_record",
    "watch_id": "watch_entry",
    "contact_id": "contact",
    "problem_id": "problem",
    "assignment_id": "village_assignment",
    "report_id": "village_report",
    "team_appraisal_id": "team_appraisal",
    "adjustment_case_id": "adjustment_case",
    "reserve_id": "reserve_candidate",
    "talent_id": "returning_talent",
    "township_id": "township",
    "review_round_id": "review_round",
    "review_item_id": "review_item",
    "reserve_appraisal_id": "reserve_appraisal",
    "reserve_subject_id": "reserve_appraisal_subject",
    "reserve_assignment_id": "reserve_assignment",
    "election_id": "village_election",
    "village_id": "org",
    "mentorship_id": "mentorship",
    "plan_id": "reserve_training_plan",
    "household_id": "household",
    "link_id": "household_link",
    "ticket_id": "ticket",
    "subsidy_policy_id": "subsidy_policy",
    "subsidy_application_id": "subsidy_application",
    "subsidy_run_id": "subsidy_run",
    "subsidy_line_id": "subsidy_line",
    "building_id": "apartment_building",
    "flat_id": "apartment_flat",
    "allocation_id": "apartment_allocation",
    "application_id": "apartment_application",
    "edition_id": "demand_edition",
    "demand_entry_id": "demand_entry",
    "challenge_id": "challenge",
    "challenge_application_id": "challenge_application",
    "proposal_file_id": "challenge_proposal_file",
    "challenge_reviewer_id": "challenge_reviewer",
    "milestone_id": "challenge_milestone",
}
# An id named by the collection it is in (the same name means different things elsewhere).
SEGMENT_KINDS = {
    ("adjustments", "item_id"): "adjustment",
    ("corrections", "item_id"): "correction",
    ("attachments", "attachment_id"): "ticket_attachment",
    ("talents", "talent_id"): "talent",
}
# Words in a URL that pick an action or a format: each one is tried.
ACTIONS = {
    "members:transfer_decide": ["accept", "reject", "cancel"],
    "appraisal:action": ["close", "decide", "publish", "self"],
    "ratings:award_action": ["confirm", "withdraw"],
    "contests:results_export": ["xlsx", "pdf"],
    "contests:action": ["start", "compute", "publish", "revise", "delete"],
}

# --- what is deliberately not generated ------------------------------------------------------
# A star scheme belongs to a county or to the deployment's root, never to a township: the
# county boundary (adopt, edit) is tested in ratings/tests/test_shared_schemes.py.
PUBLIC = "a public voting page is for every citizen, not scoped"
SCHEME = "a star scheme is a county's or the deployment's, not a township's object"
HOUSEHOLD_PAGE = "a household's public request page: its QR code's unguessable token, no login"
TALENT_PUBLIC = "the published talent catalogue and challenges are for everyone, not scoped"

SKIPPED = {
    "appraisal:ballot": "the anonymous ballot page has no login and no scope by design (#11 5.6)",
    "appraisal:cast": "casting on the anonymous ballot needs a ballot code, not a login (#11 5.6)",
    "team_appraisal:ballot": "the anonymous ballot page has no login and no scope by design",
    "team_appraisal:cast": "casting on the anonymous ballot needs a ballot code, not a login",
    "reserve_appraisals:ballot": "the anonymous ballot page has no login and no scope by design",
    "reserve_appraisals:cast": "casting on the anonymous ballot needs a ballot code, not a login",
    "contests:public": "the public contest page is for every citizen, not scoped",
    "contests:public_code": PUBLIC,
    "contests:public_verify": PUBLIC,
    "contests:public_vote": PUBLIC,
    "contests:photo": "an entrant's photo on the public page is for every citizen, not scoped",
    "tickets_public:household": HOUSEHOLD_PAGE,
    "tickets_public:household_code": HOUSEHOLD_PAGE,
    "tickets_public:household_submit": HOUSEHOLD_PAGE,
    "tickets_public:rate": "the callback's rating page: its unguessable token, no login",
    "talent_demands_public:edition": TALENT_PUBLIC,
    "talent_demands_public:edition_xlsx": TALENT_PUBLIC,
    "challenges_public:detail": TALENT_PUBLIC,
    "overview_public:detail": "the quarterly publication (季度晾晒) is for everyone, not scoped",
    "/api/public/talent-demands/{edition_id}/entries": TALENT_PUBLIC,
    "imports:upload": "`kind` names an importer, not an object",
    "imports:template": "`kind` names an importer, not an object",
    "ratings:board": SCHEME,
    "ratings:propose": SCHEME,
    "ratings:pending": SCHEME,
    "ratings:confirm": SCHEME,
    "ratings:carry_over": SCHEME,
    "ratings:changes": SCHEME,
    "ratings:settings": SCHEME,
    "ratings:adopt": SCHEME,
    "/api/public/contests/{contest_id}": "public voting API: for every citizen, not scoped",
    "/api/public/contests/{contest_id}/codes": "public voting API: for every citizen",
    "/api/public/contests/{contest_id}/voters": "public voting API: for every citizen",
    "/api/public/contests/{contest_id}/votes": "public voting API: for every citizen",
    "/api/ratings/schemes/{code}/levels": SCHEME,
    "/api/ratings/schemes/{code}/distribution": SCHEME,
    "/api/ratings/schemes/{code}/changes": SCHEME,
    "/api/ratings/schemes/{code}/adopt": SCHEME,
}
# Pages refused by role before any object is looked up: a 404 that is no scope decision and
# so writes no PERMISSION_DENIED row.
ACCOUNTS = "accounts are the system administrator's; others get no page"
ROLE_GATED = {
    "accounts:account_detail": ACCOUNTS,
    "accounts:account_grant": ACCOUNTS,
    "accounts:account_revoke": ACCOUNTS,
    "accounts:account_activate": ACCOUNTS,
    "accounts:account_deactivate": ACCOUNTS,
    "accounts:account_reset_password": ACCOUNTS,
    "accounts:account_unlock": ACCOUNTS,
    "accounts:two_factor_reset_request": ACCOUNTS,
    "accounts:two_factor_reset_approve": "only administrators decide second-factor resets",
    "accounts:two_factor_reset_refuse": "only administrators decide second-factor resets",
    "accounts:grant_approve": "only county staff approve role grants; others get no page",
    "accounts:grant_refuse": "only county staff approve role grants; others get no page",
    "imports:job": "an import job is its uploader's alone, whatever the scope",
    "imports:progress": "an import job is its uploader's alone, whatever the scope",
    "imports:confirm": "an import job is its uploader's alone, whatever the scope",
    "imports:choose_sheet": "an import job is its uploader's alone, whatever the scope",
    "imports:marked": "an import job is its uploader's alone, whatever the scope",
    "exports:job": "an export job is its asker's alone, whatever the scope",
    "exports:progress": "an export job is its asker's alone, whatever the scope",
    "exports:file": "an export job is its asker's alone, whatever the scope",
}
PARAM_KINDS_BY_NAMESPACE = {
    "accounts": {"pk": "account"},
    "imports": {"pk": "import_job"},
    "exports": {"pk": "export_job"},
}
# Operations whose documented body is not the one they take, so the generator cannot fill it:
# the body is refused (422) before the lookup. Nothing may change all the same.
BODY_UNFILLABLE: dict[str, str] = {}
# Known failures in code being rewritten elsewhere: strict, so a fix is noticed.
XFAIL: dict[str, str] = {}

# Tables that any request may touch without changing what the county holds.
NOT_DATA = {
    "core.auditlog",
    "core.auditseal",
    "core.auditpending",
    "sessions.session",
    "accounts.apitoken",
    "accounts.loginattempt",
}


# --- walking the URL configuration and the schema --------------------------------------------
def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}".strip(":") if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), f"{namespace}:{p.name}".strip(":")


PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def page_routes() -> list[tuple[str, str]]:
    return [
        (route, name)
        for route, name in _walk(get_resolver().url_patterns)
        if PARAM.search(route) and not name.startswith("api:")
    ]


def _schema() -> dict:
    from zuzhi.api import api

    return api.get_openapi_schema()


def api_operations(schema: dict) -> list[tuple[str, str]]:
    return [
        (path, method)
        for path, ops in schema["paths"].items()
        if "{" in path
        for method in ops
        if method in ("get", "post", "patch", "put", "delete")
    ]


PAGES = page_routes()
SCHEMA = _schema()
OPERATIONS = api_operations(SCHEMA)


def _params(name, route):
    return [(conv or "str", param) for conv, param in PARAM.findall(route)]


def _kind(name: str, param: str) -> str | None:
    namespace = name.split(":")[0]
    if (name, param) in URL_KINDS:
        return URL_KINDS[(name, param)]
    if param in PARAM_KINDS_BY_NAMESPACE.get(namespace, {}):
        return PARAM_KINDS_BY_NAMESPACE[namespace][param]
    if param == "pk":
        return PK_KINDS.get(namespace)
    return PARAM_KINDS.get(param)


# --- the objects of town B -------------------------------------------------------------------
class TownB:
    """Objects of every kind, all in town B, built on demand through the real services."""

    def __init__(self, county):
        self.county = county
        self.clerk = user_with_role(Role.TOWNSHIP_STAFF, county.town_b, username="clerk_b")
        self.cache = {}

    def __getitem__(self, kind):
        if kind not in self.cache:
            self.cache[kind] = getattr(self, f"_{kind}")()
        return self.cache[kind]

    def pk(self, kind) -> str:
        return str(self[kind].pk)

    def _org(self):
        return self.county.village_b1

    def _township(self):
        return self.county.town_b

    def _member(self):
        return make_member(self.county.village_b1, name="乙党员")

    def _rectification(self):
        from zuzhi.orgs.services import rectification_open

        return rectification_open(
            actor=self.clerk,
            organization=self.county.village_b1,
            year=2026,
            problems="班子不团结",
            measures="调整班子",
            responsible="书记",
        )

    def _member_case(self):
        from zuzhi.members.services import member_case_open

        return member_case_open(
            actor=self.clerk,
            member=self["member"],
            kind="lost_contact",
            opened_on=datetime.date(2026, 1, 5),
            situation="联系不上",
            handler="乙",
        )

    def _transfer(self):
        from zuzhi.members.services import member_transfer

        return member_transfer(
            actor=self.clerk,
            member=self["member"],
            to_org=self.county.unit,
            transfer_date=datetime.date(2026, 1, 5),
            reason="工作调动",
        )

    def _meeting(self):
        from zuzhi.orglife.services import meeting_record

        return meeting_record(
            actor=self.clerk,
            organization=self.county.village_b1,
            kind="committee",
            date=datetime.date(2026, 1, 5),
            topic="学习",
            attendee_ids=[self["member"].pk],
        )

    def _committee_seat(self):
        from zuzhi.orgs.committee import committee_appoint

        return committee_appoint(
            actor=self.clerk,
            organization=self.county.village_b1,
            member=self["member"],
            position="secretary",
            started_on=datetime.date(2026, 1, 5),
        )

    def _attachment(self):
        from zuzhi.orglife.models import MeetingAttachment

        return MeetingAttachment.objects.create(
            meeting=self["meeting"],
            file=SimpleUploadedFile("记录.pdf", b"%PDF-1.4\n"),
            name="记录.pdf",
        )

    def _candidate(self):
        from zuzhi.recruitment.services import candidate_apply
        from zuzhi.testing.factories import valid_id_number

        return candidate_apply(
            actor=self.clerk,
            organization=self.county.village_b1,
            applied_on=datetime.date(2025, 1, 5),
            data={
                "name": "申请人",
                "id_number": valid_id_number(birth="20000101", sequence=31),
                "ethnicity": "01",
                "education": "21",
            },
        )

    def _round(self):
        from zuzhi.appraisal.services import appraisal_open

        for i in range(3):
            make_member(self.county.village_b1, name=f"评{i}", id_number=_id_number(40 + i))
        return appraisal_open(actor=self.clerk, organization=self.county.village_b1, year=2026)[0]

    def _exemption(self):
        from zuzhi.dues.services import dues_exemption_request

        return dues_exemption_request(
            actor=self.clerk,
            member=self["member"],
            first_month=datetime.date(2026, 1, 1),
            last_month=datetime.date(2026, 6, 1),
            monthly_fen=0,
            reason="生活困难",
        )

    def _cadre(self):
        from zuzhi.testing.factories import make_cadre

        return make_cadre(self.county.town_b, name="乙干部", id_number=_id_number(60))

    def _lrmx_import(self):
        from pathlib import Path

        from zuzhi.cadres.lrmx_import import lrmx_upload

        officer = user_with_role(Role.CADRE_STAFF, self.county.town_b, username="cadre_b")
        data = Path(apps.get_app_config("cadres").path, "tests", "data", "standard.lrmx")
        return lrmx_upload(
            actor=officer,
            filename="a.lrmx",
            content=data.read_bytes(),
            organization=self.county.town_b,
        )

    def _account(self):
        return self.clerk

    def _api_token(self):
        from zuzhi.accounts.models import ApiToken
        from zuzhi.accounts.services import token_issue

        token_issue(user=self.clerk)
        return ApiToken.objects.get(user=self.clerk)

    def _login_session(self):
        from zuzhi.accounts.sessions import session_open

        return session_open(user=self.clerk, session_key="b" * 32, ip=None, user_agent="")

    def _role_grant(self):
        from zuzhi.accounts.grants import role_grant_request

        sysadmin = user_with_role(Role.SYSTEM_ADMIN, self.county.county, username="sysadmin_b")
        return role_grant_request(
            actor=sysadmin, user=self.clerk, role=Role.BRANCH_SECRETARY, organization=self._org()
        )

    def _role_assignment(self):
        return self.clerk.role_assignments.get()

    def _import_job(self):
        from zuzhi.core.models import ImportJob

        return ImportJob.objects.create(
            kind="members", filename="x.xlsx", content=b"", created_by=self.clerk, status="ready"
        )

    def _export_job(self):
        from zuzhi.core.models import ExportJob

        return ExportJob.objects.create(
            kind="members",
            page_path="/members/",
            created_by=self.clerk,
            filename="党员名册",
            target_type="members.member",
            status="done",
            file_name="x.xlsx",
        )

    # Contests: a town B contest of town B's villages, with a judge stage and one of each item.
    def _contest(self):
        from zuzhi.contests import services

        contest = services.contest_create(
            actor=self.clerk,
            organization=self.county.town_b,
            data={"name": "乙镇十强", "track": "village", "period_label": "2026年", "top_n": 1},
            stages=[
                {
                    "kind": "indicators",
                    "name": "指标",
                    "weight": D(50),
                    "indicators": [{"name": "收入", "weight": D(100), "method": "minmax"}],
                },
                {
                    "kind": "judges",
                    "name": "擂台",
                    "weight": D(50),
                    "aggregation": "mean",
                    "criteria": [{"name": "思路", "max_score": D(100)}],
                },
            ],
        )
        services.entrants_add_eligible(actor=self.clerk, contest=contest)
        self.judge = user_with_role(Role.JUDGE, self.county.county, username="judge_b")
        stage = contest.stages.get(kind="judges")
        services.judge_seat(actor=self.clerk, stage=stage, judge=self.judge)
        return services.contest_start(actor=self.clerk, contest=contest)

    def _judge_stage(self):
        return self["contest"].stages.get(kind="judges")

    def _entrant(self):
        return self["contest"].entrants.get()

    def _indicator(self):
        return self["contest"].stages.get(kind="indicators").indicators.get()

    def _adjustment(self):
        from zuzhi.contests import services

        return services.adjustment_request(
            actor=self.clerk,
            entrant=self["entrant"],
            kind="bonus",
            amount=D(1),
            reason="获表彰",
            evidence=SimpleUploadedFile("证明.pdf", b"%PDF-1.4\n"),
        )

    def _sheet(self):
        from zuzhi.contests import services

        stage, entrant = self["judge_stage"], self["entrant"]
        services.appearance_open(actor=self.clerk, stage=stage, entrant=entrant)
        criterion = stage.criteria.get()
        return services.sheet_submit(
            judge=self.judge, stage=stage, entrant=entrant, marks={criterion.pk: "80"}
        )

    def _correction(self):
        from zuzhi.contests import services

        sheet = self["sheet"]
        return services.correction_request(
            judge=self.judge,
            sheet=sheet,
            marks={sheet.stage.criteria.get().pk: "81"},
            reason="笔误",
        )

    def _version(self):
        from zuzhi.contests.models import ResultVersion

        return ResultVersion.objects.create(contest=self["contest"], number=1)

    def _contest_case(self):
        from zuzhi.contests.models import SupervisionCase

        return SupervisionCase.objects.create(
            contest=self["contest"],
            version=self["version"],
            entrant=self["entrant"],
            deadline=datetime.date(2026, 6, 30),
        )

    def _self_nomination(self):
        from zuzhi.cadres.nomination_services import self_nomination_submit
        from zuzhi.testing.factories import UserFactory, make_cadre

        owner = UserFactory(username="cadre_b")
        cadre = make_cadre(self.county.town_b, name="乙干部", id_number=_id_number(60), user=owner)
        return self_nomination_submit(
            actor=owner,
            cadre=cadre,
            target_kind="post",
            target="城郊乡副乡长",
            statement="自荐",
        )

    def _correction_request(self):
        from zuzhi.cadres.nomination_services import correction_request_submit

        cadre = self["self_nomination"].cadre
        return correction_request_submit(
            actor=cadre.user, cadre=cadre, field="native_place", requested_value="乙地", reason="误"
        )

    def _scheme(self):
        from zuzhi.ratings.models import StarScheme

        scheme = StarScheme.objects.get(code="five-star-branch")
        scheme.pk = scheme.code  # a scheme is named in URLs by its code
        return scheme

    def _award(self):
        from zuzhi.ratings.models import StarScheme
        from zuzhi.ratings.services import award_propose

        star = StarScheme.objects.get(code="five-star-branch").stars.order_by("pk").first()
        return award_propose(
            actor=self.clerk,
            star=star,
            period="2026",
            subject=self.county.village_b1,
            evidence="事实依据",
        )

    # Cadres: a town B leadership team, an appointment on it, and a county-wide target (only
    # the cadre section sets targets, so a township clerk anywhere is refused).
    def _team(self):
        from zuzhi.cadres.team_services import team_create
        from zuzhi.core.scope import SYSTEM

        return team_create(actor=SYSTEM, organization=self.county.town_b, kind="township_committee")

    def _post_holding(self):
        from zuzhi.cadres.team_services import post_appoint
        from zuzhi.core.scope import SYSTEM
        from zuzhi.testing.factories import make_cadre

        return post_appoint(
            actor=SYSTEM,
            post=self["team"].posts.get(title="书记"),
            cadre=make_cadre(self.county.town_b, name="乙书记", id_number=_id_number(61)),
            start=datetime.date(2025, 1, 5),
        )

    def _team_target(self):
        from zuzhi.cadres.team_services import team_target_create
        from zuzhi.core.scope import SYSTEM

        return team_target_create(
            actor=SYSTEM, data={"kind": "min_women", "value": 1, "label": "至少1名女性干部"}
        )

    def _rank_grant(self):
        from zuzhi.cadres.rank_services import rank_grant
        from zuzhi.core.scope import SYSTEM

        return rank_grant(
            actor=SYSTEM, cadre=self["cadre"], rank="clerk_2", reached_on=datetime.date(2026, 1, 5)
        )

    def _promotion_round(self):
        from zuzhi.core.scope import SYSTEM
        from zuzhi.promotions.services import promotion_round_create

        return promotion_round_create(
            actor=SYSTEM,
            organization=self.county.town_b,
            name="乙镇晋升",
            cutoff=datetime.date(2026, 1, 5),
        )

    def _assessment_round(self):
        from zuzhi.core.scope import SYSTEM
        from zuzhi.promotions.services import assessment_round_open

        return assessment_round_open(actor=SYSTEM, organization=self.county.town_b, year=2025)

    # The performance archive (issue #14): a town B cadre's entry, supervision record and
    # watch-list entry.
    def _archive_entry(self):
        from zuzhi.archive.services import entry_record
        from zuzhi.core.scope import SYSTEM

        return entry_record(
            actor=SYSTEM,
            cadre=self["cadre"],
            date=datetime.date(2026, 1, 5),
            kind="achievement",
            text="乙干部实绩",
        )

    def _supervision_record(self):
        from zuzhi.archive.services import supervision_record
        from zuzhi.core.scope import SYSTEM

        return supervision_record(
            actor=SYSTEM,
            cadre=self["cadre"],
            kind="admonishment",
            date=datetime.date(2026, 1, 5),
            source="县纪委",
            text="诫勉",
        )

    # The five triggers: the case opened by the town B cadre's discipline record.
    # Village reserves: a candidate of village B1 and a returning talent from there.
    def _returning_talent(self):
        from zuzhi.reserves.services import talent_create

        return talent_create(
            actor=self.clerk, data={"home_village": self.county.village_b1, "name": "赵雁"}
        )

    def _reserve_candidate(self):
        from zuzhi.reserves.services import candidate_create
        from zuzhi.testing.factories import valid_id_number

        return candidate_create(
            actor=self.clerk,
            data={
                "village": self.county.village_b1,
                "name": "钱备",
                "id_number": valid_id_number(birth="19900101", sequence=771),
                "source": "graduate",
                "discovery": "organization",
            },
        )

    # Reserve use: a task of a village B1 reserve in the pool, and an election there that
    # made another one a village committee member.
    def _pool_reserves(self):
        from zuzhi.reserve_use.tests.factories import make_pool_reserves

        return make_pool_reserves(self.county, [self.county.village_b1] * 2, sequence=780)

    def _reserve_assignment(self):
        from zuzhi.reserve_use.services import assignment_create

        return assignment_create(
            actor=self.clerk,
            candidate=self["pool_reserves"][0],
            data={"kind": "grid", "title": "乙网格", "started_on": datetime.date(2026, 1, 5)},
        )

    def _village_election(self):
        from zuzhi.reserve_use.services import ElectedInput, election_record

        return election_record(
            actor=self.clerk,
            village=self.county.village_b1,
            held_on=datetime.date(2026, 1, 5),
            elected=[ElectedInput(self["pool_reserves"][1], "village_committee", "member")],
        )

    # Reserve training: a pool reserve of village B1 paired with a member of the village,
    # and the township's training plan.
    def _mentorship(self):
        from zuzhi.reserve_training.services import mentorship_create
        from zuzhi.reserves.models import ReserveCandidate

        reserve = self["reserve_candidate"]
        ReserveCandidate.objects.filter(pk=reserve.pk).update(status="in_pool")
        reserve.refresh_from_db()
        return mentorship_create(
            actor=self.clerk,
            reserve=reserve,
            mentor=f"m{self['member'].pk}",
            started_on=datetime.date(2026, 1, 5),
        )

    def _reserve_training_plan(self):
        from zuzhi.reserve_training.services import plan_create

        return plan_create(
            actor=self.clerk, organization=self.county.town_b, year=2026, hours_required=D("8")
        )

    def _adjustment_case(self):
        from zuzhi.adjustments.models import AdjustmentCase

        self["supervision_record"]
        return AdjustmentCase.objects.get(cadre=self["cadre"], trigger="discipline")

    def _watch_entry(self):
        from zuzhi.archive.services import watch_add
        from zuzhi.core.scope import SYSTEM

        return watch_add(actor=SYSTEM, cadre=self["cadre"], reason_kind="priority_reserve")

    # Three ones: a talk with a town B team member that found a problem; the problem types
    # are the cadre section's, so a township clerk anywhere is refused.
    def _contact(self):
        from zuzhi.core.scope import SYSTEM
        from zuzhi.three_ones.services import ProblemInput, contact_log

        holding = self["post_holding"]
        return contact_log(
            actor=SYSTEM,
            team=self["team"],
            kind="weekly_talk",
            date=datetime.date(2026, 1, 5),
            cadres=[holding.cadre],
            summary="谈话",
            problems=[ProblemInput(holding.cadre, self["problem_type"], "不下村")],
        )

    def _problem(self):
        return self["contact"].problems.get()

    def _problem_type(self):
        from zuzhi.core.scope import SYSTEM
        from zuzhi.three_ones.services import problem_type_create

        return problem_type_create(actor=SYSTEM, aspect="conduct", name="工作作风不实")

    # Resident village work: a cadre resident in village B1, with a monthly report.
    def _village_assignment(self):
        from zuzhi.core.scope import SYSTEM
        from zuzhi.testing.factories import make_cadre
        from zuzhi.village_work.services import assignment_create

        return assignment_create(
            actor=SYSTEM,
            cadre=make_cadre(self.county.unit, name="乙驻村", id_number=_id_number(62)),
            village=self.county.village_b1,
            role="first_secretary",
            sending_unit="县教育局",
            start=datetime.date(2025, 3, 1),
            end=datetime.date(2027, 2, 28),
        )

    def _village_report(self):
        from zuzhi.core.scope import SYSTEM
        from zuzhi.village_work.services import report_submit

        return report_submit(
            actor=SYSTEM,
            assignment=self["village_assignment"],
            month=datetime.date(2025, 5, 1),
            work_done="走访",
            next_plan="修路",
        )

    # Democratic appraisal: a round of the town B team (its secretary appraised).
    def _team_appraisal(self):
        from decimal import Decimal

        from zuzhi.core.scope import SYSTEM
        from zuzhi.team_appraisal.services import GroupInput, appraisal_open

        self["post_holding"]
        return appraisal_open(
            actor=SYSTEM,
            team=self["team"],
            year=2026,
            groups=[GroupInput("班子成员", Decimal(100), 1)],
        )[0]

    # County joint review: a round of the county (outside any township clerk's reach) with a
    # name from village B1.
    def _review_round(self):
        from zuzhi.core.scope import SYSTEM
        from zuzhi.joint_reviews.services import ItemInput, departments_load_defaults, round_open

        departments_load_defaults(actor=SYSTEM)
        return round_open(
            actor=SYSTEM,
            kind="reserve",
            organization=self.county.county,
            title="乙镇后备干部联审",
            deadline=datetime.date(2026, 12, 31),
            items=[ItemInput("乙后备", _id_number(63), self.county.village_b1)],
        )

    def _review_item(self):
        return self["review_round"].items.get()

    # Reserves' half-year appraisal: town B's, of a reserve of village B1 in the pool.
    def _reserve_appraisal(self):
        from zuzhi.reserve_appraisals.services import appraisal_open
        from zuzhi.reserve_appraisals.tests.factories import pooled_reserves

        pooled_reserves(county=self.county, people=[(self.county.village_b1, "孙库", 64)])
        return appraisal_open(
            actor=self.clerk, township=self.county.town_b, year=2026, half=1, codes=1
        )[0]

    def _reserve_appraisal_subject(self):
        return self["reserve_appraisal"].subjects.get()

    # Households' requests (联户诉求): a household of village B1 linked to B's member.
    def _talent(self):
        from zuzhi.testing.factories import make_talent

        return make_talent(self.county.county, name="乙人才")

    def _talent_platform(self):
        from zuzhi.talent.models import Platform

        return Platform.objects.create(
            county=self.county.county, name="乙专家工作站", kind="expert", host="乙公司"
        )

    def _talent_platform_person(self):
        from zuzhi.talent.models import PlatformPerson

        return PlatformPerson.objects.create(
            platform=self["talent_platform"], talent=self["talent"], role="member"
        )

    def _care_event(self):
        import datetime

        from zuzhi.talent.models import CareEvent

        return CareEvent.objects.create(
            county=self.county.county,
            kind="visit",
            title="乙走访",
            held_on=datetime.date(2026, 1, 5),
        )

    def _household(self):
        from zuzhi.households.models import Household

        return Household.objects.create(
            community=self.county.village_b1,
            address="乙村 1 号",
            head_name="乙户主",
            member=self["member"],
        )

    def _ticket_type(self):
        from zuzhi.core.scope import SYSTEM
        from zuzhi.tickets.config_services import ticket_types_load_defaults

        return ticket_types_load_defaults(actor=SYSTEM)[0]

    def _ticket(self):
        from zuzhi.core.scope import SYSTEM
        from zuzhi.tickets.services import ticket_create

        return ticket_create(
            actor=SYSTEM,
            household=self["household"],
            ticket_type=self["ticket_type"],
            description="乙户诉求",
        )

    def _ticket_attachment(self):
        from zuzhi.tickets.models import TicketAttachment

        return TicketAttachment.objects.create(
            ticket=self["ticket"], file=SimpleUploadedFile("照片.jpg", b"\xff\xd8"), name="照片.jpg"
        )

    def _service_team(self):
        from zuzhi.core.scope import SYSTEM
        from zuzhi.orgs.models import OrgType
        from zuzhi.testing.factories import OrganizationFactory
        from zuzhi.tickets.config_services import team_create

        joint = OrganizationFactory(
            parent=self.county.town_b, name="乙镇联合党支部", org_type=OrgType.JOINT_BRANCH
        )
        leader = make_member(joint, name="乙团队长", id_number=_id_number(65))
        return team_create(
            actor=SYSTEM,
            organization=joint,
            name="乙调解团队",
            specialty="mediation",
            leader=leader,
            members=[],
        )

    # Talent work (人才): filed under the county node, the talent office's alone.
    def _talent_office(self):
        return user_with_role(Role.TALENT_STAFF, self.county.county, username="rcb_b")

    def _demand_edition(self):
        from zuzhi.talent_demands.services import edition_create

        return edition_create(actor=self["talent_office"], data={"year": 2026})

    def _demand_entry(self):
        from zuzhi.talent_demands.services import entry_create

        return entry_create(
            actor=self["talent_office"],
            edition=self["demand_edition"],
            data={"industry": "氯碱化工", "employer": "乙公司", "post": "工程师", "number": 1},
        )

    def _challenge(self):
        from zuzhi.challenges.services import challenge_create, challenge_publish

        challenge = challenge_create(
            actor=self["talent_office"],
            data={
                "title": "乙榜",
                "problem": "难题",
                "owner_company": "乙公司",
                "reward_fen": 100_000,
                "deadline": datetime.date(2099, 12, 31),
            },
        )
        return challenge_publish(actor=self["talent_office"], challenge=challenge)

    def _challenge_application(self):
        from zuzhi.challenges.services import application_create

        return application_create(
            actor=self["talent_office"],
            challenge=self["challenge"],
            data={
                "applicant": "乙团队",
                "contact_name": "乙",
                "proposal": "方案",
                # Received on the day it was published (an application is dated between).
                "submitted_on": self["challenge"].published_on,
            },
        )

    def _challenge_proposal_file(self):
        from zuzhi.challenges.services import proposal_files_add

        return proposal_files_add(
            actor=self["talent_office"],
            application=self["challenge_application"],
            files=[SimpleUploadedFile("方案.pdf", b"%PDF-1.4\n")],
        )[0]

    def _challenge_reviewer(self):
        from zuzhi.challenges.services import reviewer_add

        return reviewer_add(actor=self["talent_office"], challenge=self["challenge"], name="乙专家")

    def _challenge_milestone(self):
        # A milestone needs a winner, and the review only starts after the deadline: written
        # straight to the table rather than moving the clock.
        from zuzhi.challenges.models import ChallengeMilestone

        return ChallengeMilestone.objects.create(
            challenge=self["challenge"], title="中试", due_on=datetime.date(2027, 6, 30)
        )

    def _household_link(self):
        from zuzhi.core.scope import SYSTEM
        from zuzhi.households.services import household_link

        member = make_member(self.county.unit, name="乙联户", id_number=_id_number(66))
        return household_link(actor=SYSTEM, household=self["household"], member=member)

    # Talent subsidies: the county's (talent work is the county office's, nobody below sees it).
    def _subsidy_policy(self):
        from zuzhi.core.scope import SYSTEM
        from zuzhi.subsidies.services import subsidy_policy_create

        return subsidy_policy_create(
            actor=SYSTEM,
            county=self.county.county,
            data={"name": "乙补贴", "amounts_fen": {"master": 300_000}},
        )

    def _subsidy_application(self):
        from zuzhi.core.scope import SYSTEM
        from zuzhi.subsidies.services import subsidy_application_approve, subsidy_application_submit
        from zuzhi.testing.factories import make_talent

        return subsidy_application_approve(
            actor=SYSTEM,
            application=subsidy_application_submit(
                actor=SYSTEM,
                policy=self["subsidy_policy"],
                talent=make_talent(self.county.county, name="乙人才", id_number=_id_number(67)),
                data={
                    "bank_name": "农行",
                    "bank_account": "6228480012345678",
                    "employer_in_county": True,
                },
                files={
                    "degree_certificate": SimpleUploadedFile("证书.pdf", b"%PDF-1.4\n"),
                    "labour_contract": SimpleUploadedFile("合同.pdf", b"%PDF-1.4\n"),
                },
            ),
        )

    def _subsidy_run(self):
        from zuzhi.core.scope import SYSTEM
        from zuzhi.subsidies.payroll import subsidy_run_approve, subsidy_run_create

        self["subsidy_application"]
        run = subsidy_run_create(
            actor=SYSTEM,
            policy=self["subsidy_policy"],
            month=datetime.date(2025, 9, 1),
            today=datetime.date(2026, 1, 1),
        )
        return subsidy_run_approve(actor=SYSTEM, run=run)

    def _subsidy_line(self):
        return self["subsidy_run"].lines.get()

    # Talent apartments (人才公寓): the county's building, a flat, its allocation to a talent
    # of the county, and an application; the talent office's alone.
    def _apartment_building(self):
        from zuzhi.apartments.services import building_create
        from zuzhi.core.scope import SYSTEM

        return building_create(actor=SYSTEM, county=self.county.county, name="乙人才公寓")

    def _apartment_flat(self):
        from zuzhi.apartments.services import flat_create
        from zuzhi.core.scope import SYSTEM

        return flat_create(
            actor=SYSTEM, building=self["apartment_building"], number="1-101", floor=1, area=D(60)
        )

    def _apartment_talent(self):
        from zuzhi.testing.factories import make_talent

        return make_talent(self.county.county, name="乙公寓人才", id_number=_id_number(87))

    def _apartment_allocation(self):
        from zuzhi.apartments.services import allocation_create, application_decide
        from zuzhi.core.scope import SYSTEM

        # Made from the talent's application, approved, which it consumes.
        approved = application_decide(
            actor=SYSTEM, application=self["apartment_application"], approve=True
        )
        return allocation_create(
            actor=SYSTEM,
            flat=self["apartment_flat"],
            application=approved,
            start=datetime.date(2026, 1, 5),
            end=datetime.date(2027, 1, 4),
        )

    def _apartment_application(self):
        from zuzhi.apartments.services import application_create
        from zuzhi.core.scope import SYSTEM

        return application_create(
            actor=SYSTEM, talent=self["apartment_talent"], applied_on=datetime.date(2026, 1, 5)
        )


def _id_number(sequence: int) -> str:
    from zuzhi.testing.factories import valid_id_number

    return valid_id_number(birth="19700101", sequence=sequence)


@functools.cache
def _data_queries() -> tuple[tuple[str, str, tuple], ...]:
    """The SQL of `_data_state`, compiled once: building ~250 querysets per call cost more
    than running them, and this module calls it twice per URL."""
    return tuple(
        (
            model._meta.label_lower,
            *model._base_manager.order_by("pk").values_list().query.sql_with_params(),
        )
        for model in apps.get_models()
        if model._meta.label_lower not in NOT_DATA and not model._meta.proxy
    )


def _data_state() -> dict:
    """Every row of every table that holds the county's data, to compare before and after
    (the stored values, as the database returns them)."""
    state = {}
    with connection.cursor() as cursor:
        for label, sql, params in _data_queries():
            cursor.execute(sql, params)
            state[label] = cursor.fetchall()
    return state


def _denials() -> int:
    return AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()


@pytest.fixture
def town_b(county):
    return TownB(county)


@pytest.fixture(params=["town_a_user", "branch_a1_user"])
def outsider(request, county):
    return request.getfixturevalue(request.param)


# --- pages ----------------------------------------------------------------------------------
def _page_urls(route, name, town_b) -> list[str]:
    urls = ["/" + route]
    for conv, param in _params(name, route):
        if conv == "str" and param in ("action", "fmt"):
            values = ACTIONS.get(name)
            assert values, f"{name}: teach ACTIONS the actions of <{param}>, or list it in SKIPPED"
        else:
            kind = _kind(name, param)
            assert kind, (
                f"{name} ({route}): no object for <{param}>: add it to the kinds above, "
                "or list the URL in SKIPPED with the reason"
            )
            values = [str(town_b[kind].pk)]
        token = f"<{conv}:{param}>" if f"<{conv}:{param}>" in route else f"<{param}>"
        urls = [u.replace(token, v) for u in urls for v in values]
    return urls


def _page_case(route, name):
    marks = []
    if name in XFAIL:
        marks.append(pytest.mark.xfail(strict=True, reason=XFAIL[name]))
    if name in SKIPPED:
        marks.append(pytest.mark.skip(reason=SKIPPED[name]))
    return pytest.param(route, name, id=name, marks=marks)


@pytest.mark.parametrize(("route", "name"), [_page_case(r, n) for r, n in PAGES])
def test_every_page_answers_the_logged_404_outside_the_scope(route, name, town_b, outsider, client):
    client.force_login(outsider)
    for url in _page_urls(route, name, town_b):
        before_denials, before = _denials(), _data_state()
        get = client.get(url)
        if get.status_code == 405:  # a POST-only action: the POST below is the lookup
            denied_by_get = False
        else:
            assert get.status_code == 404, f"GET {url}: {get.status_code}"
            denied_by_get = True
            if name not in ROLE_GATED:
                assert _denials() > before_denials, f"GET {url}: 404 without the denial row"
        before_denials = _denials()
        post = client.post(url, {"name": "越权", "note": "越权", "reason": "越权", "approve": "1"})
        assert post.status_code in (404, 405), f"POST {url}: {post.status_code}"
        if post.status_code == 404 and not denied_by_get and name not in ROLE_GATED:
            assert _denials() > before_denials, f"POST {url}: 404 without the denial row"
        assert _data_state() == before, f"POST {url} changed the database"


def test_every_api_url_is_an_operation_of_the_schema():
    """The API's URLs are checked through the schema below: none may be missing from it."""
    paths = {path for path, _ in OPERATIONS}
    for route, name in _walk(get_resolver().url_patterns):
        if name.startswith("api:") and PARAM.search(route):
            path = "/" + PARAM.sub(lambda m: "{" + m.group(2) + "}", route)
            assert path in paths, f"{name} ({route}) is not in the OpenAPI schema"


# --- API operations -------------------------------------------------------------------------
def _example(schema: dict, components: dict, town_b, name: str = ""):
    """A plausible value for a JSON schema, so that the request reaches the scope check: an id
    names the town B object of its kind."""
    if name in PARAM_KINDS:
        return town_b[PARAM_KINDS[name]].pk
    if "$ref" in schema:
        return _example(components[schema["$ref"].split("/")[-1]], components, town_b)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return _example(options[0], components, town_b)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {k: _example(props[k], components, town_b, k) for k in schema.get("required", [])}
    if kind == "array":
        items = schema.get("items", {})
        return [_example(items, components, town_b)] if items.get("format") == "binary" else []
    if kind in ("integer", "number"):
        return 1
    if kind == "boolean":
        return True
    if schema.get("format") == "binary":
        return SimpleUploadedFile("证明.pdf", b"%PDF-1.4\n")
    if schema.get("format") == "date":
        return "2026-01-05"
    if schema.get("format") == "date-time":
        return "2026-01-05T10:00:00"
    return "越权"


def _operation_case(path, method):
    marks = []
    key = f"{method.upper()} {path}"
    if path in SKIPPED:
        marks.append(pytest.mark.skip(reason=SKIPPED[path]))
    if key in XFAIL:
        marks.append(pytest.mark.xfail(strict=True, reason=XFAIL[key]))
    return pytest.param(path, method, id=key, marks=marks)


@pytest.mark.parametrize(("path", "method"), [_operation_case(p, m) for p, m in OPERATIONS])
def test_every_api_operation_answers_the_logged_404_outside_the_scope(
    path, method, town_b, outsider
):
    from zuzhi.accounts.services import token_issue

    schema = SCHEMA
    operation = schema["paths"][path][method]
    url = path
    for segment, param in re.findall(r"(\w[\w-]*)/{(\w+)}", path):
        kind = SEGMENT_KINDS.get((segment, param)) or PARAM_KINDS.get(param)
        assert kind, (
            f"{method.upper()} {path}: no object for {{{param}}}: add it to the kinds above, "
            "or list the operation in SKIPPED with the reason"
        )
        url = url.replace("{" + param + "}", town_b.pk(kind))
    components = schema["components"]["schemas"]
    query = {
        p["name"]: _example(p["schema"], components, town_b, p["name"])
        for p in operation.get("parameters", [])
        if p["in"] == "query" and p.get("required")
    }
    if query:
        url += "?" + urlencode(query)
    client = Client(headers={"Authorization": f"Bearer {token_issue(user=outsider)}"})
    # The body is filled first: the objects it names are built before the state is taken.
    body = operation.get("requestBody", {}).get("content", {})
    if "application/json" in body:
        data = _example(body["application/json"]["schema"], components, town_b)
    elif "multipart/form-data" in body:
        data = _example(body["multipart/form-data"]["schema"], components, town_b)
    before_denials, before = _denials(), _data_state()
    if "application/json" in body:
        response = getattr(client, method)(url, data=data, content_type="application/json")
    elif "multipart/form-data" in body:
        response = client.post(url, data=data)
    else:
        response = getattr(client, method)(url)
    key = f"{method.upper()} {path}"
    if key in BODY_UNFILLABLE and response.status_code == 422:
        assert _data_state() == before, f"{key} changed the database"
        return
    assert response.status_code == 404, f"{method.upper()} {url}: {response.status_code}"
    assert _denials() > before_denials, f"{method.upper()} {url}: 404 without the denial row"
    assert _data_state() == before, f"{method.upper()} {url} changed the database"
