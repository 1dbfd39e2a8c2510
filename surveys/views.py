"""The survey page citizens reach from a QR code or an invitation link.

A page keeps one uid from the moment it is shown until it is sent, also through
a language switch and a validation error: a second sending of the same page (a
double click, Back after the thank-you page) is recognised and stored once. The
page shown by GET may therefore be kept by the browser for Back (`no-cache`, not
`no-store`); it carries no answers.
"""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import (
    add_never_cache_headers,
    patch_cache_control,
)
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from surveys import selectors
from surveys.forms import SurveyForm
from surveys.intake import HONEYPOT_FIELD, RateLimited, form_flags, rate_flags
from surveys.models import (
    Agency,
    Channel,
    Procedure,
    Questionnaire,
    Source,
    UsedInvitation,
)
from surveys.reference import DEFAULT_QUESTIONNAIRE
from surveys.response_rules import CHANNEL_CODES
from surveys.services import (
    Invitation,
    InvitationAlreadyUsed,
    InvitationInvalid,
    SubmissionConflict,
    SubmissionInvalid,
    answers_errors,
    invitation_read,
    questionnaire_criteria,
    response_submit,
)


def kept_for_back(view):
    """The empty survey page is kept by the browser for Back (revalidated on any
    other visit); every other answer of the view is never stored, since it may
    carry answers."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        page = view(request, *args, **kwargs)
        if request.method == "GET" and page.status_code == 200:
            patch_cache_control(page, private=True, no_cache=True, max_age=0)
            # Back must find it although the cookies changed since (the CSRF
            # cookie set by this very page): no Vary on them. It is private, and
            # any other visit fetches it again.
            page.vary_on_cookie = False
        else:
            add_never_cache_headers(page)
        return page

    return wrapper


def home(request: HttpRequest) -> HttpResponse:
    """The finder: every agency by province of the current map, with a search
    that ignores diacritics (also without JavaScript, by ?q=)."""
    query = request.GET.get("q", "").strip()[:100]
    provinces, central = selectors.agencies_by_province(query=query)
    return render(
        request,
        "home.html",
        {
            "provinces": provinces,
            "central": central,
            "query": query,
            "found": sum(len(p["agencies"]) for p in provinces) + len(central),
        },
    )


@kept_for_back
@require_http_methods(["GET", "POST"])
def survey(
    request: HttpRequest, agency_code: str, questionnaire_code: str | None = None
) -> HttpResponse:
    """The survey page of an agency: the platform's questionnaire (SIPAS), or
    another one by its code."""
    agency = selectors.agency_for_survey(agency_code)
    if agency is None:
        return _not_found(request)
    procedure = None
    if request.GET.get("procedure"):
        procedure = selectors.procedure_by_code(request.GET["procedure"])
        if procedure is None:
            return _not_found(request)
    channel = CHANNEL_CODES.get(request.GET.get("channel", ""))
    if questionnaire_code is None:
        action = reverse("surveys:survey-send", kwargs={"agency_code": agency.code})
    else:
        action = reverse(
            "surveys:survey-questionnaire-send",
            kwargs={
                "agency_code": agency.code,
                "questionnaire_code": questionnaire_code,
            },
        )
    return _survey_page(
        request,
        agency=agency,
        procedure=procedure,
        channel=channel,
        ask_procedure=procedure is None,
        action=action,
        questionnaire_code=questionnaire_code or DEFAULT_QUESTIONNAIRE,
    )


@kept_for_back
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invite = invitation_read(token)
    except InvitationInvalid as error:
        return render(
            request, "surveys/message.html", {"message": str(error)}, status=404
        )
    agency = Agency.objects.filter(pk=invite.agency_id, active=True).first()
    if agency is None:
        return _not_found(request)
    if UsedInvitation.objects.filter(token_hash=invite.token_hash).exists() and (
        request.method == "GET"
    ):
        return _already_used(request)
    procedure = (
        Procedure.objects.filter(pk=invite.procedure_id).first()
        if invite.procedure_id
        else None
    )
    return _survey_page(
        request,
        agency=agency,
        procedure=procedure,
        channel=invite.channel,
        ask_procedure=False,
        invitation=invite,
        action=reverse("surveys:invitation-send", kwargs={"token": token}),
        questionnaire_code=invite.questionnaire_code or DEFAULT_QUESTIONNAIRE,
    )


def thanks(request: HttpRequest, agency_code: str) -> HttpResponse:
    agency = selectors.agency_for_survey(agency_code)
    if agency is None:
        return _not_found(request)
    return render(
        request,
        "surveys/thanks.html",
        {"agency": agency, "again": request.GET.get("again") == "1"},
    )


def _not_found(request: HttpRequest) -> HttpResponse:
    """An unknown or closed survey: a page in the citizen's language that leads
    to the finder, never the technical page."""
    response = render(request, "surveys/not_found.html", status=404)
    add_never_cache_headers(response)
    return response


def _already_used(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "surveys/message.html",
        {
            "title": _("This invitation has already been used"),
            "message": _(
                "The answers given with this invitation were received. Thank you!"
            ),
        },
        status=409,
    )


def _survey_page(
    request: HttpRequest,
    *,
    agency: Agency,
    procedure: Procedure | None,
    channel: int | None,
    ask_procedure: bool,
    action: str,
    invitation: Invitation | None = None,
    questionnaire_code: str = DEFAULT_QUESTIONNAIRE,
) -> HttpResponse:
    questionnaire = selectors.questionnaire_current(questionnaire_code)
    if questionnaire is None:
        return _not_found(request)
    form_kwargs = {
        "questionnaire": questionnaire,
        "ask_channel": channel is None,
        "ask_procedure": ask_procedure,
    }
    query = request.GET.urlencode()
    context = {
        "agency": agency,
        "procedure": procedure,
        "questionnaire": questionnaire,
        "action": f"{action}?{query}" if query else action,
    }
    if request.method != "POST":
        form = SurveyForm(**form_kwargs)
        return _render(request, form, context)

    language = request.POST.get("language")
    if language:
        return _switch_language(request, language, form_kwargs, context)
    form = SurveyForm(request.POST, **form_kwargs)
    if not form.is_valid():
        return _render(request, form, context, status=400)
    data = form.cleaned_data
    try:
        # An invitation is single-use: its answers are not limited by address.
        flags = (
            0
            if invitation is not None
            else rate_flags(
                request, uid=data["uid"], agency_id=agency.id, answers=form.answers()
            )
        )
    except RateLimited as limited:
        context["notice"] = _(
            "Too many surveys have been sent from this connection. Your answers "
            "have NOT been received yet: please send them again in %(minutes)d "
            "minutes."
        ) % {"minutes": max(1, limited.retry_after // 60)}
        page = _render(request, form, context, status=429)
        page["Retry-After"] = str(limited.retry_after)
        return page
    flags |= form_flags(
        started=data.get("started") or "",
        honeypot=data.get(HONEYPOT_FIELD) or "",
        uid=data["uid"],
    )
    if ask_procedure:
        procedure = data.get("procedure")
    try:
        _response, created = response_submit(
            uid=data["uid"],
            questionnaire=questionnaire,
            agency=agency,
            procedure=procedure,
            channel=channel
            if channel is not None
            else data.get("channel") or Channel.IN_PERSON,
            source=Source.WEB,
            answers=form.answers(),
            suggestion=data.get("suggestion") or "",
            flags=flags,
            invitation=invitation,
            **form.profile(),
        )
    except SubmissionInvalid as invalid:
        form.add_service_errors(invalid.errors)
        return _render(request, form, context, status=400)
    except SubmissionConflict:
        return render(
            request,
            "surveys/message.html",
            {
                "title": _("Your answers were already received"),
                "message": _(
                    "The answers from this page were already received, and nothing "
                    "new was stored. To answer about another dossier, open the "
                    "survey again."
                ),
                "agency": agency,
            },
            status=409,
        )
    except InvitationAlreadyUsed:
        return _already_used(request)
    # Post/Redirect/Get: reloading the thank-you page sends nothing again.
    target = reverse("surveys:thanks", kwargs={"agency_code": agency.code})
    if not created:
        target += "?" + urlencode({"again": "1"})
    return HttpResponseRedirect(target)


def survey_preview(
    request: HttpRequest, *, questionnaire: Questionnaire, agency: Agency, action: str
) -> HttpResponse:
    """The survey page of any version (a draft too), exactly as citizens will see
    it: what is sent back is checked as a submission would be and shown again,
    never stored."""
    form_kwargs = {
        "questionnaire": questionnaire,
        "ask_channel": True,
        "ask_procedure": True,
    }
    context = {
        "agency": agency,
        "procedure": None,
        "questionnaire": questionnaire,
        "action": action,
        "notice": _("Preview: answers sent from this page are checked, not stored."),
    }
    if request.method != "POST":
        return _render(request, SurveyForm(**form_kwargs), context)
    language = request.POST.get("language")
    if language:
        return _switch_language(request, language, form_kwargs, context)
    form = SurveyForm(request.POST, **form_kwargs)
    if form.is_valid():
        errors = answers_errors(questionnaire_criteria(questionnaire), form.answers())
        if errors:
            form.add_service_errors({"answers": errors})
    return _render(request, form, context, status=400 if form.errors else 200)


def _switch_language(
    request: HttpRequest, language: str, form_kwargs: dict, context: dict
) -> HttpResponse:
    """The language buttons belong to the survey form: the answers come back with
    them and are shown again, in the chosen language, without being judged."""
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    translation.activate(language)
    request.LANGUAGE_CODE = language
    form = SurveyForm(request.POST, **form_kwargs)
    form.hold_errors()
    page = _render(request, form, context)
    page.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
    return page


def _render(request, form, context, status: int = 200) -> HttpResponse:
    missing, error_links = form.error_links()
    context = {
        **context,
        "form": form,
        "missing": missing,
        "error_links": error_links,
        "scale": form.scale,
        "not_applicable": next(
            (item["label"] for item in form.scale if item["value"] == 0), ""
        ),
        "sections": form.sections(),
        "honeypot": form[HONEYPOT_FIELD],
        "error_count": len(error_links),
    }
    return render(request, "surveys/survey.html", context, status=status)
