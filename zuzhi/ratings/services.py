"""Star ratings (星级评定): proposing, confirming and withdrawing stars.

Who does what (the rule the services enforce):
- a township (乡镇党委组织委员) or the county department proposes a star for a subject in
  its scope, with evidence (申报);
- only the county department confirms (审定): the confirmer holds the county-staff role on an
  organization whose subtree contains the subject, and did not propose the star themselves;
- a proposal is withdrawn by whoever may propose it; a confirmed star only by the county
  (摘星), always with a reason.
Quotas are counted among the subjects under the confirmer's node (the county) for the period.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from zuzhi.core.audit import audit_bulk_record, audit_record, snapshot
from zuzhi.core.models import AuditAction
from zuzhi.core.roles import Role
from zuzhi.core.scope import PATH_STEP, deny, path_in, path_in_scope, role_paths, roots_q, subtree_q
from zuzhi.members.models import Member
from zuzhi.orgs.models import Organization, UnitCategory

from . import selectors
from .models import AwardStatus, Star, StarAward, StarQuota, StarScheme
from .periods import period_name, period_previous, period_start, period_valid

PROPOSER_ROLES = (Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF)
CONFIRMER_ROLES = (Role.COUNTY_STAFF,)
EVIDENCE_TYPES = ("pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx", "txt")
MAX_CONFIRM_BATCH = 1000


def _root_over(roots: list[str], path: str) -> str | None:
    """The one of `roots` (nested roots removed) whose subtree holds `path`."""
    return next((root for root in roots if path_in(path, root)), None)


@dataclass
class RatingRights:
    """Where the actor may propose and confirm: read once per request, so that a page can
    show each row's buttons without a query per row."""

    propose_roots: list[str]
    confirm_roots: list[str]

    def can_propose(self, organization: Organization) -> bool:
        return _root_over(self.propose_roots, organization.path) is not None

    def can_confirm(self, organization: Organization) -> bool:
        return _root_over(self.confirm_roots, organization.path) is not None


def rating_rights(actor) -> RatingRights:
    return RatingRights(
        propose_roots=role_paths(actor, *PROPOSER_ROLES),
        confirm_roots=role_paths(actor, *CONFIRMER_ROLES),
    )


def _subject_org(subject) -> Organization:
    return subject if isinstance(subject, Organization) else subject.organization


def _check_evidence(evidence: str, upload) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not evidence.strip() and upload is None:
        errors["evidence"] = ["请填写评定依据或上传证明材料。"]
    if upload is not None:
        suffix = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if suffix not in EVIDENCE_TYPES:
            errors["evidence_file"] = [
                f"“{upload.name}”的格式不支持，可上传：{'、'.join(EVIDENCE_TYPES)}。"
            ]
        elif upload.size > settings.ZUZHI_MAX_UPLOAD_BYTES:
            errors["evidence_file"] = [
                f"“{upload.name}”太大，不超过 {settings.ZUZHI_MAX_UPLOAD_BYTES // 1024 // 1024} MB。"
            ]
    return errors


