"""Authoring questionnaires: drafts, publishing (which freezes a version), new
versions of a published one, retiring.

A published version is never edited: responses store their answers by position,
and the rollup reads each criterion's answer by that position, so a changed
criterion would silently change what old answers mean.
"""

from __future__ import annotations

import re
from collections import Counter

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.models import Criterion, Element, Questionnaire, Response

# The levels a response stores (one character each) and the rollup counts
# (n0 to n5); 0 is "does not apply".
SCALE_LEVELS = frozenset({1, 2, 3, 4, 5})
NOT_APPLICABLE = 0
# Codes name form fields, CSV columns and API keys: plain characters only.
CODE = re.compile(r"[A-Za-z0-9_-]+")


class QuestionnaireRefused(Exception):
    """The questionnaire cannot be published or changed; `problems` says why,
    one message per problem, in the active language."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def criteria_limit() -> int:
    """How many criteria a response can store: one character each."""
    return Response._meta.get_field("answers").max_length


def questionnaire_frozen(questionnaire: Questionnaire) -> bool:
    """A version that is published, retired or has responses never changes."""
    if questionnaire.pk is None:
        return False
    if questionnaire.status != Questionnaire.Status.DRAFT:
        return True
    return Response.objects.filter(questionnaire_id=questionnaire.pk).exists()


def questionnaire_problems(questionnaire: Questionnaire) -> list[str]:
    """What stops this version from being published, one message per problem;
    empty when it can be."""
    problems = []
    if not questionnaire.title_vi.strip():
        problems.append(_("The questionnaire has no Vietnamese title."))
    problems += _scale_problems(questionnaire.scale)
    elements = list(questionnaire.elements.order_by("position"))
    criteria = list(questionnaire.criteria.order_by("position"))
    if not elements:
        problems.append(_("The questionnaire has no element."))
    for element in elements:
        if not element.name_vi.strip():
            problems.append(
                _("Element %(code)s has no Vietnamese name.") % {"code": element.code}
            )
        if not any(c.element_id == element.id for c in criteria):
            problems.append(
                _("Element %(code)s has no criterion.") % {"code": element.code}
            )
    limit = criteria_limit()
    if len(criteria) > limit:
        problems.append(
            _(
                "The questionnaire has %(count)d criteria; a response can store at "
                "most %(limit)d."
            )
            % {"count": len(criteria), "limit": limit}
        )
    codes = Counter(c.code.casefold() for c in criteria)
    for code in sorted({c.code for c in criteria if codes[c.code.casefold()] > 1}):
        problems.append(
            _("The criterion code %(code)s is used more than once.") % {"code": code}
        )
    for code in sorted(
        {r.code for r in [*elements, *criteria] if not CODE.fullmatch(r.code)}
    ):
        problems.append(
            _(
                "The code %(code)s may hold only unaccented letters, digits, "
                "“_” and “-”."
            )
            % {"code": code}
        )
    for criterion in criteria:
        if not criterion.text_vi.strip():
            problems.append(
                _("Criterion %(code)s has no Vietnamese wording.")
                % {"code": criterion.code}
            )
    return problems


def _scale_problems(scale: object) -> list[str]:
    if not isinstance(scale, list) or not all(isinstance(i, dict) for i in scale):
        return [_("The answer scale must be a list of levels.")]
    problems = []
    try:
        values = [int(item.get("value")) for item in scale]
    except (TypeError, ValueError):
        return [_("Every level of the answer scale needs a whole-number value.")]
    if set(values) - {NOT_APPLICABLE} != SCALE_LEVELS or len(values) != len(
        set(values)
    ):
        problems.append(
            _(
                "The answer scale must have the levels 1 to 5, each once, and may "
                "add 0 for “does not apply”: responses and scoring store no other."
            )
        )
    for item in scale:
        if not str(item.get("label_vi") or "").strip():
            problems.append(
                _("Level %(value)s of the answer scale has no Vietnamese label.")
                % {"value": item.get("value")}
            )
    return problems


def questionnaire_draft_create(
    *,
    code: str,
    title_vi: str,
    title_en: str = "",
    scale: list[dict],
    asks_about_respondent: bool = True,
) -> Questionnaire:
    """A new draft version of `code`: version 1 for a new questionnaire, the next
    number otherwise."""
    latest = Questionnaire.objects.filter(code=code).aggregate(v=Max("version"))["v"]
    return Questionnaire.objects.create(
        code=code,
        version=(latest or 0) + 1,
        title_vi=title_vi,
        title_en=title_en,
        scale=scale,
        asks_about_respondent=asks_about_respondent,
        status=Questionnaire.Status.DRAFT,
        is_current=False,
    )


@transaction.atomic
def questionnaire_publish(*, questionnaire: Questionnaire) -> Questionnaire:
    """Publish a draft: it becomes the current version of its code (the one the
    survey link and the API serve) and never changes again. Raises
    QuestionnaireRefused naming every problem; nothing changes then."""
    locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if locked.status != Questionnaire.Status.DRAFT:
        raise QuestionnaireRefused(
            [
                _("Version %(version)d is not a draft: it cannot be published again.")
                % {"version": locked.version}
            ]
        )
    problems = questionnaire_problems(locked)
    if problems:
        raise QuestionnaireRefused(problems)
    _positions_normalise(locked)
    Questionnaire.objects.filter(code=locked.code, is_current=True).update(
        is_current=False
    )
    locked.status = Questionnaire.Status.PUBLISHED
    locked.is_current = True
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "is_current", "published_at"])
    return locked


def _positions_normalise(questionnaire: Questionnaire) -> None:
    """Number elements 1, 2, ... and criteria 1, 2, ... in the order they are
    asked (by element, then by position): a criterion's position is the place of
    its answer in `Response.answers`. Two passes, through free positions, since
    each position is unique within the questionnaire."""
    elements = list(questionnaire.elements.order_by("position", "id"))
    order = {element.id: index for index, element in enumerate(elements)}
    criteria = sorted(
        questionnaire.criteria.all(),
        key=lambda c: (order[c.element_id], c.position, c.id),
    )
    for model, rows in ((Element, elements), (Criterion, criteria)):
        base = max([row.position for row in rows] + [0]) + 1
        for index, row in enumerate(rows):
            model.objects.filter(pk=row.pk).update(position=base + index)
        for index, row in enumerate(rows, start=1):
            model.objects.filter(pk=row.pk).update(position=index)


@transaction.atomic
def questionnaire_new_draft(*, questionnaire: Questionnaire) -> Questionnaire:
    """Start the next version of a questionnaire as a draft copy of this one (its
    wording, scale, elements and criteria, with the same codes): the way to
    change a published version. Refused while the code already has a draft."""
    # Two administrators starting a draft at once: the second waits, then sees
    # the first's draft.
    list(
        Questionnaire.objects.select_for_update()
        .filter(code=questionnaire.code)
        .values_list("pk", flat=True)
    )
    draft = Questionnaire.objects.filter(
        code=questionnaire.code, status=Questionnaire.Status.DRAFT
    ).first()
    if draft is not None:
        raise QuestionnaireRefused(
            [
                _(
                    "Version %(version)d of this questionnaire is already a draft: "
                    "edit that one."
                )
                % {"version": draft.version}
            ]
        )
    new = questionnaire_draft_create(
        code=questionnaire.code,
        title_vi=questionnaire.title_vi,
        title_en=questionnaire.title_en,
        scale=questionnaire.scale,
        asks_about_respondent=questionnaire.asks_about_respondent,
    )
    copies = {}
    for element in questionnaire.elements.order_by("position"):
        copies[element.id] = Element.objects.create(
            questionnaire=new,
            code=element.code,
            position=element.position,
            name_vi=element.name_vi,
            name_en=element.name_en,
        )
    Criterion.objects.bulk_create(
        Criterion(
            questionnaire=new,
            element=copies[criterion.element_id],
            code=criterion.code,
            position=criterion.position,
            text_vi=criterion.text_vi,
            text_en=criterion.text_en,
            required=criterion.required,
            allows_not_applicable=criterion.allows_not_applicable,
        )
        for criterion in questionnaire.criteria.order_by("position")
    )
    return new


@transaction.atomic
def questionnaire_retire(*, questionnaire: Questionnaire) -> Questionnaire:
    """Stop new responses to a published version; its responses, counts and
    figures stay. A draft is deleted, not retired."""
    locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if locked.status == Questionnaire.Status.DRAFT:
        raise QuestionnaireRefused(
            [_("A draft takes no responses: delete it instead of retiring it.")]
        )
    locked.status = Questionnaire.Status.RETIRED
    locked.is_current = False
    locked.save(update_fields=["status", "is_current"])
    return locked


def questionnaire_deletable(questionnaire: Questionnaire) -> bool:
    """Only a draft without responses may be deleted."""
    return not questionnaire_frozen(questionnaire)
