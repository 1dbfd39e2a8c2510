from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from surveys.models import Agency, Channel, InvitationBatch, Official, Province
from surveys.services.invitations import invitation_batch_create

SURVEY_AGENCY = "14-centre"
# Known passwords are for the demo only: the command refuses to run in production.
DEMO_USERS = {
    "admin": ("demo-admin-2025", {"role": Official.Role.NATIONAL}),
    "son-la": ("demo-official-2025", {"role": Official.Role.PROVINCE, "code": "14"}),
    "son-la-centre": (
        "demo-agency-2025",
        {"role": Official.Role.AGENCY, "agency": SURVEY_AGENCY},
    ),
}


class Command(BaseCommand):
    help = (
        "Create the demo's national administrator, provincial official (Sơn La) and "
        "agency official, and print the survey address and their logins."
    )

    def handle(self, *args, **options) -> None:
        if settings.PRODUCTION:
            raise CommandError(_("Demo users are not created in production."))
        users = get_user_model()
        for username, (password, scope) in DEMO_USERS.items():
            user, _created = users.objects.get_or_create(
                username=username, defaults={"is_staff": True}
            )
            user.is_staff = True
            user.is_superuser = scope["role"] == Official.Role.NATIONAL
            user.set_password(password)
            user.save()
            province = agency = None
            if "code" in scope:
                province = Province.objects.get(
                    map=Province.Map.MAP_2025, code=scope["code"]
                )
            if "agency" in scope:
                agency = Agency.objects.get(code=scope["agency"])
            Official.objects.update_or_create(
                user=user,
                defaults={
                    "role": scope["role"],
                    "province": province,
                    "agency": agency,
                },
            )
        agency = Agency.objects.get(code=SURVEY_AGENCY)
        if not InvitationBatch.objects.filter(agency=agency).exists():
            # A batch as the centre would print after online dossiers; its tokens
            # are not kept (they exist only when issued).
            invitation_batch_create(
                agency=agency,
                procedure=None,
                channel=Channel.ONLINE,
                count=50,
                user=users.objects.get(username="admin"),
            )
        if options["verbosity"] > 0:
            self._print_logins()

    def _print_logins(self) -> None:
        site = settings.SITE_URL
        roles = {
            "admin": _("national administrator"),
            "son-la": _("provincial official (Sơn La)"),
            "son-la-centre": _("agency official (Sơn La centre)"),
        }
        lines = [
            "",
            _("Citizen survey: %(url)s") % {"url": f"{site}/s/{SURVEY_AGENCY}/"},
            _("Officials' admin: %(url)s") % {"url": f"{site}/admin/"},
        ]
        for username, (password, _scope) in DEMO_USERS.items():
            lines.append(
                "  "
                + _("%(role)s: user %(user)s, password %(password)s")
                % {"role": roles[username], "user": username, "password": password}
            )
        self.stdout.write("\n".join(lines) + "\n")