def award_propose(
    *,
    actor,
    star: Star,
    period: str,
    subject,
    evidence: str = "",
    evidence_file=None,
) -> StarAward:
    """Propose a star for an organization or a member for one period (申报), with evidence."""
    scheme = star.scheme
    org = _subject_org(subject)
    if not path_in_scope(actor, org.path):
        raise deny(actor, target=org, message="试图为权限范围以外的对象申报星级")
    if not rating_rights(actor).can_propose(org):
        raise ValidationError("星级由乡镇党委或县委组织部申报，您没有申报权限。")
    errors = _check_evidence(evidence or "", evidence_file)
    if not scheme.is_active:
        errors["scheme"] = ["该评星方案已停用。"]
    if not period_valid(scheme.period_kind, period):
        example = "2026Q3" if scheme.period_kind == "quarter" else "2026"
        errors["period"] = [f"评定期间格式应为 {example}。"]
    elif period_start(period) > timezone.localdate():
        errors["period"] = ["不能为尚未开始的期间评星。"]
    kind = Member if selectors.is_member_scheme(scheme) else Organization
    if not isinstance(subject, kind) or not (
        selectors.eligible_subjects(scheme).filter(pk=subject.pk).exists()
    ):
        errors["subject"] = [
            f"“{subject}”所在的县已采用本县“{scheme.name}”方案，请按本县方案申报。"
            if selectors.scheme_claims_elsewhere(scheme, org.path)
            else f"“{subject}”不在“{scheme.name}”的评定范围（{scheme.get_subject_kind_display()}）。"
        ]
    field = selectors.subject_field(scheme)
    live = StarAward.objects.filter(
        star=star, period=period, status__in=[AwardStatus.PROPOSED, AwardStatus.CONFIRMED]
    )
    if not errors and live.filter(**{field: subject}).exists():
        errors["star"] = [f"“{star.name}”在{period_name(period)}已经申报或已评定。"]
    if errors:
        raise ValidationError(errors)
    award = StarAward(
        scheme=scheme,
        star=star,
        period=period,
        evidence=(evidence or "").strip(),
        proposed_by=actor,
        **{field: subject},
    )
    if evidence_file is not None:
        award.evidence_file = evidence_file
        award.evidence_name = evidence_file.name[:200]
    try:
        with transaction.atomic():
            award.save()
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                target=award,
                org_path=org.path,
                after=snapshot(award),
                message="申报星级",
            )
    except IntegrityError as exc:
        # Two proposals of the same star at once: the partial unique constraint decides.
        raise ValidationError(
            {"star": [f"“{star.name}”在{period_name(period)}已经申报或已评定。"]}
        ) from exc
    return award


def quota_limit(quota: StarQuota, subjects: int) -> int:
    """How many subjects may stand at the quota's level: the share, rounded down."""
    return int(Decimal(subjects) * quota.max_share)


