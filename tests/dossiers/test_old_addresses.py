"""The dossier admin's address from before dossiers had an app of their own still
leads there, a posted import included."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/surveys/dossier/", "/admin/dossiers/dossier/"),
        (
            "/admin/surveys/dossier/?status=resolved",
            "/admin/dossiers/dossier/?status=resolved",
        ),
        ("/admin/surveys/dossier/import/", "/admin/dossiers/dossier/import/"),
        ("/admin/surveys/dossier/7/change/", "/admin/dossiers/dossier/7/change/"),
    ],
)
def test_the_old_dossier_admin_address_leads_to_the_new_one(client, old, new):
    answer = client.get(old)
    assert answer.status_code == 308
    assert answer["Location"] == new


def test_an_import_posted_to_the_old_address_is_posted_again(client):
    answer = client.post("/admin/surveys/dossier/import/", {})
    # 308: the browser repeats the POST, with its file, at the new address.
    assert answer.status_code == 308
    assert answer["Location"] == "/admin/dossiers/dossier/import/"
