from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from hocvuso.core.errors import NotFound
from hocvuso.framework.models import Framework
from hocvuso.framework.selectors import framework_get, framework_list

router = Router()


class Text(Schema):
    vi: str
    en: str


class FrameworkSummaryOut(Schema):
    id: str
    slug: str
    version: str
    title: Text
    locked: bool


class LevelOut(Schema):
    number: int
    code: str
    tier: Text
    description: Text
    digcomp_level: int | None


class CompetenceOut(Schema):
    code: str
    name: Text
    digcomp: str | None


class DomainOut(Schema):
    code: str
    name: Text
    digcomp: str | None
    competences: list[CompetenceOut]


class TargetGroupOut(Schema):
    slug: str
    name: Text
    required_level: str
    rationale: Text


class FrameworkOut(FrameworkSummaryOut):
    source: str
    digcomp_version: str
    levels: list[LevelOut]
    domains: list[DomainOut]
    target_groups: list[TargetGroupOut]


def _summary(fw: Framework) -> dict[str, object]:
    return {
        "id": fw.key,
        "slug": fw.slug,
        "version": fw.version,
        "title": {"vi": fw.title_vi, "en": fw.title_en},
        "locked": fw.locked,
    }


@router.get(
    "", response=list[FrameworkSummaryOut], summary="List the competence frameworks"
)
def frameworks(request: HttpRequest) -> list[dict[str, object]]:
    """Every version of the digital competence frameworks held (Circular 02/2025: 6
    domains, 24 competences, 8 levels). No sign-in needed.

    Example: `GET /api/frameworks`
    """
    return [_summary(fw) for fw in framework_list()]


@router.get("/{key}", response=FrameworkOut, summary="Get one competence framework")
def framework_detail(request: HttpRequest, key: str) -> dict[str, object]:
    """A framework with its levels, domains, competences and target groups in
    Vietnamese and English: `tt02-2025` is the newest version, `tt02-2025@1.0` a
    given one. No sign-in needed.

    Example: `GET /api/frameworks/tt02-2025`
    """
    fw = framework_get(key=key[:80])
    if fw is None:
        raise NotFound(_("There is no framework '%(id)s'.") % {"id": key[:80]})
    return {
        **_summary(fw),
        "source": fw.source,
        "digcomp_version": fw.digcomp_version,
        "levels": [
            {
                "number": lv.number,
                "code": lv.code,
                "tier": {"vi": lv.name_vi, "en": lv.name_en},
                "description": {"vi": lv.description_vi, "en": lv.description_en},
                "digcomp_level": lv.digcomp_level,
            }
            for lv in fw.levels.all()
        ],
        "domains": [
            {
                "code": d.code,
                "name": {"vi": d.name_vi, "en": d.name_en},
                "digcomp": d.digcomp_ref or None,
                "competences": [
                    {
                        "code": c.code,
                        "name": {"vi": c.name_vi, "en": c.name_en},
                        "digcomp": c.digcomp_ref or None,
                    }
                    for c in d.competences.all()
                ],
            }
            for d in fw.domains.all()
        ],
        "target_groups": [
            {
                "slug": g.slug,
                "name": {"vi": g.name_vi, "en": g.name_en},
                "required_level": g.required_level.code,
                "rationale": {"vi": g.rationale_vi, "en": g.rationale_en},
            }
            for g in fw.target_groups.all()
        ],
    }