def _check_quotas(scheme: StarScheme, period: str, root: str, awards: list[StarAward]) -> None:
    """Refuse a confirmation that would push a level over its quota under `root`. A level
    already over (a quota lowered later) blocks only further growth, never a confirmation
    that leaves it as it is."""
    quotas = list(scheme.quotas.all())
    if not quotas:
        return
    field = selectors.subject_field(scheme)
    adding: dict[int, int] = {}
    for award in awards:
        key = getattr(award, f"{field}_id")
        adding[key] = adding.get(key, 0) + 1
    current = dict(
        StarAward.objects.filter(
            **{f"{field}_id__in": list(adding)},
            scheme=scheme,
            period=period,
            status=AwardStatus.CONFIRMED,
        )
        .values_list(f"{field}_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    before = selectors.level_distribution_under(scheme=scheme, period=period, root_path=root)
    after = dict(before)
    for key, n in adding.items():
        old = current.get(key, 0)
        after[old] -= 1
        after[old + n] = after.get(old + n, 0) + 1
    total = sum(before.values())
    for quota in quotas:
        limit = quota_limit(quota, total)
        new = after.get(quota.level, 0)
        if new > before.get(quota.level, 0) and new > limit:
            raise ValidationError(
                f"超出名额：{scheme.name} {period_name(period)}，{quota.level} 星不超过"
                f" {quota.max_share:.0%}（共 {total} 个，最多 {limit} 个），"
                f"确认后将有 {new} 个。"
            )


def award_confirm(*, actor, awards: list[StarAward]) -> list[StarAward]:
    """Confirm proposed stars (审定), one or a batch of one scheme and period. The quotas are
    checked on the levels the whole batch leads to, so a village proposed for its third and
    fourth star at once is judged by where it ends."""
    awards = list({a.pk: a for a in awards}.values())
    if not awards:
        raise ValidationError("请选择要确认的星。")
    if len(awards) > MAX_CONFIRM_BATCH:
        raise ValidationError(f"一次最多确认 {MAX_CONFIRM_BATCH} 颗星。")
    scheme, period = awards[0].scheme, awards[0].period
    confirmer_roots = role_paths(actor, *CONFIRMER_ROLES)
    roots: dict[str, list[StarAward]] = {}
    for award in awards:
        org = award.subject_organization
        if not path_in_scope(actor, org.path):
            raise deny(actor, target=award, message="试图确认权限范围以外的星级")
        root = _root_over(confirmer_roots, org.path)
        if root is None:
            raise ValidationError("星级由县委组织部确认，乡镇和支部不能确认。")
        if award.proposed_by_id is not None and award.proposed_by_id == actor.pk:
            raise ValidationError(f"“{award}”由您本人申报，须由县委组织部其他工作人员确认。")
        if award.scheme_id != scheme.pk or award.period != period:
            raise ValidationError("一次只能确认同一方案、同一期间的星。")
        if award.status != AwardStatus.PROPOSED:
            raise ValidationError(f"“{award}”{award.get_status_display()}，不能确认。")
        roots.setdefault(root, []).append(award)
    with transaction.atomic():
        # Confirmations of one scheme are serialized, so two staff confirming at once
        # cannot both take the last place of a quota.
        StarScheme.objects.select_for_update().filter(pk=scheme.pk).first()
        for root, group in roots.items():
            _check_quotas(scheme, period, root, group)
        now = timezone.now()
        updated = StarAward.objects.filter(
            pk__in=[a.pk for a in awards], status=AwardStatus.PROPOSED
        ).update(status=AwardStatus.CONFIRMED, confirmed_by=actor, confirmed_at=now)
        if updated != len(awards):
            raise ValidationError("部分星已被他人处理，请刷新后重试。")
        for award in awards:
            before = snapshot(award, ["status", "confirmed_by", "confirmed_at"])
            award.status, award.confirmed_by, award.confirmed_at = (
                AwardStatus.CONFIRMED,
                actor,
                now,
            )
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                target=award,
                org_path=award.subject_organization.path,
                before=before,
                after=snapshot(award, ["status", "confirmed_by", "confirmed_at"]),
                message="确认星级",
            )
    return awards


def award_withdraw(*, actor, award: StarAward, reason: str) -> StarAward:
    """Withdraw a star (撤销/摘星) with a reason: a proposal by whoever may propose it, a
    confirmed star only by the county department."""
    org = award.subject_organization
    if not path_in_scope(actor, org.path):
        raise deny(actor, target=award, message="试图撤销权限范围以外的星级")
    if award.status == AwardStatus.WITHDRAWN:
        raise ValidationError("该星已经撤销。")
    rights = rating_rights(actor)
    if award.status == AwardStatus.CONFIRMED and not rights.can_confirm(org):
        raise ValidationError("已评定的星只能由县委组织部撤销。")
    if award.status == AwardStatus.PROPOSED and not rights.can_propose(org):
        raise ValidationError("您没有撤销该申报的权限。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请填写撤销原因。"]})
    fields = ["status", "withdrawn_by", "withdrawn_at", "withdrawal_reason"]
    with transaction.atomic():
        before = snapshot(award, fields)
        updated = StarAward.objects.filter(pk=award.pk, status=award.status).update(
            status=AwardStatus.WITHDRAWN,
            withdrawn_by=actor,
            withdrawn_at=timezone.now(),
            withdrawal_reason=reason,
        )
        if updated != 1:
            raise ValidationError("该星已被他人处理，请刷新后重试。")
        award.refresh_from_db(fields=fields)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=award,
            org_path=org.path,
            before=before,
            after=snapshot(award, fields),
            message="撤销星级：" + reason,
        )
    return award


