"""Staff pages of the survey: agencies with their QR codes and invitation links,
responses with their review, paper import. Every page is narrowed by
`surveys.scope`: what lies outside a user's scope does not exist for them (404)."""

from __future__ import annotations

import csv
import io

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from surveys import admin_urls, selectors
from surveys.admin_import import PaperImportAdmin
from surveys.admin_questionnaire_choice import (
    questionnaire_asked,
    questionnaire_links,
    questionnaire_query,
)
from surveys.admin_scope import ScopedAdmin, is_national
from surveys.models import (
    Agency,
    Channel,
    InvitationBatch,
    Official,
    Procedure,
    Province,
    Questionnaire,
    Response,
)
from surveys.qr import agency_survey_url, qr_png, qr_svg
from surveys.reference import DEFAULT_QUESTIONNAIRE
from surveys.services import (
    ReviewNotAllowed,
    invitation_batch_create,
    invitation_url,
    response_review,
)
from surveys.services.invitations import MAX_BATCH


class InvitationForm(forms.Form):
    questionnaire = forms.ChoiceField(label=_("questionnaire"), required=False)
    procedure = forms.ModelChoiceField(
        label=_("procedure"), queryset=Procedure.objects.all(), required=False
    )
    channel = forms.TypedChoiceField(
        label=_("channel"), choices=Channel.choices, coerce=int
    )
    count = forms.IntegerField(
        label=_("number of invitations"), min_value=1, max_value=MAX_BATCH
    )
    output = forms.ChoiceField(
        label=_("as"),
        choices=[("csv", _("CSV file of links")), ("html", _("printable list"))],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        current = Questionnaire.objects.filter(is_current=True).order_by("code")
        self.fields["questionnaire"].choices = [(q.code, q.title) for q in current]
        # Sentence case, as the admin's own labels (the terms are lower case).
        for field in self.fields.values():
            field.label = capfirst(field.label)


@admin.register(Agency)
class AgencyAdmin(ScopedAdmin):
    agency_field = "id"
    list_display = ("code", "name_vi", "kind", "province", "active", "survey_links")
    list_filter = ("kind", "active")
    search_fields = ("code", "name_vi", "name_en")
    list_select_related = ("province",)
    readonly_fields = ("survey_links",)

    @admin.display(description=_("survey link"))
    def survey_links(self, agency: Agency) -> str:
        if agency.pk is None:
            return "-"
        return format_html(
            '<a href="{}">PNG</a> · <a href="{}">SVG</a> · <a href="{}">{}</a> · '
            '<a href="{}">{}</a>',
            reverse("admin:surveys_agency_qr", args=[agency.pk, "png"]),
            reverse("admin:surveys_agency_qr", args=[agency.pk, "svg"]),
            reverse("admin:surveys_agency_poster", args=[agency.pk]),
            _("printable page"),
            reverse("admin:surveys_agency_invitations", args=[agency.pk]),
            _("invitations"),
        )

    def get_urls(self):
        return [*admin_urls.agency_urls(self), *super().get_urls()]

    def qr_view(self, request: HttpRequest, pk: int, kind: str) -> HttpResponse:
        agency = selectors.agency_visible(request.user, pk)
        questionnaire = questionnaire_asked(request)
        url = agency_survey_url(agency, questionnaire.code)
        if kind == "png":
            response = HttpResponse(qr_png(url), content_type="image/png")
        elif kind == "svg":
            response = HttpResponse(qr_svg(url), content_type="image/svg+xml")
        else:
            return HttpResponse(status=404)
        other = questionnaire.code if questionnaire_query(questionnaire) else ""
        name = "-".join(filter(None, ["survey", agency.code, other]))
        response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
        return response

    def poster_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        agency = selectors.agency_visible(request.user, pk)
        questionnaire = questionnaire_asked(request)
        url = agency_survey_url(agency, questionnaire.code)
        query = questionnaire_query(questionnaire)
        return render(
            request,
            "surveys/admin/poster.html",
            {
                "agency": agency,
                "url": url,
                "svg": mark_safe(qr_svg(url, scale=12, inline=True)),
                "questionnaire": questionnaire,
                "other_questionnaire": bool(query),
                "questionnaire_links": questionnaire_links(request, questionnaire),
                "png": reverse("admin:surveys_agency_qr", args=[pk, "png"]) + query,
                "svg_file": reverse("admin:surveys_agency_qr", args=[pk, "svg"])
                + query,
            },
        )

    def invitations_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        agency = selectors.agency_visible(request.user, pk)
        form = InvitationForm(
            request.POST or None,
            initial={
                "output": "csv",
                "questionnaire": questionnaire_asked(request).code,
            },
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            batch, tokens = invitation_batch_create(
                agency=agency,
                procedure=data["procedure"],
                channel=data["channel"],
                count=data["count"],
                user=request.user,
                questionnaire_code=data["questionnaire"],
            )
            urls = [invitation_url(token) for token in tokens]
            if data["output"] == "csv":
                buffer = io.StringIO()
                writer = csv.writer(buffer)
                writer.writerow([gettext("number"), gettext("agency"), gettext("link")])
                for number, url in enumerate(urls, start=1):
                    writer.writerow([number, agency.code, url])
                response = HttpResponse(
                    buffer.getvalue(), content_type="text/csv; charset=utf-8"
                )
                response["Content-Disposition"] = (
                    f'attachment; filename="invitations-{agency.code}-{batch.pk}.csv"'
                )
                return response
            return render(
                request,
                "surveys/admin/invitations_print.html",
                {
                    "agency": agency,
                    "batch": batch,
                    "links": [
                        (url, mark_safe(qr_svg(url, scale=3, inline=True)))
                        for url in urls
                    ],
                },
            )
        return render(
            request,
            "surveys/admin/invitations_form.html",
            {
                **self.admin_site.each_context(request),
                "agency": agency,
                "form": form,
                "title": _("Invitations for %(agency)s") % {"agency": agency.name},
                "opts": self.model._meta,
            },
        )


class HasSuggestionFilter(admin.SimpleListFilter):
    title = _("suggestion")
    parameter_name = "suggestion"

    def lookups(self, request, model_admin):
        return [("yes", _("with a suggestion")), ("no", _("without"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(suggestion="")
        if self.value() == "no":
            return queryset.filter(suggestion="")
        return queryset


class FlagFilter(admin.SimpleListFilter):
    """Intake flags in words: one choice per reason, and "none"."""

    title = _("intake flags")
    parameter_name = "flag"

    def lookups(self, request, model_admin):
        return [(str(flag.value), flag.label) for flag in Response.Flag] + [
            ("none", _("no flag"))
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(flags=0)
        if value in {str(flag.value) for flag in Response.Flag}:
            return queryset.annotate(flag_bit=F("flags").bitand(int(value))).filter(
                flag_bit__gt=0
            )
        return queryset


@admin.register(Response)
class ResponseAdmin(PaperImportAdmin, ScopedAdmin):
    list_display = (
        "uid",
        "agency",
        "responded_on",
        "channel",
        "source",
        "status",
        "flag_list",
        "suggestion_excerpt",
    )
    list_filter = (
        "status",
        "source",
        "channel",
        "questionnaire",
        FlagFilter,
        HasSuggestionFilter,
    )
    list_select_related = ("agency",)
    search_fields = ("=uid", "suggestion")
    # The detail is read-only (no change permission): every field, the citizen's
    # suggestion among them, is shown to the officials responsible for the agency.
    readonly_fields = ("answer_list", "flag_list", "review_history")
    # Shown in words by `answer_list` and `flag_list` instead.
    exclude = ("answers", "flags")
    date_hierarchy = "responded_on"
    actions = ["mark_suspicious", "restore"]
    show_full_result_count = False

    def changelist_view(self, request, extra_context=None):
        context = {"title": gettext("Responses received")}
        return super().changelist_view(request, {**context, **(extra_context or {})})

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Responses are never edited; status changes go through reviews.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("intake flags"))
    def flag_list(self, response: Response) -> str:
        return ", ".join(response.flag_labels) or gettext("no flag")

    @admin.display(description=_("answers"))
    def answer_list(self, response: Response) -> str:
        """Each criterion's text and the answer in the scale's words."""
        questionnaire = response.questionnaire
        english = (get_language() or "vi").startswith("en")
        levels = {
            str(item["value"]): item["label"]
            for item in selectors.scale_labels(questionnaire, get_language() or "vi")
        }
        rows = []
        for criterion in questionnaire.criteria.order_by("position"):
            code = response.answers[criterion.position - 1 : criterion.position]
            text = (english and criterion.text_en) or criterion.text_vi
            answer = levels.get(code) or gettext("not answered")
            rows.append((criterion.code, text, answer))
        return format_html(
            '<table class="answer-list"><tbody>{}</tbody></table>',
            format_html_join(
                "", '<tr><th scope="row">{} {}</th><td>{}</td></tr>', rows
            ),
        )

    @admin.display(description=_("suggestion"))
    def suggestion_excerpt(self, response: Response) -> str:
        text = response.suggestion
        return text if len(text) <= 80 else text[:79] + "…"

    @admin.display(description=_("reviews"))
    def review_history(self, response: Response) -> str:
        reviews = response.reviews.select_related("reviewed_by")
        return (
            format_html_join(
                mark_safe("<br>"),
                "{} · {} → {} · {}",
                (
                    (
                        review.reviewed_at.strftime("%Y-%m-%d %H:%M"),
                        Response.Status(review.from_status).label,
                        Response.Status(review.to_status).label,
                        review.reviewed_by or "-",
                    )
                    for review in reviews
                ),
            )
            or "-"
        )

    def _review(self, request, queryset, to_status: int) -> None:
        changed = refused = 0
        for response in queryset:
            try:
                if response_review(
                    response=response, to_status=to_status, user=request.user
                ):
                    changed += 1
            except (ReviewNotAllowed, PermissionDenied):
                refused += 1
        self.message_user(
            request,
            _("%(changed)d responses changed, %(refused)d left as they were.")
            % {"changed": changed, "refused": refused},
            messages.SUCCESS,
        )

    @admin.action(description=_("Mark as suspicious (not counted)"))
    def mark_suspicious(self, request, queryset) -> None:
        self._review(request, queryset, Response.Status.SUSPICIOUS)

    @admin.action(description=_("Restore (counted again)"))
    def restore(self, request, queryset) -> None:
        self._review(request, queryset, Response.Status.RESTORED)


@admin.register(InvitationBatch)
class InvitationBatchAdmin(ScopedAdmin):
    list_display = (
        "agency",
        "questionnaire",
        "procedure",
        "channel",
        "count",
        "answered",
        "created_at",
    )
    list_select_related = ("agency", "procedure")
    readonly_fields = (
        "agency",
        "questionnaire",
        "procedure",
        "channel",
        "count",
        "created_by",
    )
    exclude = ("questionnaire_code",)

    @admin.display(description=_("questionnaire"), ordering="questionnaire_code")
    def questionnaire(self, batch: InvitationBatch) -> str:
        return batch.questionnaire_code or DEFAULT_QUESTIONNAIRE

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("answered"))
    def answered(self, batch: InvitationBatch) -> int:
        return batch.used.count()


@admin.register(Province)
class ProvinceAdmin(ScopedAdmin):
    """Provinces of both maps, for looking up and for choosing in other forms."""

    agency_field = None
    province_field = "id"
    list_display = ("code", "name_vi", "map", "region", "successor")
    list_filter = ("map", "region")
    search_fields = ("code", "name_vi", "name_en")
    list_select_related = ("region", "successor")


@admin.register(Official)
class OfficialAdmin(admin.ModelAdmin):
    """Who is responsible for what. Only national administrators assign roles: a
    role is what opens the admin and decides the scope."""

    list_display = ("user", "role", "province", "agency")
    list_filter = ("role",)
    list_select_related = ("user", "province", "agency")
    search_fields = ("user__username", "user__email")
    autocomplete_fields = ("province", "agency")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_national(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_national(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_national(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_national(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_national(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            # Roles are for staff accounts; a role on a non-staff user opens nothing.
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class OfficialInline(admin.StackedInline):
    model = Official
    can_delete = True
    extra = 0
    max_num = 1
    autocomplete_fields = ("province", "agency")

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_national(request)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_national(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_national(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_national(request)


_User = get_user_model()
if admin.site.is_registered(_User):
    _UserAdmin = type(admin.site._registry[_User])
    admin.site.unregister(_User)
else:  # pragma: no cover - a custom user model without an admin
    _UserAdmin = admin.ModelAdmin


@admin.register(_User)
class UserWithRoleAdmin(_UserAdmin):
    """Django's user admin, with the user's role below (national administrators
    only; managing accounts stays with Django's permissions)."""

    inlines = [*getattr(_UserAdmin, "inlines", []), OfficialInline]


# Known addresses and questionnaires live in their own modules; importing them
# registers them.
from surveys import (  # noqa: E402, F401
    admin_addresses,
    admin_questionnaires,
)
