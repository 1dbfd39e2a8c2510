"""Collection: the units people rate, the questionnaires they answer, their answers.

Reference tables use 32-bit keys: a response row carries three of them, and at
millions of responses every byte of that row counts (see docs/performance.md).
Each module holds one group; every model is importable from `surveys.models`.
"""

from surveys.models.invitations import InvitationBatch, UsedInvitation
from surveys.models.officials import KnownAddress, Official, validate_network
from surveys.models.questionnaires import Criterion, Element, Questionnaire
from surveys.models.responses import (
    AgeBand,
    Channel,
    Education,
    Gender,
    Occupation,
    RespondentType,
    Response,
    ResponseReview,
    Source,
)
from surveys.models.units import (
    MAP_2025_STARTS,
    Agency,
    BilingualName,
    Procedure,
    Province,
    Region,
)

__all__ = [
    "MAP_2025_STARTS",
    "AgeBand",
    "Agency",
    "BilingualName",
    "Channel",
    "Criterion",
    "Education",
    "Element",
    "Gender",
    "InvitationBatch",
    "KnownAddress",
    "Occupation",
    "Official",
    "Procedure",
    "Province",
    "Questionnaire",
    "Region",
    "RespondentType",
    "Response",
    "ResponseReview",
    "Source",
    "UsedInvitation",
    "validate_network",
]
