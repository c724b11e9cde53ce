"""The cadre registry (干部): records, posts and ranks, leadership teams, self-nominations."""

from .exchange import LrmxImport
from .nominations import NominationStatus, NominationTarget, SelfNomination
from .ranks import LeadershipLevel, Rank, RankGrant, StaffGrade, StaffGradeGrant, UnitEstablishment
from .registry import (
    AnnualAssessment,
    AssessmentResult,
    Cadre,
    CareerEntry,
    FamilyMember,
    RewardPunishment,
)
from .requests import CORRECTABLE_FIELDS, CorrectionRequest, CorrectionStatus
from .teams import LeadershipTeam, PostHolding, TargetKind, TeamKind, TeamPost, TeamTarget

__all__ = [
    "CORRECTABLE_FIELDS",
    "AnnualAssessment",
    "AssessmentResult",
    "Cadre",
    "CareerEntry",
    "CorrectionRequest",
    "CorrectionStatus",
    "FamilyMember",
    "LeadershipLevel",
    "LeadershipTeam",
    "LrmxImport",
    "NominationStatus",
    "NominationTarget",
    "PostHolding",
    "Rank",
    "RankGrant",
    "RewardPunishment",
    "SelfNomination",
    "StaffGrade",
    "StaffGradeGrant",
    "TargetKind",
    "TeamKind",
    "TeamPost",
    "TeamTarget",
    "UnitEstablishment",
]
