from __future__ import annotations

import uuid

import pytest
from django.db import connection


@pytest.mark.django_db(transaction=True)
def test_a_database_outage_answers_503_with_retry_after_never_500(client):
    saved = dict(connection.settings_dict)
    connection.close()
    # Nothing listens on this port: every query fails as in an outage.
    connection.settings_dict["PORT"] = "5439"
    try:
        api = client.post(
            "/api/v1/responses/",
            {
                "uid": str(uuid.uuid4()),
                "questionnaire": "sipas-service",
                "agency": "14-centre",
                "channel": "online",
                "answers": {"ACCESS_1": 5},
            },
            content_type="application/json",
        )
        client.cookies["django_language"] = "en"
        page = client.get("/s/14-centre/")
    finally:
        connection.close()
        connection.settings_dict.update(saved)
    assert api.status_code == 503
    assert int(api["Retry-After"]) > 0
    assert "chưa lưu gì" in api.json()["detail"]  # Vietnamese: nothing was stored
    assert page.status_code == 503
    assert int(page["Retry-After"]) > 0
    assert "try again" in page.content.decode()
