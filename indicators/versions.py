"""Which answers a questionnaire version's figures count: its own and those of
its earlier versions, criterion by criterion code.

A criterion keeps its code across versions as long as it asks the same thing;
one reworded so that it means something else gets a new code. A version's
figures therefore pool, for each of its criteria, the answers given to that
code in this version and every earlier version of the same questionnaire (same
questionnaire code), and leave out the criteria of earlier versions whose code
it no longer has: their answers stay in those versions' own figures. Two
questionnaires (two codes) are never pooled.
"""

from __future__ import annotations

from dataclasses import dataclass

from surveys.models import Criterion, Questionnaire


@dataclass(frozen=True)
class PooledCriterion:
    """A criterion row whose counts a version's figures read, with the
    criterion of that version it counts for."""

    counts_for: int  # the id of the version's own criterion with this code
    code: str
    element_id: int  # the element of the version's own criterion


def versions_pooled(*, questionnaire_id: int) -> list[int]:
    """The ids of this questionnaire version and of its earlier versions."""
    own = Questionnaire.objects.values("code", "version").get(pk=questionnaire_id)
    return list(
        Questionnaire.objects.filter(
            code=own["code"], version__lte=own["version"]
        ).values_list("id", flat=True)
    )


def criteria_pooled(*, questionnaire_id: int) -> dict[int, PooledCriterion]:
    """Every criterion row whose counts this version's figures read, by id: its
    own criteria, and those of earlier versions with one of their codes."""
    own = {
        code: (pk, element)
        for pk, code, element in Criterion.objects.filter(
            questionnaire_id=questionnaire_id
        ).values_list("id", "code", "element_id")
    }
    rows = Criterion.objects.filter(
        questionnaire_id__in=versions_pooled(questionnaire_id=questionnaire_id),
        code__in=list(own),
    ).values_list("id", "code")
    return {
        pk: PooledCriterion(counts_for=own[code][0], code=code, element_id=own[code][1])
        for pk, code in rows
    }
