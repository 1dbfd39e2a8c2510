"""Which units a staff member may see. Every list, page, export, chart and API
endpoint that shows data narrows its queryset through these functions, so that
scoping is decided in this one place."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from surveys.models import Agency, Official, Province


@dataclass(frozen=True)
class Scope:
    """The units one user may see: `everything`, or sets of province and agency ids.

    `province_ids` holds provinces of both maps (a 2025 unit brings its
    predecessors); `agency_ids` holds every agency the user may see, including
    those of the provinces.
    """

    everything: bool
    province_ids: frozenset[int] = frozenset()
    agency_ids: frozenset[int] = frozenset()

    @property
    def empty(self) -> bool:
        return not self.everything and not self.province_ids and not self.agency_ids


NOTHING = Scope(everything=False)


def scope_for(user) -> Scope:
    """The scope of a user: nothing for anonymous users and staff without a role."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return Scope(everything=True)
    official = Official.objects.filter(user=user).select_related("province").first()
    if official is None:
        return NOTHING
    if official.role == Official.Role.NATIONAL:
        return Scope(everything=True)
    if official.role == Official.Role.AGENCY:
        return Scope(everything=False, agency_ids=frozenset({official.agency_id}))
    province = official.province
    province_ids = {province.id}
    if province.map == Province.Map.MAP_2025:
        province_ids |= set(province.predecessors.values_list("id", flat=True))
    agency_ids = Agency.objects.filter(province_id__in=province_ids).values_list(
        "id", flat=True
    )
    return Scope(
        everything=False,
        province_ids=frozenset(province_ids),
        agency_ids=frozenset(agency_ids),
    )


def scope_filter(
    queryset: QuerySet,
    scope: Scope,
    *,
    agency_field: str | None = None,
    province_field: str | None = None,
) -> QuerySet:
    """Narrow a queryset to a scope, through the fields that name its unit.

    A row is visible when its agency is in scope, or when it names a province in
    scope (province-level figures have no agency).
    """
    if scope.everything:
        return queryset
    condition = Q(pk__in=[])
    if agency_field and scope.agency_ids:
        condition |= Q(**{f"{agency_field}__in": scope.agency_ids})
    if province_field and scope.province_ids:
        condition |= Q(**{f"{province_field}__in": scope.province_ids})
    return queryset.filter(condition)
