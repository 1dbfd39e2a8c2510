"""Every response carries the Content-Security-Policy: scripts, styles and the
rest from this site only, nothing inline without a nonce, no framing."""

from __future__ import annotations

import pytest
from django.urls import reverse


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
        for part in (p.strip() for p in header.split(";"))
        if part
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/", "/s/14-centre/", "/s/no-such-agency/", "/admin/login/", "/api/v1/docs/"],
)
def test_every_page_forbids_inline_code_foreign_resources_and_framing(client, path):
    directives = policy(client.get(path))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    for kind in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in directives[kind]
        assert "'unsafe-eval'" not in directives[kind]
        assert directives[kind].startswith("'self'")


@pytest.mark.django_db
def test_the_api_answers_with_the_policy_too(client):
    response = client.get(reverse("indicator-list"))
    assert response.status_code in (401, 403)
    assert policy(response)["default-src"] == "'self'"


@pytest.mark.django_db
def test_the_api_docs_load_their_start_up_script_from_the_site(client):
    page = client.get("/api/v1/docs/").content.decode()
    assert "<style" not in page
    assert '<script src="/api/v1/docs/?script="' in page
    script = client.get("/api/v1/docs/", {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
