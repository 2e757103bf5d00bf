"""The pupils app's models, one module per concept; everything is importable from `pupils.models`."""

from .contributions import ContributionReport, ContributionSubject, ParentContribution, ViewsRequest
from .core import (
    YEAR_ORDER,
    AccessGrant,
    Contact,
    DataProtectionLead,
    Destruction,
    Document,
    Gender,
    GroupMember,
    GroupStaff,
    LegalHold,
    Pupil,
    PupilManager,
    PupilUserObjectPermission,
    TeachingGroup,
    YearGroup,
    document_path,
)
from .health import HealthCarePlan, MedicalCondition, PlanMedication, PlanTraining
from .meetings import MeetingReply
from .voice import AllAboutMe

__all__ = [
    "MeetingReply",
    "AllAboutMe",
    "YEAR_ORDER",
    "document_path",
    "AccessGrant",
    "Contact",
    "ContributionReport",
    "ContributionSubject",
    "DataProtectionLead",
    "Destruction",
    "Document",
    "Gender",
    "GroupMember",
    "GroupStaff",
    "HealthCarePlan",
    "LegalHold",
    "MedicalCondition",
    "ParentContribution",
    "PlanMedication",
    "PlanTraining",
    "Pupil",
    "PupilManager",
    "PupilUserObjectPermission",
    "TeachingGroup",
    "ViewsRequest",
    "YearGroup",
]
