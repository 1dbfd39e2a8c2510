"""Staff API of dossier records: one-stop systems push records, and ask for the
survey invitation of a resolved dossier (link and QR code, for their own SMS or
receipts). Authenticated staff only, narrowed by `surveys.scope`: a system signed
in as an agency's official pushes for that agency alone."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import IsAdminUser, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from config.authentication import BasicAuthentication
from dossiers import selectors
from dossiers.records import COLUMNS, MAX_NUMBER_LENGTH
from dossiers.services import (
    DossierNotResolved,
    dossier_invitation_issue,
    dossiers_store,
)
from surveys.qr import qr_svg
from surveys.scope import scope_for
from surveys.services import invitation_url

MAX_RECORDS = 10000
AUTHENTICATION = [SessionAuthentication, BasicAuthentication, TokenAuthentication]


class DossierRecordSerializer(serializers.Serializer):
    """One record, with the fields and values of a CSV row
    (docs/dossier-import.md); checked by the import, not here, so that the API
    and the file refuse exactly the same records."""

    number = serializers.CharField(max_length=MAX_NUMBER_LENGTH)
    agency = serializers.CharField()
    procedure = serializers.CharField(required=False, allow_blank=True)
    channel = serializers.ChoiceField(["in_person", "online", "post"])
    received_on = serializers.DateField()
    due_on = serializers.DateField()
    resolved_on = serializers.DateField(required=False, allow_null=True)
    paused_days = serializers.IntegerField(required=False, min_value=0)
    status = serializers.CharField()


class DossierStoredSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class DossierInvitationInSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=MAX_NUMBER_LENGTH)


class DossierInvitationOutSerializer(serializers.Serializer):
    url = serializers.URLField()
    qr_svg = serializers.CharField(help_text="The link as an SVG QR code.")
    invited_on = serializers.DateField()


class _StaffApi(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated, IsAdminUser]


class DossierPushApi(_StaffApi):
    @extend_schema(
        tags=["dossiers"],
        summary="Push dossier records",
        description=(
            "A list of records, all stored or none. A record of a dossier already "
            "stored (same number) replaces it; an identical record changes "
            "nothing, so a batch can be sent again safely. Agencies outside the "
            "caller's scope read as unknown."
        ),
        request=DossierRecordSerializer(many=True),
        responses={
            200: DossierStoredSerializer,
            # Two shapes: `errors` (each bad record with its field) or `detail`
            # (a body that is not JSON at all), so no single schema is declared.
            400: OpenApiResponse(
                description="Nothing stored: `errors` lists each bad record with "
                "its field and problem, or `detail` says why the body is not JSON."
            ),
            401: OpenApiResponse(description="Not signed in."),
            403: OpenApiResponse(description="Not staff, or no scope."),
        },
    )
    def post(self, request: Request) -> ApiResponse:
        scope = scope_for(request.user)
        if scope.empty:
            raise PermissionDenied
        records = request.data
        if not isinstance(records, list) or not 1 <= len(records) <= MAX_RECORDS:
            return ApiResponse(
                {
                    "detail": _("Send a list of 1 to %(limit)d records.")
                    % {"limit": MAX_RECORDS},
                    "errors": [],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        numbered = [
            (index, record if isinstance(record, dict) else {})
            for index, record in enumerate(records, start=1)
        ]
        unknown = [
            (index, name)
            for index, record in numbered
            for name in record
            if name not in COLUMNS
        ]
        report = dossiers_store(
            records=numbered,
            agency_ids=None if scope.everything else scope.agency_ids,
        )
        for index, name in unknown:
            report.add_error(index, name, _("Unknown field."))
        if not report.ok:
            return ApiResponse(
                {
                    "detail": report.summary(),
                    "errors": [
                        {"row": e.row, "field": e.column, "message": e.message}
                        for e in sorted(report.errors, key=lambda e: e.row)
                    ],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return ApiResponse(
            {
                "received": report.rows_read,
                "created": report.imported,
                "updated": report.updated,
                "unchanged": report.already_present,
            }
        )


class DossierInvitationApi(_StaffApi):
    @extend_schema(
        tags=["dossiers"],
        summary="The survey invitation of a resolved dossier",
        description=(
            "A single-use survey link and its QR code, for the receipt or an SMS. "
            "Asking again for the same dossier gives a link to the same single "
            "use. The response the citizen sends holds no dossier number."
        ),
        request=DossierInvitationInSerializer,
        responses={
            200: DossierInvitationOutSerializer,
            400: OpenApiResponse(description="No dossier number, or one too long."),
            401: OpenApiResponse(description="Not signed in."),
            403: OpenApiResponse(description="Not staff, or no scope."),
            404: OpenApiResponse(description="No such dossier in the caller's scope."),
            409: OpenApiResponse(description="The dossier is not resolved."),
        },
    )
    def post(self, request: Request) -> ApiResponse:
        serializer = DossierInvitationInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        dossier = selectors.dossier_by_number(
            request.user, serializer.validated_data["number"]
        )
        try:
            token = dossier_invitation_issue(dossier=dossier, user=request.user)
        except DossierNotResolved:
            return ApiResponse(
                {"detail": _("Only a resolved dossier gets a survey invitation.")},
                status=status.HTTP_409_CONFLICT,
            )
        url = invitation_url(token)
        return ApiResponse(
            {
                "url": url,
                "qr_svg": qr_svg(url, scale=6),
                "invited_on": dossier.invited_on,
            }
        )
