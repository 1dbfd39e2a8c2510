"""Which questionnaire an admin page about collecting answers is for: the QR
code and poster of an agency, its invitations, the paper import. SIPAS unless
the page's `?questionnaire=<code>` names another current questionnaire."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils.http import urlencode

from surveys import selectors
from surveys.models import Questionnaire
from surveys.reference import DEFAULT_QUESTIONNAIRE


def questionnaire_asked(request: HttpRequest) -> Questionnaire:
    """The current version of the questionnaire the page asks for; 404 for a
    code that has none."""
    code = request.GET.get("questionnaire") or DEFAULT_QUESTIONNAIRE
    questionnaire = selectors.questionnaire_current(code)
    if questionnaire is None:
        raise Http404
    return questionnaire


def questionnaire_query(questionnaire: Questionnaire) -> str:
    """The query string that asks for `questionnaire` ("" for SIPAS)."""
    if questionnaire.code == DEFAULT_QUESTIONNAIRE:
        return ""
    return "?" + urlencode({"questionnaire": questionnaire.code})


def questionnaire_links(request: HttpRequest, asked: Questionnaire) -> list[dict]:
    """The current questionnaires as links to this page for each; empty when
    SIPAS is the only one."""
    current = Questionnaire.objects.filter(is_current=True).order_by("code")
    if len(current) < 2:
        return []
    return [
        {
            "title": questionnaire.title,
            "code": questionnaire.code,
            "query": questionnaire_query(questionnaire) or "?",
            "selected": questionnaire.code == asked.code,
        }
        for questionnaire in current
    ]
