"""Languages a content pack may carry, and which of them must be complete.

Vietnamese is the primary language of every pack and English, when a pack
lists it, is complete as it always was (the site's interface exists in both).
Any other listed language is *partial*: a lesson, course or text may have it
or not, and where it is missing the learner reads the Vietnamese.

Codes are ISO 639 codes that name the language as spoken in Vietnam:

- ``hmn`` Hmong (the macrolanguage; BCP 47 uses it for Hmong in general, which
  suits the several Hmong varieties spoken in Vietnam's northern mountains);
- ``blt`` Tai Dam (Black Tai, *Thái Đen*) and ``twh`` Tai Dón (White Tai,
  *Thái Trắng*), the languages of Vietnam's Thái people. ``tha`` (the
  standard Thai of Thailand) and ``tdd`` (Tai Nüa of Yunnan) are other
  languages, so they are not offered;
- ``km`` Khmer (Mekong delta), ``nut`` Nùng, ``tyz`` Tày, ``cmo`` Central
  Mnong, ``jra`` Jarai, ``rad`` Rade (Ê Đê), ``bdq`` Bahnar, ``cja`` Western
  Cham.
"""

from __future__ import annotations

PRIMARY = "vi"
#: Languages a pack must carry in full once it lists them.
COMPLETE = ("vi", "en")

#: Code → the language's name as learners see it in the language switch.
KNOWN: dict[str, str] = {
    "vi": "Tiếng Việt",
    "en": "English",
    "hmn": "Hmoob (tiếng Mông)",
    "blt": "Tai Dam (tiếng Thái Đen)",
    "twh": "Tai Dón (tiếng Thái Trắng)",
    "km": "ភាសាខ្មែរ (tiếng Khmer)",
    "nut": "Tiếng Nùng",
    "tyz": "Tiếng Tày",
    "cmo": "Tiếng Mnông",
    "jra": "Tiếng Gia Rai",
    "rad": "Tiếng Ê Đê",
    "bdq": "Tiếng Ba Na",
    "cja": "Tiếng Chăm",
}


def is_partial(lang: str) -> bool:
    """Return whether ``lang`` may be missing from a lesson or text."""
    return lang not in COMPLETE


def language_name(lang: str) -> str:
    """Return the name of a language for the switch (the code if unknown)."""
    return KNOWN.get(lang, lang)
