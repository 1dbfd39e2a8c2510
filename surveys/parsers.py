"""The JSON parser of the API. DRF's own lets hostile bodies through: deeply
nested JSON raised RecursionError (a 500), an object naming a key twice kept the
last value silently, so `{"ACCESS_1": 5, "ACCESS_1": 1}` was read as 1, and the
body was decoded with whatever Python codec the Content-Type's charset named
(bz2, zlib, base64: surveys/charset.py). Bodies are read as UTF-8 only, a BOM
allowed; another charset is a 415, the rest a 400 that says why."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.parsers import JSONParser

from surveys.charset import charset_acceptable


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
        params = _media_params(media_type or "")
        if not charset_acceptable(params):
            raise UnsupportedMediaType(
                media_type,
                detail=_(
                    "Send the body encoded as UTF-8; other character sets are refused."
                ),
            )
        data = stream.read() if stream is not None else b""
        try:
            # utf-8-sig: UTF-8, with or without a byte order mark.
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ParseError(
                _("The body is not valid %(encoding)s text (byte %(position)d).")
                % {"encoding": "UTF-8", "position": error.start}
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


def _media_params(media_type: str) -> dict[str, str]:
    """The parameters of a Content-Type, lower-cased names."""
    params = {}
    for part in media_type.split(";")[1:]:
        name, _sep, value = part.partition("=")
        params[name.strip().lower()] = value.strip()
    return params
