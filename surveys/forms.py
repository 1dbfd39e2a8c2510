"""The survey page form. It checks only the shape of what came back; the rules of
a response (required criteria, the scale, lengths) are the service's, and their
messages are put back beside the field they concern."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.forms.utils import ErrorDict
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from surveys.intake import HONEYPOT_FIELD, started_token
from surveys.models import (
    AgeBand,
    Channel,
    Education,
    Gender,
    Occupation,
    Procedure,
    Questionnaire,
    RespondentType,
)
from surveys.selectors import questionnaire_layout, scale_labels

PROFILE_FIELDS = {
    "respondent_type": (_("You are"), RespondentType),
    "gender": (_("Gender"), Gender),
    "age_band": (_("Age"), AgeBand),
    "education": (_("Education"), Education),
    "occupation": (_("Occupation"), Occupation),
}


def criterion_field_name(code: str) -> str:
    return f"q-{code}"


def sentence_case(choices) -> list[tuple]:
    """Options read as sentences, as on the official questionnaire: the labels
    stay lower case in the models, where they also appear mid-sentence."""
    return [(value, capfirst(label)) for value, label in choices]


class SurveyForm(forms.Form):
    uid = forms.UUIDField(widget=forms.HiddenInput)
    started = forms.CharField(widget=forms.HiddenInput, required=False)
    suggestion = forms.CharField(
        label=_("Your suggestions to the agency (optional)"),
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(
        self,
        *args,
        questionnaire: Questionnaire,
        ask_channel: bool = False,
        ask_procedure: bool = False,
        **kwargs,
    ):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("uid", uuid.uuid4())
        initial.setdefault("started", started_token())
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        self.scale = scale_labels(questionnaire, get_language())
        self.layout = questionnaire_layout(questionnaire)
        values = [(str(item["value"]), item["label"]) for item in self.scale]
        levels = [value for value in values if value[0] != "0"]
        for _element, criteria in self.layout:
            for criterion in criteria:
                self.fields[criterion_field_name(criterion.code)] = (
                    forms.TypedChoiceField(
                        label=criterion.text,
                        choices=values if criterion.allows_not_applicable else levels,
                        coerce=int,
                        empty_value=None,
                        required=False,
                        widget=forms.RadioSelect,
                    )
                )
        # Visually hidden and out of the tab order: people never fill it in.
        self.fields[HONEYPOT_FIELD] = forms.CharField(
            required=False,
            label=_("Leave this field empty"),
            widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
        )
        limit = settings.SURVEY_SUGGESTION_MAX_LENGTH
        self.fields["suggestion"].widget.attrs.update(
            {"maxlength": str(limit), "aria-describedby": "suggestion-hint"}
        )
        self.suggestion_limit = limit
        asked = PROFILE_FIELDS if questionnaire.asks_about_respondent else {}
        for name, (label, choices) in asked.items():
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                choices=sentence_case(choices.choices),
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )
        self.ask_channel = ask_channel
        self.ask_procedure = ask_procedure
        if ask_channel:
            self.fields["channel"] = forms.TypedChoiceField(
                label=_("How did you submit your dossier?"),
                choices=sentence_case(Channel.choices),
                coerce=int,
                initial=Channel.IN_PERSON,
                widget=forms.RadioSelect,
            )
        if ask_procedure:
            self.fields["procedure"] = forms.ModelChoiceField(
                label=_("Which procedure was it? (optional)"),
                queryset=Procedure.objects.all(),
                required=False,
                to_field_name="code",
                empty_label=_("— not sure —"),
            )

    def answers(self) -> dict[str, int | None]:
        return {
            criterion.code: self.cleaned_data.get(criterion_field_name(criterion.code))
            for _element, criteria in self.layout
            for criterion in criteria
        }

    def profile(self) -> dict[str, int | None]:
        return {name: self.cleaned_data.get(name) for name in PROFILE_FIELDS}

    def add_service_errors(self, errors: dict) -> None:
        for code, messages in errors.get("answers", {}).items():
            name = criterion_field_name(code)
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        for name, messages in errors.items():
            if name == "answers":
                continue
            for message in messages:
                self.add_error(name if name in self.fields else None, message)

    def hold_errors(self) -> None:
        """Show the answers sent without judging them (a language switch is not a
        submission: nothing is missing yet)."""
        self._errors = ErrorDict()
        self.cleaned_data = {}

    def sections(self) -> list[dict]:
        """What the template draws: each element with its criteria, each with the
        value chosen so far and its errors."""
        sections = []
        for number, (element, criteria) in enumerate(self.layout, start=1):
            items = []
            for criterion in criteria:
                bound = self[criterion_field_name(criterion.code)]
                value = bound.value()
                items.append(
                    {
                        "code": criterion.code,
                        "name": bound.html_name,
                        "text": criterion.text,
                        "required": criterion.required,
                        "not_applicable": criterion.allows_not_applicable,
                        "value": "" if value in (None, "") else str(value),
                        "errors": bound.errors,
                    }
                )
            sections.append(
                {
                    "element": element,
                    "number": number,
                    "total": len(self.layout),
                    "criteria": items,
                }
            )
        return sections

    def error_links(self) -> tuple[int, list[dict]]:
        """The error summary: how many questions are unanswered, and one link per
        question in error, to its first choice, in the order of the page. Marks
        the widgets of fields in error (aria-invalid, aria-describedby)."""
        missing, links = 0, []
        for section in self.sections():
            for item in section["criteria"]:
                if not item["errors"]:
                    continue
                unanswered = item["value"] == ""
                missing += unanswered
                text = item["text"]
                if not unanswered:
                    text = f"{text}: {' '.join(item['errors'])}"
                links.append({"href": f"#{item['name']}-1", "text": text})
        for name in ("channel", "procedure", *PROFILE_FIELDS, "suggestion"):
            if name in self.fields and self[name].errors:
                bound = self[name]
                # Tie the field to its message, as the criteria are in the template.
                attrs = bound.field.widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = " ".join(
                    filter(None, [attrs.get("aria-describedby"), f"error-{name}"])
                )
                radios = isinstance(bound.field.widget, forms.RadioSelect)
                links.append(
                    {
                        "href": f"#{bound.auto_id}{'_0' if radios else ''}",
                        "text": f"{bound.label}: {' '.join(bound.errors)}",
                    }
                )
        # Anything else (a damaged hidden field, a rule of the whole response):
        # said at the top, so that a refused page never looks accepted.
        shown = {criterion_field_name(c.code) for _e, cs in self.layout for c in cs}
        shown |= {"channel", "procedure", *PROFILE_FIELDS, "suggestion"}
        for name, messages in self.errors.items():
            if name not in shown:
                links.extend({"href": "#survey", "text": m} for m in messages)
        return missing, links

    def profile_fields(self) -> list:
        return [self[name] for name in PROFILE_FIELDS if name in self.fields]
