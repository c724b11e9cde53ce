"""Entrants (参评对象): organizations or people entered in a contest, with their public story."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from zuzhi.core.audit import snapshot
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import path_in_scope, require_in_scope
from zuzhi.core.uploads import upload_error
from zuzhi.members.models import Member
from zuzhi.orgs.models import Organization
from zuzhi.talent.models import Talent, TalentStatus
from zuzhi.talent.scoping import require_talent_office

from ..models import (
    PERSON_TRACKS,
    Contest,
    Entrant,
    Track,
)
from ..rules import (
    audit,
    eligible,
    require_editable,
    require_entrant_scope,
    require_manager,
    under_organizer,
)
from ..voting.selectors import vote_target_forget


def entrant_add(
    *,
    actor,
    contest: Contest,
    organization: Organization | None = None,
    member: Member | None = None,
    talent: Talent | None = None,
    name: str = "",
    story: str = "",
    photo=None,
) -> Entrant:
    """Enter an organization, or a person (with the organization they belong to), in a contest;
    on the talent track a talent of the organizer's county, filed under the organizer."""
    require_manager(actor, contest)
    require_editable(contest)
    errors: dict[str, list[str]] = {}
    if contest.track == Track.TALENT or talent is not None:
        organization, member = contest.organization, None
        name = talent.name if talent is not None else ""
        errors = _talent_errors(actor, contest, talent)
    elif contest.track in PERSON_TRACKS:
        if member is not None:
            organization = member.organization
            name = name or member.name
        if organization is None or not name.strip():
            errors["name"] = ["请选择党员，或填写姓名并选择所在党组织。"]
    elif organization is None:
        errors["organization"] = ["请选择参评的党组织。"]
    elif not eligible(contest, organization):
        errors["organization"] = [
            f"“{organization.name}”不属于“{contest.get_track_display()}”类别。"
        ]
    if organization is not None and not errors and talent is None:
        require_in_scope(
            actor,
            organization.path,
            target=organization,
            message="试图把权限范围以外的组织列为参评对象",
        )
        if not under_organizer(contest, organization):
            errors["organization"] = [f"“{organization.name}”不在主办单位的范围内。"]
    if photo is not None and (problem := upload_error(photo, types=("jpg", "jpeg", "png"))):
        errors["photo"] = [problem]
    if len(name) > 100:
        errors["name"] = ["名称不能超过 100 个字。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Contest.objects.select_for_update().filter(pk=contest.pk).first()
        number = (contest.entrants.aggregate(n=Max("number"))["n"] or 0) + 1
        try:
            with transaction.atomic():
                entrant = Entrant.objects.create(
                    contest=contest,
                    organization=organization,
                    member=member,
                    talent=talent,
                    name=(name or organization.name).strip(),
                    number=number,
                    story=story,
                    photo=photo or "",
                )
        except IntegrityError as exc:
            field = "organization" if talent is None else "talent"
            raise ValidationError({field: ["已经是本次考评的参评对象。"]}) from exc
        vote_target_forget(contest_id=contest.pk)
        audit(
            actor,
            AuditAction.CREATE,
            entrant,
            contest,
            after=snapshot(entrant, ["name", "organization", "member", "talent", "number"]),
        )
    return entrant


def _talent_errors(actor, contest: Contest, talent: Talent | None) -> dict[str, list[str]]:
    """A talent entrant: on the talent track, a talent of the organizer's county (the talent
    office's, else the logged 404) who still works there."""
    if contest.track != Track.TALENT:
        return {"talent": [f"“{contest.get_track_display()}”类考评不能添加人才。"]}
    if talent is None:
        return {"talent": ["请选择人才。"]}
    require_talent_office(
        actor, talent.county.path, target=talent, message="试图把其他县的人才列为参评对象"
    )
    if talent.county_id != contest.organization_id:
        return {"talent": [f"“{talent.name}”不是{contest.organization.name}的人才。"]}
    if talent.status == TalentStatus.LEFT:
        return {"talent": [f"“{talent.name}”已离开本县，不能参评。"]}
    return {}


def entrants_add_eligible(*, actor, contest: Contest) -> int:
    """Enter every eligible organization under the organizer at once (一键添加)."""
    require_manager(actor, contest)
    require_editable(contest)
    if contest.track in PERSON_TRACKS:
        raise ValidationError("个人类考评请逐个添加参评对象。")
    taken = set(contest.entrants.values_list("organization_id", flat=True))
    candidates = [
        o
        for o in Organization.objects.filter(path__startswith=contest.organization.path).order_by(
            "path"
        )
        if eligible(contest, o) and o.pk not in taken and path_in_scope(actor, o.path)
    ]
    with transaction.atomic():
        start = contest.entrants.aggregate(n=Max("number"))["n"] or 0
        Entrant.objects.bulk_create(
            Entrant(contest=contest, organization=o, name=o.name, number=start + i)
            for i, o in enumerate(candidates, start=1)
        )
        vote_target_forget(contest_id=contest.pk)
        if candidates:
            audit(
                actor,
                AuditAction.CREATE,
                contest,
                contest,
                message=f"添加参评对象 {len(candidates)} 个",
            )
    return len(candidates)


def entrant_update(*, actor, entrant: Entrant, story: str | None = None, photo=None) -> Entrant:
    """Edit the public story and photo (事迹材料) of an entrant."""
    contest = entrant.contest
    require_entrant_scope(actor, entrant)
    require_editable(contest)
    if photo is not None and (problem := upload_error(photo, types=("jpg", "jpeg", "png"))):
        raise ValidationError({"photo": [problem]})
    before = snapshot(entrant, ["story", "photo"])
    with transaction.atomic():
        if story is not None:
            entrant.story = story
        if photo is not None:
            entrant.photo = photo
        entrant.save()
        audit(
            actor,
            AuditAction.UPDATE,
            entrant,
            contest,
            before=before,
            after=snapshot(entrant, ["story", "photo"]),
        )
    return entrant
