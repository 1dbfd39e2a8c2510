"""The JSON parser of the API. DRF's own lets two hostile bodies through: deeply
nested JSON raised RecursionError (a 500), and an object naming a key twice kept
the last value silently, so `{"ACCESS_1": 5, "ACCESS_1": 1}` was read as 1. Both
are refused here with a 400 that says why."""

from __future__ import annotations

import codecs
import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _object_without_duplicates(pairs: list[tuple[str, object]]) -> dict:
    result: dict = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKey(key)
        result[key] = value
    return result


def _refuse_constant(name: str):
    raise ParseError(_("%(name)s is not a JSON value.") % {"name": name})


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
        except UnicodeDecodeError as error:
            raise ParseError(
                _("The body is not valid %(encoding)s text (byte %(position)d).")
                % {"encoding": encoding.upper(), "position": error.start}
            ) from None
        try:
            return json.loads(
                text,
                object_pairs_hook=_object_without_duplicates,
                parse_constant=_refuse_constant,
            )
        except RecursionError:
            raise ParseError(_("The JSON is nested too deeply.")) from None
        except DuplicateKey as error:
            raise ParseError(
                _("The key %(key)s appears twice in one object.")
                % {"key": json.dumps(error.key[:100], ensure_ascii=False)}
            ) from None
        except ValueError as error:
            message = _("JSON parse error: %(error)s") % {"error": error}
            raise ParseError(message) from None