def awards_carry_over(*, actor, scheme: StarScheme, period: str) -> int:
    """Propose again, for `period`, every star confirmed in the period before on subjects
    the actor may propose for (沿用上期): the township enters nothing twice, and the county
    still confirms each star. Stars already live in `period` are left alone."""
    if not period_valid(scheme.period_kind, period) or period_start(period) > timezone.localdate():
        raise ValidationError({"period": ["评定期间无效或尚未开始。"]})
    roots = role_paths(actor, *PROPOSER_ROLES)
    if not roots:
        raise ValidationError("星级由乡镇党委或县委组织部申报，您没有申报权限。")
    field = selectors.subject_field(scheme)
    path_field = f"{field}__path" if field == "organization" else "member__organization__path"
    within = roots_q(roots, path_field)
    live = StarAward.objects.filter(
        scheme=scheme,
        period=period,
        status__in=[AwardStatus.PROPOSED, AwardStatus.CONFIRMED],
    ).values_list(f"{field}_id", "star_id")
    taken = set(live)
    previous = period_previous(period)
    source = [
        a
        for a in StarAward.objects.filter(
            within, scheme=scheme, period=previous, status=AwardStatus.CONFIRMED
        )
        .filter(**{f"{field}__in": selectors.eligible_subjects(scheme)})
        .select_related("star", "organization", "member__organization")
        if (getattr(a, f"{field}_id"), a.star_id) not in taken
    ]
    new = [
        StarAward(
            scheme=scheme,
            star=a.star,
            period=period,
            evidence=f"沿用{period_name(previous)}评定。"
            + (f"\n{a.evidence}" if a.evidence else ""),
            evidence_file=a.evidence_file.name,
            evidence_name=a.evidence_name,
            proposed_by=actor,
            **{field: getattr(a, field)},
        )
        for a in source
    ]
    try:
        with transaction.atomic():
            created = StarAward.objects.bulk_create(new)
            audit_bulk_record(
                actor=actor,
                action=AuditAction.CREATE,
                items=[
                    (award, old.subject_organization.path, snapshot(award))
                    for award, old in zip(created, source, strict=True)
                ],
            )
    except IntegrityError as exc:
        raise ValidationError("其间有人申报了同样的星，请刷新后重试。") from exc
    return len(created)


def scheme_may_edit(actor, scheme: StarScheme) -> bool:
    """County staff edit the schemes held by their node or below: a county its own copy, the
    staff of the deployment's root its default. A default on no node belongs to the root."""
    roots = role_paths(actor, *CONFIRMER_ROLES)
    if not scheme.organization_id:
        return any(len(root) == PATH_STEP for root in roots)
    return _root_over(roots, scheme.organization.path) is not None


def scheme_adopt_targets(actor, scheme: StarScheme) -> list[Organization]:
    """The counties whose staff the actor is and that could adopt their own copy of the
    default `scheme`: under its node, not yet with a copy."""
    if scheme.adopted_from_id is not None:
        return []
    own = scheme.organization.path if scheme.organization_id else ""
    taken = set(scheme.copies.values_list("organization_id", flat=True))
    return [
        org
        for org in Organization.objects.filter(
            path__in=role_paths(actor, *CONFIRMER_ROLES),
            unit_category=UnitCategory.COUNTY,
            parent__isnull=False,
        ).order_by("path")
        if org.pk not in taken and (not own or (org.path != own and path_in(org.path, own)))
    ]


