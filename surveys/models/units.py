"""The units people rate: regions, provinces of both maps, agencies, and the
procedures citizens go through."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BilingualName(models.Model):
    """A name in Vietnamese and English, shown in the active language."""

    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "vi").startswith("en") and self.name_en:
            return self.name_en
        return self.name_vi


class Region(BilingualName):
    """One of the six socio-economic regions provinces are ranked within."""

    id = models.AutoField(primary_key=True)
    code = models.CharField(_("code"), max_length=16, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class Province(BilingualName):
    """A provincial unit in one administrative map.

    The 63 units of the 2008 map and the 34 of the 2025 map are separate rows, even
    where name and code did not change: figures stay attached to the unit that
    existed when they were collected, and `successor` carries them to the 2025 map.
    """

    class Map(models.IntegerChoices):
        MAP_2008 = 2008, _("2008–2025 (63 units)")
        MAP_2025 = 2025, _("from 1 July 2025 (34 units)")

    class Kind(models.TextChoices):
        PROVINCE = "province", _("province")
        CITY = "city", _("centrally run city")

    id = models.AutoField(primary_key=True)
    map = models.PositiveSmallIntegerField(_("map"), choices=Map.choices)
    code = models.CharField(_("statistical code"), max_length=8)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="provinces",
        null=True,
        blank=True,
    )
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor in the 2025 map"),
        on_delete=models.PROTECT,
        related_name="predecessors",
        null=True,
        blank=True,
        limit_choices_to={"map": Map.MAP_2025},
    )

    class Meta:
        ordering = ["map", "code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        constraints = [
            models.UniqueConstraint(fields=["map", "code"], name="province_map_code")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.map})"

    @property
    def in_2025_map(self) -> Province:
        return self if self.map == self.Map.MAP_2025 else self.successor


MAP_2025_STARTS = "2025-07-01"


class Agency(BilingualName):
    """An agency citizens deal with; agencies form a tree under ministries or
    provinces, and each belongs to at most one province."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("ministry or central agency")
        DEPARTMENT = "department", _("provincial department")
        SERVICE_CENTRE = "centre", _("public administrative service centre")
        DISTRICT = "district", _("district (until 2025)")
        COMMUNE = "commune", _("commune")

    id = models.AutoField(primary_key=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
    )
    province = models.ForeignKey(
        Province,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="agencies",
        null=True,
        blank=True,
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")


class Procedure(BilingualName):
    """An administrative procedure with its national code and legal time limit."""

    id = models.AutoField(primary_key=True)
    code = models.CharField(_("national code"), max_length=32, unique=True)
    field = models.CharField(_("field"), max_length=120)
    time_limit_days = models.PositiveSmallIntegerField(_("legal time limit (days)"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("administrative procedure")
        verbose_name_plural = _("administrative procedures")
