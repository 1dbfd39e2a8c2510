"""`refresh_indicators`: the pipeline without Celery."""

from __future__ import annotations

import re

import pytest

from .engine.helpers import respond, rollup_rows

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_refresh_command_folds_and_rebuilds_without_celery(son_la_centre):
    from io import StringIO

    from django.core.management import call_command
    from django.utils import translation

    respond(son_la_centre, "2023-07-07", "4" * 23)
    out = StringIO()
    with translation.override("en"):
        call_command("refresh_indicators", stdout=out)
    assert "Folded 1 new responses and reviews" in out.getvalue()
    folded = rollup_rows()
    with translation.override("vi"):
        call_command("refresh_indicators", "--full", stdout=out)
    assert re.search(
        r"Đã tính lại chỉ số của \d tỉnh, thành phố, 1 vùng, cả nước và 1 cơ quan"
        r" từ 1 phiếu khảo sát trong \d+ giây\.",
        out.getvalue(),
    )
    assert rollup_rows() == folded
