"""The survey page citizens reach from a QR code or an invitation link."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from surveys import selectors
from surveys.forms import CHANNEL_CODES, SurveyForm
from surveys.intake import HONEYPOT_FIELD, RateLimited, form_flags, rate_flags
from surveys.models import Agency, Channel, Procedure, Source, UsedInvitation
from surveys.services import (
    Invitation,
    InvitationAlreadyUsed,
    InvitationInvalid,
    SubmissionConflict,
    SubmissionInvalid,
    invitation_read,
    response_submit,
)


@never_cache
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, agency_code: str) -> HttpResponse:
    agency = selectors.agency_for_survey(agency_code)
    if agency is None:
        raise Http404
    procedure = None
    if request.GET.get("procedure"):
        procedure = selectors.procedure_by_code(request.GET["procedure"])
        if procedure is None:
            raise Http404
    channel = CHANNEL_CODES.get(request.GET.get("channel", ""))
    return _survey_page(
        request,
        agency=agency,
        procedure=procedure,
        channel=channel,
        ask_procedure=procedure is None,
    )


@never_cache
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
        raise Http404
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
    )


def thanks(request: HttpRequest, agency_code: str) -> HttpResponse:
    agency = selectors.agency_for_survey(agency_code)
    if agency is None:
        raise Http404
    return render(request, "surveys/thanks.html", {"agency": agency})


def _already_used(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "surveys/message.html",
        {"message": _("This invitation has already been used. Thank you!")},
        status=409,
    )


def _survey_page(
    request: HttpRequest,
    *,
    agency: Agency,
    procedure: Procedure | None,
    channel: int | None,
    ask_procedure: bool,
    invitation: Invitation | None = None,
) -> HttpResponse:
    questionnaire = selectors.questionnaire_current()
    if questionnaire is None:
        raise Http404
    form_kwargs = {
        "questionnaire": questionnaire,
        "ask_channel": channel is None,
        "ask_procedure": ask_procedure,
    }
    context = {"agency": agency, "procedure": procedure, "questionnaire": questionnaire}
    if request.method != "POST":
        form = SurveyForm(**form_kwargs)
        return _render(request, form, context)

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
        response_submit(
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
                "message": _(
                    "This survey form was already sent with other answers. To "
                    "answer again, open the survey link again."
                ),
                "agency": agency,
            },
            status=409,
        )
    except InvitationAlreadyUsed:
        return _already_used(request)
    return redirect("surveys:thanks", agency_code=agency.code)


def _render(request, form, context, status: int = 200) -> HttpResponse:
    context = {
        **context,
        "form": form,
        "scale": form.scale,
        "not_applicable": next(
            (item["label"] for item in form.scale if item["value"] == 0), ""
        ),
        "sections": form.sections(),
        "honeypot": form[HONEYPOT_FIELD],
        "error_count": len(form.errors),
    }
    return render(request, "surveys/survey.html", context, status=status)
