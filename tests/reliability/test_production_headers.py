"""Production settings in a fresh process (PRODUCTION=1): HTTPS only, security
headers on every answer, session and CSRF cookies secure and HTTP-only where
they can be."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
django.setup()
from django.test import Client
c = Client()
plain = c.get("/healthz")
page = c.get("/s/14-centre/", secure=True, HTTP_HOST="sipas.example.gov.vn")
api = c.get("/api/v1/questionnaires/sipas-service/", secure=True,
            HTTP_HOST="sipas.example.gov.vn")
cookie = page.cookies.get("csrftoken")
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location", "")],
    "page": page.status_code,
    "headers": {k: page.get(k) for k in ("Strict-Transport-Security",
        "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy",
        "Cross-Origin-Opener-Policy")},
    "api_headers": {k: api.get(k) for k in ("Strict-Transport-Security",
        "X-Content-Type-Options", "X-Frame-Options")},
    "csrf_cookie": {"secure": bool(cookie and cookie["secure"]),
                    "samesite": cookie["samesite"] if cookie else None},
}))
from django.conf import settings as s
print(json.dumps([s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,
                  s.CSRF_COOKIE_SECURE, s.DEBUG]))
"""


@pytest.mark.django_db
def test_production_answers_carry_the_security_headers_and_secure_cookies():
    db = connection.settings_dict
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PRODUCTION": "1",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "HASH_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "sipas.example.gov.vn,testserver",
        # The test database, where the reference data is committed.
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report, flags = (json.loads(line) for line in result.stdout.splitlines()[-2:])
    # Plain HTTP is sent to HTTPS.
    assert report["plain"][0] == 301
    assert report["plain"][1].startswith("https://")
    assert report["page"] == 200
    for headers in (report["headers"], report["api_headers"]):
        assert "max-age=31536000" in headers["Strict-Transport-Security"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
    assert report["headers"]["Referrer-Policy"] == "same-origin"
    assert report["headers"]["Cross-Origin-Opener-Policy"] == "same-origin"
    assert report["csrf_cookie"]["secure"]
    assert flags == [True, True, True, False]
