"""The web process as production runs it: gunicorn with `config/gunicorn.conf.py`
and production settings, alone and behind the proxy of `deploy/nginx.conf`."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings

from surveys.models import Channel, Response
from surveys.services import invitation_batch_create
from tests.surveys.helpers import api_payload

ROOT = Path(__file__).resolve().parent.parent
SECRET = "web-server-test-" + "k3Vn8Qx2Zp" * 5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The test database, for a server in another process."""
    s = connection.settings_dict
    if s["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the production web process runs on PostgreSQL")
    user = s["USER"] or "postgres"
    auth = f"{user}:{s['PASSWORD']}" if s["PASSWORD"] else user
    host, port = s["HOST"] or "127.0.0.1", s["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{s['NAME']}"


def production_env(static_root: Path, **extra: str) -> dict[str, str]:
    # gunicorn as configured, whatever the environment of the test run says.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "WEB_CONCURRENCY")
        and not k.startswith("GUNICORN_")
    }
    env.update(
        PRODUCTION="1",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="sipas.example.gov.vn,127.0.0.1",
        STATIC_ROOT=str(static_root),
        GUNICORN_ACCESS_LOG="",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.update(extra)
    return env


def wait_for(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited:\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the server did not listen:\n{log.read_text()[-3000:]}")


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    source: str = "127.0.0.1",
    **headers: str,
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=15, source_address=(source, 0)
    )
    base = {"Host": "sipas.example.gov.vn", "X-Forwarded-Proto": "https"}
    conn.request(method, path, body=body, headers={**base, **headers})
    answer = conn.getresponse()
    data = answer.read()
    conn.close()
    return answer.status, {k.lower(): v for k, v in answer.getheaders()}, data


def post_response(
    port: int, payload: dict, source: str, agent: str, **headers: str
) -> tuple[int, dict[str, str]]:
    """POST a survey response from `source` as the browser `agent`."""
    status, answer_headers, _ = request(
        port,
        "POST",
        "/api/v1/responses/",
        json.dumps(payload).encode(),
        source,
        **{"Content-Type": "application/json", "User-Agent": agent, **headers},
    )
    return status, answer_headers


@pytest.fixture(scope="module")
def static_root(tmp_path_factory) -> Path:
    """What the Docker image collects when it is built."""
    root = tmp_path_factory.mktemp("static")
    env = production_env(root, DATABASE_URL=database_url())
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    return root


@pytest.fixture
def web(static_root, tmp_path, request) -> Iterator[tuple[int, Path]]:
    """gunicorn as the Dockerfile starts it, on the test database; a test may
    add to its environment by parametrizing this fixture indirectly."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = production_env(
        static_root,
        DATABASE_URL=database_url(),
        SURVEY_TRUSTED_PROXIES="1",
        SURVEY_RATE_LIMIT="3",
        WEB_CONCURRENCY="2",
        **getattr(request, "param", {}),
    )
    process = subprocess.Popen(
        [
            sys.executable,
            *("-m", "gunicorn", "config.wsgi"),
            *("--config", "config/gunicorn.conf.py"),
            *("--bind", f"127.0.0.1:{port}"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(port, process, log)
        yield port, log
    finally:
        process.terminate()
        process.wait(timeout=30)


LOAD_BALANCER = "127.0.0.2"
PRIVATE_NETWORKS = (
    "    set_real_ip_from 10.0.0.0/8;\n"
    "    set_real_ip_from 172.16.0.0/12;\n"
    "    set_real_ip_from 192.168.0.0/16;\n"
)
PRIVATE_NETWORKS_GEO = (
    "    10.0.0.0/8     1;\n    172.16.0.0/12  1;\n    192.168.0.0/16 1;\n"
)


@pytest.fixture
def proxy(web, tmp_path) -> Iterator[int]:
    """nginx with the project's configuration, its upstream pointed at `web`;
    127.0.0.2 plays the load balancer in front (instead of the private
    networks), 127.0.0.1 a client connecting directly."""
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    web_port, _ = web
    port = free_port()
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "server web:8000;" in site and "listen 80;" in site
    assert PRIVATE_NETWORKS in site and PRIVATE_NETWORKS_GEO in site
    site = site.replace("server web:8000;", f"server 127.0.0.1:{web_port};")
    site = site.replace(PRIVATE_NETWORKS, f"    set_real_ip_from {LOAD_BALANCER};\n")
    site = site.replace(PRIVATE_NETWORKS_GEO, f"    {LOAD_BALANCER}/32 1;\n")
    site = site.replace(
        "access_log /var/log/nginx/access.log sipas;",
        f"access_log {tmp_path}/access.log sipas;",
    )
    (tmp_path / "site.conf").write_text(site.replace("listen 80;", f"listen {port};"))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; daemon off;\n"
        "events {}\n"
        "http { include /etc/nginx/mime.types;"
        f" access_log off; client_body_temp_path {tmp_path}/body;"
        f" proxy_temp_path {tmp_path}/proxy; include {tmp_path}/site.conf; }}\n"
    )
    log = tmp_path / "nginx.log"
    process = subprocess.Popen(
        [nginx, "-c", str(tmp_path / "nginx.conf")],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(port, process, log)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_the_web_process_serves_the_collected_static_files_with_sync_workers(web):
    port, log = web
    status, headers, body = request(port, "GET", "/static/surveys/site.css")
    assert status == 200
    assert headers["content-type"].startswith("text/css")
    assert body == (ROOT / "surveys" / "static" / "surveys" / "site.css").read_bytes()
    assert request(port, "GET", "/static/admin/css/base.css")[0] == 200
    assert request(port, "GET", "/static/surveys/nothing-here.css")[0] == 404
    assert request(port, "GET", "/healthz")[0] == 200
    assert "Using worker: sync" in log.read_text()


# As if nginx terminated TLS itself, so that clients connecting directly are
# served: the rate limit is what is under test.
@pytest.mark.parametrize("web", [{"SECURE_SSL_REDIRECT": "0"}], indirect=True)
@pytest.mark.django_db(transaction=True)
def test_behind_the_proxy_answers_are_stored_and_limited_per_real_client(
    proxy, questionnaire, son_la_centre
):
    """The limit (3 per client) counts the address nginx believes: a client
    connecting directly is one client whatever X-Forwarded-For it claims; behind
    the load balancer, each address the balancer reports is a client of its own."""
    agent = f"web-server-test/{uuid.uuid4()}"
    stored: list[str] = []

    def submit(source: str, forwarded_for: str) -> int:
        payload = api_payload(questionnaire, son_la_centre)
        status, _ = post_response(
            proxy, payload, source, agent, **{"X-Forwarded-For": forwarded_for}
        )
        if status == 201:
            stored.append(payload["uid"])
        return status

    cache.clear()  # the counters of earlier runs: the limit counts addresses
    direct = [submit("127.0.0.1", f"203.0.113.{n}") for n in range(1, 6)]
    assert direct == [201, 201, 201, 429, 429]
    # 127.0.0.1 claims the first citizen's address: nginx believes only the
    # load balancer, so this is still the direct client, over its limit.
    assert submit("127.0.0.1", "198.51.100.7") == 429
    behind = [submit(LOAD_BALANCER, "198.51.100.7") for _ in range(4)]
    assert behind == [201, 201, 201, 429]
    assert submit(LOAD_BALANCER, "198.51.100.8") == 201
    assert {str(u) for u in Response.objects.values_list("uid", flat=True)} == set(
        stored
    )
    assert len(stored) == 7

    status, _, body = request(proxy, "GET", "/static/surveys/site.css")
    assert status == 200
    assert body == (ROOT / "surveys" / "static" / "surveys" / "site.css").read_bytes()
    # A body over the survey's limit stops at the proxy, before any worker.
    too_big = request(
        proxy,
        "POST",
        "/api/v1/responses/",
        b"{" + b" " * 2_000_000 + b"}",
        **{"Content-Type": "application/json"},
    )
    assert too_big[0] == 413


@pytest.mark.django_db(transaction=True)
def test_only_the_load_balancer_is_believed_about_https(
    proxy, questionnaire, son_la_centre
):
    """Production redirects plain HTTP to HTTPS. A client connecting directly is
    redirected whatever X-Forwarded-Proto it claims, and nothing is stored; the
    load balancer's word is taken, both ways."""
    agent = f"web-server-test/{uuid.uuid4()}"

    def submit(source: str, proto: str) -> tuple[int, dict[str, str], str]:
        payload = api_payload(questionnaire, son_la_centre)
        headers = {"X-Forwarded-For": "198.51.100.9", "X-Forwarded-Proto": proto}
        status, answer = post_response(proxy, payload, source, agent, **headers)
        return status, answer, payload["uid"]

    status, headers, uid = submit("127.0.0.1", "https")
    assert status == 301
    assert headers["location"] == "https://sipas.example.gov.vn/api/v1/responses/"
    assert not Response.objects.filter(uid=uid).exists()
    assert submit(LOAD_BALANCER, "http")[0] == 301
    status, _, uid = submit(LOAD_BALANCER, "https")
    assert status == 201
    assert Response.objects.filter(uid=uid).exists()


def server_invitation(agency, user) -> str:
    """An invitation the server takes: signed with its key."""
    with override_settings(SECRET_KEY=SECRET):
        _batch, tokens = invitation_batch_create(
            agency=agency, procedure=None, channel=Channel.POST, count=1, user=user
        )
    return tokens[0]


def visit_invitation(port: int, token: str) -> list[int]:
    """The page of the invitation, an expired-looking link, and the stylesheet
    with the page as Referer, as a browser fetches them."""
    page = f"https://sipas.example.gov.vn/s/i/{token}/"
    return [
        request(port, "GET", f"/s/i/{token}/")[0],
        request(port, "GET", f"/s/i/{token}x/?lang=vi")[0],
        request(port, "GET", "/static/surveys/site.css", Referer=page)[0],
    ]


@pytest.mark.parametrize(
    "web", [{"GUNICORN_ACCESS_LOG": "-", "SECURE_SSL_REDIRECT": "0"}], indirect=True
)
@pytest.mark.django_db(transaction=True)
def test_gunicorns_access_log_never_holds_an_invitation_token(
    web, son_la_centre, national_admin
):
    port, log = web
    token = server_invitation(son_la_centre, national_admin)
    assert visit_invitation(port, token) == [200, 404, 200]
    time.sleep(0.5)  # the access log is written after the answer
    text = log.read_text()
    assert token not in text and token[:20] not in text
    assert text.count("/s/i/***/") >= 3  # request lines and the Referer
    assert "Not Found: /s/i/***/" in text  # Django's own record of the 404


@pytest.mark.parametrize("web", [{"SECURE_SSL_REDIRECT": "0"}], indirect=True)
@pytest.mark.django_db(transaction=True)
def test_nginxs_access_log_never_holds_an_invitation_token(
    proxy, tmp_path, son_la_centre, national_admin
):
    token = server_invitation(son_la_centre, national_admin)
    assert visit_invitation(proxy, token) == [200, 404, 200]
    time.sleep(0.5)
    text = (tmp_path / "access.log").read_text()
    assert token not in text and token[:20] not in text
    assert text.count("/s/i/***/") == 3, text  # two request lines, one Referer
    assert "/static/surveys/site.css" in text
