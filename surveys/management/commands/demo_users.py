from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from surveys.models import Official, Province

# Known passwords are for the demo only: the command refuses to run in production.
DEMO_USERS = {
    "admin": ("demo-admin-2025", {"role": Official.Role.NATIONAL}),
    "son-la": ("demo-official-2025", {"role": Official.Role.PROVINCE, "code": "14"}),
}


class Command(BaseCommand):
    help = "Create the demo's national administrator and a provincial official."

    def handle(self, *args, **options) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demo users are not created in production.")
        users = get_user_model()
        for username, (password, scope) in DEMO_USERS.items():
            user, _ = users.objects.get_or_create(
                username=username, defaults={"is_staff": True}
            )
            user.is_staff = True
            user.is_superuser = scope["role"] == Official.Role.NATIONAL
            user.set_password(password)
            user.save()
            province = None
            if "code" in scope:
                province = Province.objects.get(
                    map=Province.Map.MAP_2025, code=scope["code"]
                )
            Official.objects.update_or_create(
                user=user, defaults={"role": scope["role"], "province": province}
            )
