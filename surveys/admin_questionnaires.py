"""Authoring questionnaires in the admin, for national administrators only:
drafts with their elements and criteria, a preview of the citizen page,
publishing, new versions and retiring (admin actions calling the services).
Officials see nothing of it."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from surveys import admin_urls, selectors
from surveys.admin_scope import NotFoundOutsideScope, is_national
from surveys.models import Agency, Criterion, Element, Questionnaire
from surveys.reference import DEFAULT_QUESTIONNAIRE, DEFAULT_SCALE
from surveys.services.questionnaires import (
    QuestionnaireRefused,
    criteria_limit,
    questionnaire_deletable,
    questionnaire_draft_create,
    questionnaire_frozen,
    questionnaire_new_draft,
    questionnaire_problems,
    questionnaire_publish,
    questionnaire_retire,
)
from surveys.views import survey_preview


def _editable(request: HttpRequest, obj: Questionnaire | None) -> bool:
    return is_national(request) and (obj is None or not questionnaire_frozen(obj))


class AuthoringInline(admin.TabularInline):
    """Rows of a questionnaire: editable while it is a draft without responses."""

    extra = 0
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 30})}
    }

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_national(request)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return _editable(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return _editable(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return _editable(request, obj)


class ElementInline(AuthoringInline):
    model = Element
    fields = ("position", "code", "name_vi", "name_en")
    ordering = ("position",)


class CriterionInline(AuthoringInline):
    model = Criterion
    fk_name = "questionnaire"
    fields = (
        "position",
        "element",
        "code",
        "text_vi",
        "text_en",
        "required",
        "allows_not_applicable",
    )
    ordering = ("position",)
    verbose_name_plural = _("criteria (save new elements first, then choose them)")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "element":
            object_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Element.objects.filter(
                questionnaire_id=object_id or 0
            ).order_by("position")
            kwargs["label"] = capfirst(_("element"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class QuestionnaireForm(forms.ModelForm):
    class Meta:
        model = Questionnaire
        fields = ("code", "title_vi", "title_en", "scale", "asks_about_respondent")

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if Questionnaire.objects.filter(code=code).exists():
            raise forms.ValidationError(
                _(
                    "A questionnaire with this code exists: to change it, select a "
                    "version in the list and create a new draft version."
                )
            )
        return code


class QuestionnaireAdmin(NotFoundOutsideScope, admin.ModelAdmin):
    form = QuestionnaireForm
    list_display = (
        "code",
        "version",
        "title_vi",
        "status",
        "is_current",
        "criteria_count",
        "published_at",
    )
    list_filter = ("status", "is_current")
    search_fields = ("code", "title_vi", "title_en")
    inlines = (ElementInline, CriterionInline)
    actions = ("publish", "new_draft", "retire")
    readonly_fields = (
        "version",
        "status",
        "is_current",
        "published_at",
        "preview_link",
        "survey_link",
        "problems",
        "changes",
        "versions",
    )

    class Media:
        css = {"all": ("surveys/admin_questionnaires.css",)}

    # --- who may do what: national administrators, drafts only -------------------

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_national(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_national(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_national(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return _editable(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_national(request) and (obj is None or questionnaire_deletable(obj))

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        # The bulk action asks once for all rows: each row is asked again here.
        kept = [q for q in queryset if not questionnaire_deletable(q)]
        if kept:
            self.message_user(
                request,
                gettext(
                    "A questionnaire that is published or has responses cannot be "
                    "deleted (retire it instead): %(versions)s."
                )
                % {"versions": ", ".join(str(q) for q in kept)},
                messages.ERROR,
            )
        queryset.exclude(pk__in=[q.pk for q in kept]).delete()

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(_criteria=Count("criteria"))

    def get_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return ("code", "title_vi", "title_en", "scale", "asks_about_respondent")
        return (
            "code",
            "version",
            "status",
            "is_current",
            "published_at",
            "title_vi",
            "title_en",
            "scale",
            "asks_about_respondent",
            "preview_link",
            "survey_link",
            "problems",
            "changes",
            "versions",
        )

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return ()
        return ("code", *self.readonly_fields)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        return {"scale": DEFAULT_SCALE, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj: Questionnaire, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = questionnaire_draft_create(
            code=obj.code,
            title_vi=obj.title_vi,
            title_en=obj.title_en,
            scale=obj.scale,
            asks_about_respondent=obj.asks_about_respondent,
        )
        obj.pk, obj.version, obj.status = created.pk, created.version, created.status
        obj._state.adding = False

    # --- what a page shows ----------------------------------------------------------

    @admin.display(description=_("criteria"), ordering="_criteria")
    def criteria_count(self, obj: Questionnaire) -> int:
        return obj._criteria

    @admin.display(description=_("preview"))
    def preview_link(self, obj: Questionnaire) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:surveys_questionnaire_preview", args=[obj.pk]),
            _("See the survey page as citizens will see it"),
        )

    @admin.display(description=_("survey link"))
    def survey_link(self, obj: Questionnaire) -> str:
        if not obj.is_current:
            return gettext(
                "None: only the current version of a questionnaire is served."
            )
        agency = gettext("agency-code")
        if obj.code == DEFAULT_QUESTIONNAIRE:
            return f"/s/{agency}/"
        return f"/s/{agency}/q/{obj.code}/"

    @admin.display(description=_("before publishing"))
    def problems(self, obj: Questionnaire) -> str:
        if obj.status != Questionnaire.Status.DRAFT:
            return "-"
        found = questionnaire_problems(obj)
        if not found:
            return gettext("Ready to publish (at most %(limit)d criteria).") % {
                "limit": criteria_limit()
            }
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((p,) for p in found))
        )

    @admin.display(description=_("changes from the previous version"))
    def changes(self, obj: Questionnaire) -> str:
        diff = selectors.questionnaire_changes(obj)
        if diff is None:
            return gettext("First version.")
        rows = [
            (label, ", ".join(diff[key]) or "-")
            for key, label in (
                ("added", gettext("criteria added")),
                ("removed", gettext("criteria removed")),
                ("reworded", gettext("criteria reworded")),
                ("changed", gettext("required or “does not apply” changed")),
            )
        ]
        return format_html(
            "<p>{}</p><ul>{}</ul>",
            gettext("Compared with version %(version)d.")
            % {"version": diff["previous"].version},
            format_html_join("", "<li>{}: {}</li>", rows),
        )

    @admin.display(description=_("versions"))
    def versions(self, obj: Questionnaire) -> str:
        rows = []
        for version in Questionnaire.objects.filter(code=obj.code).order_by("-version"):
            diff = selectors.questionnaire_changes(version)
            summary = (
                gettext("first version")
                if diff is None
                else gettext(
                    "%(added)d added, %(removed)d removed, %(reworded)d reworded"
                )
                % {k: len(diff[k]) for k in ("added", "removed", "reworded")}
            )
            rows.append(
                (
                    reverse("admin:surveys_questionnaire_change", args=[version.pk]),
                    str(version),
                    version.get_status_display(),
                    summary,
                )
            )
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", '<li><a href="{}">{}</a> ({}): {}</li>', rows),
        )

    # --- actions: each calls one service -------------------------------------------

    def _each(self, request, queryset, service, done: str) -> None:
        for questionnaire in queryset:
            try:
                result = service(questionnaire=questionnaire)
            except QuestionnaireRefused as refused:
                which = gettext("Version %(version)d of %(code)s") % {
                    "version": questionnaire.version,
                    "code": questionnaire.code,
                }
                self.message_user(
                    request, f"{which}: {' '.join(refused.problems)}", messages.ERROR
                )
            else:
                self.message_user(
                    request,
                    done % {"version": result.version, "code": result.code},
                    messages.SUCCESS,
                )

    @admin.action(description=_("Publish the selected drafts"))
    def publish(self, request, queryset) -> None:
        self._each(
            request,
            queryset,
            questionnaire_publish,
            gettext(
                "Version %(version)d of %(code)s is published and is now the current "
                "version."
            ),
        )

    @admin.action(description=_("Create a new draft version"))
    def new_draft(self, request, queryset) -> None:
        self._each(
            request,
            queryset,
            questionnaire_new_draft,
            gettext("Version %(version)d of %(code)s was created as a draft."),
        )

    @admin.action(description=_("Retire the selected versions (no new responses)"))
    def retire(self, request, queryset) -> None:
        self._each(
            request,
            queryset,
            questionnaire_retire,
            gettext(
                "Version %(version)d of %(code)s is retired: it takes no new responses."
            ),
        )

    # --- the preview --------------------------------------------------------------

    def get_urls(self):
        return [*admin_urls.questionnaire_urls(self), *super().get_urls()]

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not is_national(request):
            raise Http404
        questionnaire = Questionnaire.objects.filter(pk=pk).first()
        if questionnaire is None:
            raise Http404
        agency = Agency.objects.filter(active=True).order_by("code").first()
        return survey_preview(
            request,
            questionnaire=questionnaire,
            agency=agency or Agency(code="preview", name_vi="—"),
            action=request.path,
        )


admin.site.register(Questionnaire, QuestionnaireAdmin)