def scheme_adopt(*, actor, scheme: StarScheme, organization: Organization) -> StarScheme:
    """A county adopts its own copy of a default scheme (采用本县评星方案): the same stars,
    renamed and given quotas on its own settings page. The copy rates every subject under
    the county from then on, so the county's awards of the default, every period, move to the
    copy's star at the same position: its history stays in one place."""
    if not path_in_scope(actor, organization.path):
        raise deny(actor, target=organization, message="试图为权限范围以外的组织采用评星方案")
    if _root_over(role_paths(actor, *CONFIRMER_ROLES), organization.path) is None:
        raise deny(actor, target=scheme, message="试图采用评星方案")
    if scheme.adopted_from_id is not None:
        raise ValidationError("只能采用全域默认的评星方案。")
    if organization.unit_category != UnitCategory.COUNTY:
        raise ValidationError("只有县（区）党组织可以采用本县评星方案。")
    own = scheme.organization.path if scheme.organization_id else ""
    if (
        organization.path == own
        or not organization.parent_id
        or (own and not path_in(organization.path, own))
    ):
        raise ValidationError("该组织直接使用此方案，无需采用。")
    field = selectors.subject_field(scheme)
    path_field = "organization__path" if field == "organization" else "member__organization__path"
    with transaction.atomic():
        # Serialized with confirmations of the default: no star is confirmed mid-move.
        StarScheme.objects.select_for_update().filter(pk=scheme.pk).first()
        if scheme.copies.filter(organization=organization).exists():
            raise ValidationError("本县已采用该评星方案。")
        copy = StarScheme.objects.create(
            code=f"{scheme.code}-{organization.pk}",
            name=scheme.name,
            full_title=scheme.full_title,
            subject_kind=scheme.subject_kind,
            period_kind=scheme.period_kind,
            description=scheme.description,
            sort_order=scheme.sort_order,
            organization=organization,
            adopted_from=scheme,
        )
        moved = 0
        for star in scheme.stars.order_by("position"):
            own_star = Star.objects.create(scheme=copy, name=star.name, position=star.position)
            moved += StarAward.objects.filter(
                subtree_q(organization.path, path_field), scheme=scheme, star=star
            ).update(scheme=copy, star=own_star)
        StarQuota.objects.bulk_create(
            StarQuota(scheme=copy, level=q.level, max_share=q.max_share)
            for q in scheme.quotas.all()
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=copy,
            org_path=organization.path,
            after={
                "code": copy.code,
                "organization": organization.name,
                "adopted_from": scheme.code,
                "stars": list(copy.stars.order_by("position").values_list("name", flat=True)),
                "quotas": {str(q.level): str(q.max_share) for q in copy.quotas.all()},
                "awards_moved": moved,
            },
            message=f"采用本县评星方案“{copy.name}”，沿用评定记录 {moved} 条",
        )
    return copy


def scheme_update(
    *, actor, scheme: StarScheme, star_names: list[str], quotas: dict[int, Decimal | None]
) -> StarScheme:
    """Rename a scheme's stars and set its quotas (修改评星方案): the county department that
    holds the scheme only. The number of stars is fixed by the scheme; a renamed star keeps
    its awards."""
    if not scheme_may_edit(actor, scheme):
        raise deny(actor, target=scheme, message="试图修改评星方案")
    stars = list(scheme.stars.order_by("position"))
    names = [(n or "").strip() for n in star_names]
    errors: dict[str, list[str]] = {}
    if len(names) != len(stars):
        errors["stars"] = [f"应为 {len(stars)} 颗星命名。"]
    elif any(not n for n in names):
        errors["stars"] = ["星的名称不能为空。"]
    elif any(len(n) > 32 for n in names):
        errors["stars"] = ["星的名称不超过 32 个字。"]
    elif len(set(names)) != len(names):
        errors["stars"] = ["星的名称不能重复。"]
    quotas = {int(level): share for level, share in quotas.items() if share is not None}
    if any(level < 1 or level > len(stars) for level in quotas):
        errors["quotas"] = [f"名额只能为 1 至 {len(stars)} 星设置。"]
    elif any(share <= 0 or share > 1 for share in quotas.values()):
        errors["quotas"] = ["名额比例应大于 0%，不超过 100%。"]
    elif sum(quotas.values(), Decimal(0)) > 1:
        errors["quotas"] = ["各星级名额比例之和不能超过 100%。"]
    if errors:
        raise ValidationError(errors)

    def state():
        return {
            "stars": [s.name for s in scheme.stars.order_by("position")],
            "quotas": {str(q.level): str(q.max_share) for q in scheme.quotas.all()},
        }

    with transaction.atomic():
        before = state()
        # Two passes, so that swapping two names never meets the unique constraint.
        for star in stars:
            star.name = f"~{star.pk}"
        Star.objects.bulk_update(stars, ["name"])
        for star, name in zip(stars, names, strict=True):
            star.name = name
        Star.objects.bulk_update(stars, ["name"])
        scheme.quotas.all().delete()
        StarQuota.objects.bulk_create(
            StarQuota(scheme=scheme, level=level, max_share=share)
            for level, share in sorted(quotas.items())
        )
        after = state()
        if before != after:
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                target=scheme,
                before=before,
                after=after,
                message="修改评星方案",
            )
    return scheme
