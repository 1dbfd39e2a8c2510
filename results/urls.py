from __future__ import annotations

app_name = "results"
urlpatterns: list = []
