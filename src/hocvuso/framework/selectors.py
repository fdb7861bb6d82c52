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


def framework_codes(
    *, slug: str, database: bool = True
) -> tuple[set[str], dict[str, int]] | None:
    """Return (competence codes, level code → number) of a framework, or None.

    Reads the newest loaded version, else (or with ``database=False``) the data
    file shipped in the package.
    """
    fw = (
        Framework.objects.filter(slug=slug).order_by("-created_at").first()
        if database
        else None
    )
    if fw is not None:
        comps = set(fw.competences.values_list("code", flat=True))
        levels = dict(fw.levels.values_list("code", "number"))
        return comps, levels
    from hocvuso.framework.services import DATA_DIR

    path = DATA_DIR / f"{slug}.yaml"
    if not path.is_file():
        return None
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    comps = {str(c["code"]) for d in data["domains"] for c in d["competences"]}
    levels = {str(lv["code"]): int(lv["number"]) for lv in data["levels"]}
    return comps, levels


def target_group_slugs(*, database: bool = True) -> set[str]:
    """Return the slugs of the target groups (database, else the data file)."""
    slugs = (
        set(TargetGroup.objects.values_list("slug", flat=True)) if database else set()
    )
    if slugs:
        return slugs
    import yaml

    from hocvuso.framework.services import DEFAULT_TARGET_GROUPS_FILE

    data = yaml.safe_load(DEFAULT_TARGET_GROUPS_FILE.read_text(encoding="utf-8"))
    return {str(g["slug"]) for g in data["groups"]}
