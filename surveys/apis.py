"""Public survey API: read a questionnaire, submit a response. No session
authentication, hence no CSRF: kiosks and apps post anonymously like the page."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from surveys import selectors
from surveys.intake import (
    HONEYPOT_FIELD,
    RateLimited,
    form_flags,
    rate_flags,
    started_token,
)
from surveys.models import Source
from surveys.response_rules import PROFILE_CODES
from surveys.serializers import (
    ErrorSerializer,
    FieldErrorsSerializer,
    QuestionnaireSerializer,
    ResponseInSerializer,
    ResponseOutSerializer,
    response_in_read,
)
from surveys.services import (
    SubmissionConflict,
    SubmissionInvalid,
    response_submit,
)

UNAVAILABLE = OpenApiResponse(
    ErrorSerializer,
    description="The database is unavailable; retry after Retry-After seconds.",
)


class QuestionnaireApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="The current version of a questionnaire, in one language",
        parameters=[
            OpenApiParameter(
                "lang",
                OpenApiTypes.STR,
                enum=["vi", "en"],
                description="Language of the wording; the request's language "
                "(Accept-Language) when left out.",
            )
        ],
        responses={
            200: QuestionnaireSerializer,
            404: OpenApiResponse(ErrorSerializer, description="Unknown questionnaire."),
            503: UNAVAILABLE,
        },
    )
    def get(self, request: Request, code: str) -> ApiResponse:
        language = request.query_params.get("lang") or translation.get_language()
        language = "en" if (language or "").startswith("en") else "vi"
        questionnaire = selectors.questionnaire_current(code)
        if questionnaire is None:
            return ApiResponse(
                {"detail": _("Unknown questionnaire.")},
                status=status.HTTP_404_NOT_FOUND,
            )
        with translation.override(language):
            data = {
                "code": questionnaire.code,
                "version": questionnaire.version,
                "language": language,
                "title": questionnaire.title,
                "scale": selectors.scale_labels(questionnaire, language),
                "elements": [
                    {
                        "code": element.code,
                        "name": element.name,
                        "criteria": [
                            {
                                "code": c.code,
                                "position": c.position,
                                "text": c.text,
                                "required": c.required,
                                "not_applicable": c.allows_not_applicable,
                            }
                            for c in criteria
                        ],
                    }
                    for element, criteria in selectors.questionnaire_layout(
                        questionnaire
                    )
                ],
                "optional_questions": {
                    name: list(codes)
                    for name, codes in PROFILE_CODES.items()
                    if questionnaire.asks_about_respondent
                },
                "started": started_token(),
            }
        # Each reading carries its own single-use stamp: never from a cache.
        return ApiResponse(
            QuestionnaireSerializer(data).data,
            headers={"Cache-Control": "no-store"},
        )


class AnswerInJson(DefaultContentNegotiation):
    """Answer in JSON, whatever the Accept header asks: the endpoint has no
    other representation, a client asking for XML lost its response to a 406,
    and choosing a renderer cost about a twelfth of a submission's CPU
    (docs/performance.md). Bodies are still chosen by Content-Type."""

    def select_renderer(
        self, request: Request, renderers: list[BaseRenderer], format_suffix=None
    ) -> tuple[BaseRenderer, str]:
        return renderers[0], renderers[0].media_type


class ResponseCreateApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = AnswerInJson

    @extend_schema(
        summary="Submit one response",
        description=(
            "Idempotent by `uid`: sending the same response again answers 200 with "
            "the stored one, sending other content under a stored uid answers 409. "
            "Error messages follow Accept-Language (vi, en). An unknown "
            "questionnaire or agency code is a 400 naming the field. Send back the "
            "`started` stamp of a fresh reading of the questionnaire: a response "
            "without a valid, unspent stamp, sent too soon, filling `website`, or "
            "one of a burst from one address is stored (201) but flagged, and not "
            "counted until an official restores it. Bodies are UTF-8."
        ),
        request=ResponseInSerializer,
        responses={
            201: OpenApiResponse(ResponseOutSerializer, description="Stored."),
            200: OpenApiResponse(
                ResponseOutSerializer, description="Already stored (a retry)."
            ),
            400: OpenApiResponse(
                FieldErrorsSerializer,
                description='Each bad field with its messages, e.g. {"answers": '
                '{"ACCESS_9": ["Unknown criterion."]}}.',
            ),
            409: OpenApiResponse(
                ErrorSerializer,
                description="This uid is stored with different content.",
            ),
            429: OpenApiResponse(
                ErrorSerializer,
                description="Too many submissions from this client; not stored. "
                "Retry after Retry-After seconds.",
            ),
            415: OpenApiResponse(
                ErrorSerializer,
                description="The body is not JSON, or names a charset other than "
                "UTF-8.",
            ),
            503: UNAVAILABLE,
        },
    )
    def post(self, request: Request) -> ApiResponse:
        data = response_in_read(request.data)
        if data is None:
            serializer = ResponseInSerializer(data=request.data)
            if not serializer.is_valid():
                return ApiResponse(
                    serializer.errors, status=status.HTTP_400_BAD_REQUEST
                )
            data = serializer.validated_data
        try:
            flags = rate_flags(
                request._request,
                uid=data["uid"],
                agency_id=data["agency"].id,
                answers=data["answers"],
            )
        except RateLimited as limited:
            return ApiResponse(
                {"detail": _("Too many submissions; nothing was stored.")},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(limited.retry_after)},
            )
        try:
            response, created = response_submit(
                uid=data["uid"],
                questionnaire=data["questionnaire"],
                agency=data["agency"],
                procedure=data.get("procedure"),
                channel=data["channel"],
                source=Source.API,
                responded_on=data.get("responded_on"),
                answers=data["answers"],
                respondent_type=data.get("respondent_type"),
                gender=data.get("gender"),
                age_band=data.get("age_band"),
                education=data.get("education"),
                occupation=data.get("occupation"),
                suggestion=data.get("suggestion", ""),
                flags=flags
                | form_flags(
                    started=data.get("started") or "",
                    honeypot=data.get(HONEYPOT_FIELD) or "",
                    uid=data["uid"],
                ),
            )
        except SubmissionInvalid as invalid:
            return ApiResponse(invalid.errors, status=status.HTTP_400_BAD_REQUEST)
        except SubmissionConflict:
            return ApiResponse(
                {"detail": _("A response with this uid exists with other content.")},
                status=status.HTTP_409_CONFLICT,
            )
        return ApiResponse(
            ResponseOutSerializer(response).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
