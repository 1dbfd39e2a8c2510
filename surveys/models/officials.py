"""Who sees what (officials' roles and scope), and the addresses many honest
citizens answer from."""

from __future__ import annotations

import contextlib
import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from surveys.models.units import Agency, Province


class Official(models.Model):
    """What a staff member is responsible for; scoping reads only this.

    A national administrator sees everything; a provincial official sees a province
    (a 2025 unit brings its predecessors), its agencies and their figures; an agency
    official sees one agency.
    """

    class Role(models.TextChoices):
        NATIONAL = "national", _("national administrator")
        PROVINCE = "province", _("provincial official")
        AGENCY = "agency", _("agency official")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="official",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    province = models.ForeignKey(
        Province,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("official")
        verbose_name_plural = _("officials")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role="national", province=None, agency=None)
                    | models.Q(role="province", province__isnull=False, agency=None)
                    | models.Q(role="agency", agency__isnull=False, province=None)
                ),
                name="official_scope_matches_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


def validate_network(value: str) -> None:
    try:
        ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        raise ValidationError(
            _("Give an address (203.0.113.7) or a network (203.0.113.0/28).")
        ) from None


class KnownAddress(models.Model):
    """An address or network from which many honest citizens answer one agency:
    its kiosk, its counter's tablet, its service centre's Wi-Fi. Responses to that
    agency from there get the registration's own quota instead of the ordinary
    one per address, and are not flagged for repeating the same answers."""

    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.CASCADE,
        related_name="known_addresses",
    )
    network = models.CharField(
        _("address or network"),
        max_length=49,
        validators=[validate_network],
        help_text=_("One address (203.0.113.7) or a network (203.0.113.0/28)."),
    )
    label = models.CharField(_("description"), max_length=200, blank=True)
    quota = models.PositiveIntegerField(
        _("responses allowed per window"),
        default=200,
        help_text=_("How many responses this address may send in each window."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("known address")
        verbose_name_plural = _("known addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "network"], name="known_address_per_agency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.network} ({self.label})" if self.label else self.network

    def clean(self) -> None:
        # A value that is no network stays as typed: the field's validator says why.
        with contextlib.suppress(ValueError):
            self.network = str(ipaddress.ip_network(self.network.strip(), strict=False))
