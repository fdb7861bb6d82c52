"""Reads of confirmations and certificates, scoped to who may see them."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from hocvuso.accounts.models import Role, User
from hocvuso.accounts.permissions import user_roles
from hocvuso.assessment.models import Result
from hocvuso.credentials.models import Certificate
from hocvuso.framework.models import Competence

CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # RFC 4648 base32
CODE_LENGTH = 20  # 100 bits
_CODE_RE = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")


def code_normalise(text: str) -> str:
    """Return a typed code in canonical form (upper case, no spaces or dashes)."""
    return re.sub(r"[\s\-]", "", text).upper()[:64]


def code_display(code: str) -> str:
    """Return the code in groups of four for reading aloud and printing."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def code_is_wellformed(code: str) -> bool:
    return bool(_CODE_RE.fullmatch(code))


def officer_scope(actor: User) -> Q | None:
    """Return the learners (as a ``User`` filter) an officer manages, or None.

    Officer roles only: a commune officer their commune, a province officer
    their province, a national admin (or superuser) everyone. Helpers and
    learners manage nobody's results.
    """
    if not actor.is_authenticated or not actor.is_active:
        return None
    if actor.is_superuser:
        return Q()
    allowed: Q | None = None
    for a in user_roles(actor):
        if a.role == Role.NATIONAL_ADMIN:
            return Q()
        if a.role == Role.PROVINCE_OFFICER and a.province_id:
            q = Q(profile__commune__province_id=a.province_id)
        elif a.role == Role.COMMUNE_OFFICER and a.commune_id:
            q = Q(profile__commune_id=a.commune_id)
        else:
            continue
        allowed = q if allowed is None else allowed | q
    return allowed


def is_officer(actor: User) -> bool:
    return officer_scope(actor) is not None


def officer_can_manage(actor: User, learner_id: uuid.UUID) -> bool:
    """Return whether ``actor`` is an officer of the learner's unit."""
    scope = officer_scope(actor)
    if scope is None:
        return False
    return User.objects.filter(scope, pk=learner_id).exists()


def _results() -> QuerySet[Result]:
    return Result.objects.select_related(
        "user__profile__commune",
        "target_group",
        "level",
        "session__supervision",
        "confirmation",
    )


def officer_results(*, actor: User, confirmed: bool | None = None) -> QuerySet[Result]:
    """Return the results of the learners ``actor`` manages, newest first."""
    scope = officer_scope(actor)
    if scope is None:
        return Result.objects.none()
    qs = _results().filter(user__in=User.objects.filter(scope))
    if confirmed is True:
        qs = qs.filter(
            confirmation__isnull=False, confirmation__revoked_at__isnull=True
        )
    elif confirmed is False:
        qs = qs.filter(
            Q(confirmation__isnull=True) | Q(confirmation__revoked_at__isnull=False)
        )
    return qs.order_by("-created_at")


def result_for_rules(result_id: object) -> Result | None:
    """Return a result with what the confirmation rules read, or None."""
    try:
        pk = uuid.UUID(str(result_id))
    except ValueError:
        return None
    return (
        Result.objects.select_related(
            "user", "level", "session__supervision", "session__id_card_checked_by"
        )
        .filter(pk=pk)
        .first()
    )


def result_for_officer(*, actor: User, result_id: object) -> Result | None:
    """Return a result ``actor`` manages as an officer, or None."""
    try:
        pk = uuid.UUID(str(result_id))
    except ValueError:
        return None
    return officer_results(actor=actor).filter(pk=pk).first()


def _certificates() -> QuerySet[Certificate]:
    return Certificate.objects.select_related(
        "confirmation__result__user",
        "confirmation__result__target_group",
        "confirmation__result__level",
        "confirmation__result__framework",
        "confirmation__result__session__supervision__commune__province",
    ).prefetch_related("versions")


def certificate_list(*, user: User) -> QuerySet[Certificate]:
    """Return the learner's own certificates, newest first."""
    return _certificates().filter(confirmation__result__user=user)


def certificate_get_for_user(
    *, user: User, certificate_id: object
) -> Certificate | None:
    try:
        pk = uuid.UUID(str(certificate_id))
    except ValueError:
        return None
    return certificate_list(user=user).filter(pk=pk).first()


def certificate_by_code(code: str) -> Certificate | None:
    """Return the certificate a (typed) code names, or None.

    Every code, well formed or not, costs the same single indexed lookup, so
    the response time tells nothing about which codes exist.
    """
    return _certificates().filter(code=code_normalise(code)).first()


def certificate_all() -> QuerySet[Certificate]:
    return _certificates().order_by("issued_at")


@dataclass(frozen=True)
class CompetenceLine:
    code: str
    name: str
    correct: int
    n: int


@dataclass(frozen=True)
class CertificateView:
    """What a certificate says, in one language (for the PDF and the pages)."""

    code: str
    code_display: str
    verify_url: str
    name: str
    target_group: str
    level_code: str
    level_name: str
    competences: list[CompetenceLine]
    issued_on: datetime
    reissued_on: datetime | None
    issuer: str
    version: int
    revoked_at: datetime | None
    language: str


def verify_url(code: str) -> str:
    base = str(settings.HOCVUSO_PUBLIC_URL).rstrip("/")
    return base + reverse("credentials:verify", args=[code])


def issuer_name(certificate: Certificate) -> str:
    """Return the issuing unit: the sitting's commune and province, or the site."""
    sup = certificate.confirmation.result.session.supervision
    if sup is not None and sup.commune is not None:
        return f"{sup.commune.name}, {sup.commune.province.name}"
    return str(settings.SITE_NAME)


def competences_achieved(result: Result) -> list[CompetenceLine]:
    """Return the competences the learner answered at least half right in.

    Read from the result's profile (``competences``: answers and right answers
    per competence code).
    """
    comps = result.profile.get("competences", {})
    names = {
        c.code: c.name
        for c in Competence.objects.filter(framework_id=result.framework_id)
    }
    return [
        CompetenceLine(code, names.get(code, code), int(c["correct"]), int(c["n"]))
        for code, c in sorted(comps.items())
        if c.get("n") and c["correct"] * 2 >= c["n"]
    ]


def certificate_view(
    certificate: Certificate, *, language: str = ""
) -> CertificateView:
    """Return what ``certificate`` says, in ``language`` (its own by default)."""
    lang = language if language in {"vi", "en"} else certificate.language
    result = certificate.confirmation.result
    versions = list(certificate.versions.all())
    with override(lang):
        level = result.level
        return CertificateView(
            code=certificate.code,
            code_display=code_display(certificate.code),
            verify_url=verify_url(certificate.code),
            name=certificate.name_on_certificate,
            target_group=result.target_group.name,
            level_code=level.code if level else "",
            level_name=level.name if level else _("below CB1"),
            competences=competences_achieved(result),
            issued_on=certificate.issued_at,
            reissued_on=versions[-1].issued_at if len(versions) > 1 else None,
            issuer=issuer_name(certificate),
            version=certificate.version,
            revoked_at=certificate.revoked_at,
            language=lang,
        )


def name_mask(name: str) -> str:
    """Return a name with only the family name whole: "Nguyễn T. Á.".

    Vietnamese names put the family name first; the middle and given names
    are cut to their initials, enough to recognise a certificate one holds
    without publishing the person's full name.
    """
    words = name.split()
    if not words:
        return "—"
    if len(words) == 1:
        return words[0][0] + "."
    return " ".join([words[0], *(w[0] + "." for w in words[1:])])
