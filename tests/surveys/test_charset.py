"""Bodies are read as UTF-8 only: a charset naming any Python codec (the audit's
bz2, zlib, base64, hex, rot13) is a 415, never decoded, never a 500."""

from __future__ import annotations

import base64
import bz2
import codecs
import json
import zlib

import pytest
from django.core.exceptions import BadRequest

from config.views import bad_request
from surveys.models import Response

URL = "/api/v1/responses/"

pytestmark = pytest.mark.usefixtures("roomy_rate_limit")


def post_raw(client, path: str, body: bytes, content_type: str):
    """The body as sent: the test client's post() would re-encode it."""
    return client.generic(
        "POST", path, body, content_type=content_type, HTTP_ACCEPT_LANGUAGE="en"
    )


def encoded(name: str, text: str) -> bytes:
    raw = text.encode()
    return {
        "bz2": lambda: bz2.compress(raw),
        "zlib": lambda: zlib.compress(raw),
        "base64": lambda: base64.b64encode(raw),
        "hex": lambda: raw.hex().encode(),
        "rot13": lambda: codecs.encode(text, "rot13").encode(),
        "latin-1": lambda: text.encode("latin-1", errors="replace"),
        "utf-16": lambda: text.encode("utf-16"),
        "utf-7": lambda: text.encode("utf-7"),
    }[name]()


CODECS = ["bz2", "zlib", "base64", "hex", "rot13", "latin-1", "utf-16", "utf-7"]


@pytest.mark.parametrize("charset", CODECS)
def test_a_json_body_in_another_charset_is_a_415_in_json_and_stores_nothing(
    client, valid, charset
):
    result = post_raw(
        client,
        URL,
        encoded(charset, json.dumps(valid)),
        f"application/json; charset={charset}",
    )
    assert result.status_code == 415
    assert result["Content-Type"].startswith("application/json")
    assert "UTF-8" in result.json()["detail"]
    assert not Response.objects.exists()


def test_a_bomb_compressed_with_bz2_is_refused_without_being_inflated(client, valid):
    bomb = bz2.compress(b" " * 50_000_000 + b"{}")
    assert len(bomb) < 2000
    result = post_raw(client, URL, bomb, "application/json; charset=bz2")
    assert result.status_code == 415


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "application/json; charset=UTF-8",
        'application/json; charset="utf-8"',
        "application/json;charset=utf8",
    ],
)
def test_utf8_under_any_of_its_names_is_accepted(client, valid, content_type):
    result = client.post(URL, json.dumps(valid), content_type=content_type)
    assert result.status_code == 201, result.content


def test_a_json_body_with_a_byte_order_mark_is_read_as_utf8(client, valid):
    body = codecs.BOM_UTF8 + json.dumps(valid, ensure_ascii=False).encode()
    result = post_raw(client, URL, body, "application/json")
    assert result.status_code == 201, result.content
    stored = Response.objects.get(uid=valid["uid"])
    assert stored.suggestion == valid["suggestion"]


@pytest.mark.parametrize("charset", ["rot13", "bz2", "latin-1", "utf-16"])
@pytest.mark.parametrize("path", ["/s/14-centre/", "/admin/login/"])
def test_a_form_post_in_another_charset_is_a_415_page_not_a_500(
    client, son_la_centre, path, charset
):
    result = post_raw(
        client,
        path,
        b"username=a&password=b&uid=x",
        f"application/x-www-form-urlencoded; charset={charset}",
    )
    assert result.status_code == 415
    assert result["Content-Type"].startswith("text/html")
    assert "UTF-8" in result.content.decode()
    assert not Response.objects.exists()


def test_a_multipart_post_in_another_charset_is_a_415(client, son_la_centre):
    result = post_raw(
        client,
        "/s/14-centre/",
        b'--x\r\nContent-Disposition: form-data; name="uid"\r\n\r\n1\r\n--x--\r\n',
        "multipart/form-data; boundary=x; charset=rot13",
    )
    assert result.status_code == 415


def test_the_400_page_is_drawn_when_the_body_itself_cannot_be_read(rf):
    """Django raises BadRequest for a form body it will not decode; the handler
    drew its page by reading the body again, and that raised inside it."""
    request = rf.post(
        "/s/14-centre/",
        b"a=1",
        content_type="application/x-www-form-urlencoded; charset=latin-1",
    )
    with pytest.raises(BadRequest):
        request.POST  # noqa: B018 - what the view's middleware met first
    page = bad_request(request, BadRequest("not UTF-8"))
    assert page.status_code == 400
    assert request.POST == {}
