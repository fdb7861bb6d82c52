from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from hocvuso.framework.models import Competence, Domain, Framework, TargetGroup


def framework_list() -> QuerySet[Framework]:
    return Framework.objects.all()


def framework_get(*, key: str) -> Framework | None:
    """Return the framework for ``slug`` (newest version) or ``slug@version``.

    Domains, their competences, levels and target groups are prefetched.
    """
    slug, _, version = key.partition("@")
    qs = Framework.objects.filter(slug=slug).prefetch_related(
        Prefetch(
            "domains",
            queryset=Domain.objects.prefetch_related(
                Prefetch("competences", queryset=Competence.objects.order_by("order"))
            ),
        ),
        "levels",
        Prefetch(
            "target_groups",
            queryset=TargetGroup.objects.select_related("required_level"),
        ),
    )
    if version:
        qs = qs.filter(version=version)
    return qs.order_by("-created_at").first()


def target_group_list() -> QuerySet[TargetGroup]:
    return TargetGroup.objects.select_related("required_level", "framework")
