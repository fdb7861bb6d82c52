"""Vietnamese (and English) text normalisation for the assistant's index.

Pure functions, no Django: NFC, lower case, diacritic folding ("kích hoạt" →
"kich hoat", "đ" → "d"), syllable tokens and syllable bigrams, a synonym and
abbreviation table (pack data), one-letter typo repair against the index's
vocabulary, and question words that carry no topic. Each step can be turned
off (:class:`Options`) so that ``make bench-assistant`` measures what it buys.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

_WORD = re.compile(r"\w+")
_CLAUSE = re.compile(r"[.,;:!?()\[\]\"“”'‘’/\\|\n–—]+|\s-\s")
# Letters only Vietnamese uses (after NFC), to tell a Vietnamese query apart.
_VI_MARKS = set("àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ")

#: Words of a question that say nothing about its topic (folded forms).
STOPWORDS_VI = frozenset(
    [
        "a",
        "ah",
        "oi",
        "a",
        "la",
        "gi",
        "lam",
        "sao",
        "cach",
        "the",
        "nao",
        "nhu",
        "cach",
        "nao",
        "o",
        "dau",
        "dau",
        "khi",
        "nao",
        "bao",
        "gio",
        "toi",
        "minh",
        "em",
        "anh",
        "chi",
        "ban",
        "co",
        "khong",
        "ko",
        "k",
        "duoc",
        "dc",
        "thi",
        "ma",
        "va",
        "voi",
        "cua",
        "cho",
        "de",
        "nay",
        "do",
        "kia",
        "nhe",
        "nha",
        "vay",
        "a",
        "u",
        "uh",
        "ha",
        "hay",
        "hoac",
        "neu",
        "thi",
        "se",
        "da",
        "dang",
        "roi",
        "phai",
        "can",
        "muon",
        "biet",
        "hoi",
        "xin",
        "giup",
        "chi",
        "cho",
        "toi",
        "voi",
        "nhung",
        "cac",
        "mot",
        "nhieu",
        "it",
        "rat",
        "ve",
        "tu",
        "tren",
        "duoi",
        "trong",
        "ngoai",
        "len",
        "xuong",
        "ra",
        "vao",
    ]
)
STOPWORDS_EN = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "do",
        "does",
        "did",
        "i",
        "me",
        "my",
        "you",
        "your",
        "we",
        "our",
        "how",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "can",
        "could",
        "should",
        "would",
        "will",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "from",
        "with",
        "by",
        "and",
        "or",
        "if",
        "it",
        "this",
        "that",
        "there",
        "please",
        "help",
        "about",
        "into",
    ]
)


@dataclass(frozen=True)
class Options:
    """Which normalisation steps an index and its queries use."""

    fold: bool = True  # search without accents ("kich hoat" finds "kích hoạt")
    accents: bool = True  # a second, accented field: a stronger signal
    bigrams: bool = True  # adjacent syllables ("kich_hoat") as terms
    synonyms: bool = True  # expand abbreviations (CCCD, CK, bhyt…)
    typos: bool = True  # repair one-letter typos against the vocabulary
    segmenter: str = ""  # "pyvi": join words with a word segmenter (benchmark)


FULL = Options()


def nfc_lower(text: str) -> str:
    """Return ``text`` in Unicode NFC, lower case."""
    return unicodedata.normalize("NFC", text).lower()


def fold(text: str) -> str:
    """Return lower-case ``text`` without diacritics ("Kích hoạt" → "kich hoat")."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.replace("Đ", "d")


def has_accents(text: str) -> bool:
    """Return whether ``text`` is written with Vietnamese diacritics."""
    return any(c in _VI_MARKS for c in nfc_lower(text))


def clauses(text: str) -> list[list[str]]:
    """Return the words of each clause (bigrams never cross punctuation)."""
    out = []
    for part in _CLAUSE.split(nfc_lower(text)):
        words = _WORD.findall(part)
        if words:
            out.append(words)
    return out


def stem_en(word: str) -> str:
    """Return an English word without a plural or -ing/-ed ending (a light stemmer)."""
    if len(word) <= 4 or not word.isascii():
        return word
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "es" and not word.endswith(("ses", "xes", "ches", "shes")):
                return word[:-1]
            return word[: -len(suffix)] + repl
    return word


def with_bigrams(groups: Iterable[Sequence[str]]) -> list[str]:
    """Return the words of each group followed by their adjacent pairs."""
    out: list[str] = []
    for words in groups:
        out.extend(words)
        out.extend(f"{a}_{b}" for a, b in itertools.pairwise(words))
    return out


class SynonymTable:
    """Groups of equivalent phrases (CCCD ↔ căn cước công dân), matched folded."""

    def __init__(self, groups: Sequence[Sequence[str]]) -> None:
        self.groups: list[list[tuple[str, ...]]] = []
        self.lookup: dict[tuple[str, ...], int] = {}
        for group in groups:
            forms = []
            for phrase in group:
                key = tuple(_WORD.findall(fold(phrase)))
                if key and key not in self.lookup:
                    self.lookup[key] = len(self.groups)
                    forms.append(key)
            if len(forms) > 1:
                self.groups.append(forms)
            else:
                for key in forms:
                    del self.lookup[key]
        self.longest = max((len(k) for k in self.lookup), default=0)

    def find(self, words: Sequence[str]) -> list[tuple[int, int, int]]:
        """Return (start, end, group) of each phrase found in folded ``words``."""
        found, i = [], 0
        while i < len(words):
            for n in range(min(self.longest, len(words) - i), 0, -1):
                group = self.lookup.get(tuple(words[i : i + n]))
                if group is not None:
                    found.append((i, i + n, group))
                    i += n
                    break
            else:
                i += 1
        return found


def deletes(word: str) -> set[str]:
    """Return ``word`` and every string one letter shorter (SymSpell, distance 1)."""
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


class TypoFixer:
    """Replace a word missing from the vocabulary by a known word one edit away."""

    def __init__(self, freq: Mapping[str, int], *, min_len: int = 3) -> None:
        self.freq = freq
        self.min_len = min_len
        self.by_delete: dict[str, list[str]] = {}
        for word in freq:
            if len(word) >= min_len and not word.isdigit() and "_" not in word:
                for d in deletes(word):
                    self.by_delete.setdefault(d, []).append(word)

    def fix(self, word: str) -> str:
        """Return ``word`` itself if known (or short), else its likeliest repair."""
        if word in self.freq or len(word) < self.min_len or word.isdigit():
            return word
        best, best_freq = word, 0
        for d in deletes(word):
            for cand in self.by_delete.get(d, ()):
                if self.freq[cand] > best_freq:
                    best, best_freq = cand, self.freq[cand]
        return best
