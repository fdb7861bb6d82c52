"""The assistant's lexical index: BM25 (bm25s) over lesson passages.

Why bm25s: a small, maintained library (sparse matrices on numpy/scipy, which
the project already has), no server, no model, fast enough to score every
passage of the default pack in about a millisecond. Per language there is a
folded field (no accents, with syllable bigrams) and, for Vietnamese, an
accented field that adds a stronger signal when the question has accents.

Relevance is judged by *coverage*: the share of the question's topic words
(weighted by their rarity, IDF) that the best lesson's passage contains, plus
the same for its syllable pairs. Below :data:`CONFIDENT_AT` the assistant says
it does not know. The threshold is calibrated on tests/assistant/questions.yaml
by ``make bench-assistant``.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import bm25s
import numpy as np

from hocvuso.assistant import normalize as nz
from hocvuso.assistant.passages import Passage

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every build

#: Weight of the accented field when the question has accents.
ACCENT_WEIGHT = 0.5
#: Coverage at or above which an answer is given (calibrated, see module doc).
CONFIDENT_AT = 0.45
#: Weight of the whole lesson's score added to each of its passages' scores.
LESSON_WEIGHT = 0.5
#: How many times a pair of syllables counts in a question (a word is often two).
BIGRAM_BOOST = 1
#: Weight of the passage's own coverage (the rest: its whole lesson's).
PASSAGE_SHARE = 0.5
#: A section of numbered steps is quoted instead of the best section when its
#: score is at least this share of the best one ("how do I…" wants the steps).
STEPS_RATIO = 0.85
#: Title words count again in a passage (a lesson's title names its topic).
TITLE_REPEAT = 2


@dataclass(frozen=True)
class Hit:
    """One lesson found for a question, with its best passage."""

    passage: Passage
    score: float


@dataclass(frozen=True)
class Result:
    """The lessons found for a question, best first, and how sure the index is."""

    hits: list[Hit]
    coverage: float
    lang: str

    @property
    def confident(self) -> bool:
        return bool(self.hits) and self.coverage >= CONFIDENT_AT


@dataclass
class _Query:
    folded: list[str]
    accented: list[str]
    # Each topic of the question: its alternatives (a synonym's forms, each a
    # list of terms that must all be present) and its weight (IDF).
    concepts: list[tuple[list[list[str]], float]]


class _Field:
    def __init__(self, docs: list[list[str]]) -> None:
        self.bm25 = bm25s.BM25(k1=1.2, b=0.75)
        self.bm25.index([d or ["∅"] for d in docs], show_progress=False)
        self.vocab: dict[str, int] = dict(self.bm25.vocab_dict)
        self.df: Counter[str] = Counter()
        for d in docs:
            self.df.update(set(d))
        self.n = len(docs)

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        ids = [self.vocab[t] for t in tokens if t in self.vocab]
        ids += [self.vocab[t] for t in tokens if "_" in t and t in self.vocab] * (
            BIGRAM_BOOST - 1
        )
        if not ids:
            return np.zeros(self.n, dtype=np.float32)
        scores: np.ndarray = self.bm25.get_scores(ids)
        return scores

    def idf(self, token: str) -> float:
        return math.log(1 + (self.n + 0.5) / (self.df.get(token, 0) + 0.5))


class LanguageIndex:
    """The passages of one language and their BM25 fields."""

    def __init__(
        self,
        lang: str,
        passages: list[Passage],
        synonyms: nz.SynonymTable,
        options: nz.Options,
    ) -> None:
        self.lang, self.passages, self.synonyms, self.options = (
            lang,
            passages,
            synonyms,
            options,
        )
        self.stop = nz.STOPWORDS_VI if lang == "vi" else nz.STOPWORDS_EN
        folded_docs, accented_docs, self.sets = [], [], []
        for p in passages:
            text = " . ".join([p.title] * TITLE_REPEAT + [p.heading, p.text])
            acc = self._terms(text, fold=False)
            fol = self._terms(text, fold=options.fold)
            accented_docs.append(acc)
            folded_docs.append(fol)
            self.sets.append(frozenset(fol))
        self.folded = _Field(folded_docs)
        self.by_lesson: dict[str, list[int]] = {}
        for i, p in enumerate(passages):
            self.by_lesson.setdefault(p.lesson, []).append(i)
        lesson_ids = list(self.by_lesson)
        self.lesson_of = np.array(
            [lesson_ids.index(p.lesson) for p in passages], dtype=np.int64
        )
        whole_docs = [
            [t for i in self.by_lesson[lesson] for t in folded_docs[i]]
            for lesson in lesson_ids
        ]
        self.whole = _Field(whole_docs)
        self.lesson_sets = [frozenset(d) for d in whole_docs]
        self.accented = _Field(accented_docs) if options.accents else None
        freq = Counter(t for d in folded_docs for t in d if "_" not in t)
        self.typos = nz.TypoFixer(freq) if options.typos else None

    def _clauses(self, text: str, *, fold: bool) -> list[list[str]]:
        if self.options.segmenter == "pyvi" and self.lang == "vi":
            # Measured by the benchmark only. pyvi joins the syllables of a word
            # ("kích_hoạt") from accented text; folding comes after.
            from pyvi import ViTokenizer

            groups = [
                ViTokenizer.tokenize(" ".join(g)).split() for g in nz.clauses(text)
            ]
            return [[nz.fold(w) for w in g] for g in groups] if fold else groups
        groups = nz.clauses(nz.fold(text) if fold else text)
        if self.lang == "en":
            groups = [[nz.stem_en(w) for w in g] for g in groups]
        return groups

    def _terms(self, text: str, *, fold: bool) -> list[str]:
        groups = self._clauses(text, fold=fold)
        if self.options.bigrams:
            return nz.with_bigrams(groups)
        return [w for g in groups for w in g]

    def _query(self, question: str) -> _Query:
        opts = self.options
        groups = self._clauses(question, fold=opts.fold)
        extra: list[list[str]] = []
        concepts: list[tuple[list[list[str]], float]] = []
        for n, words in enumerate(groups):
            found = self.synonyms.find(words) if opts.synonyms else []
            covered: set[int] = set()
            for start, end, _group in found:
                covered.update(range(start, end))
            if self.typos is not None:
                words = [
                    w if i in covered else self.typos.fix(w)
                    for i, w in enumerate(words)
                ]
                groups[n] = words
            if found != (self.synonyms.find(words) if opts.synonyms else []):
                found = self.synonyms.find(words)
            covered = set()
            for start, end, group in found:
                forms = [list(f) for f in self.synonyms.groups[group]]
                extra.extend(f for f in forms if list(f) != words[start:end])
                covered.update(range(start, end))
                alts = [_phrase_terms(f) for f in forms]
                weight = min(self._weight(a) for a in alts)
                concepts.append((alts, weight))
            for i, w in enumerate(words):
                if i not in covered and w not in self.stop:
                    concepts.append(([[w]], self.folded.idf(w)))
            if opts.bigrams:
                for i, (a, b) in enumerate(itertools.pairwise(words)):
                    if {i, i + 1} & covered or a in self.stop or b in self.stop:
                        continue
                    pair = f"{a}_{b}"
                    concepts.append(([[pair]], 0.5 * self.folded.idf(pair)))
        # English question words are dropped before scoring; Vietnamese ones
        # are kept (folded, many collide with topic words: "the" is also "thẻ").
        stop = self.stop if self.lang == "en" else frozenset()
        folded = self._topic_terms(groups + extra, stop)
        accented: list[str] = []
        if self.accented is not None and nz.has_accents(question):
            accented = self._topic_terms(
                self._clauses(question, fold=False), stop, folded=False
            )
        return _Query(folded, accented, concepts)

    def _topic_terms(
        self, groups: list[list[str]], stop: frozenset[str], *, folded: bool = True
    ) -> list[str]:
        """Return the query's terms without question words (and their pairs)."""
        out: list[str] = []
        for words in groups:
            keys = words if folded else [nz.fold(w) for w in words]
            out.extend(w for w, k in zip(words, keys, strict=True) if k not in stop)
            if self.options.bigrams:
                out.extend(
                    f"{a}_{b}"
                    for (a, ka), (b, kb) in zip(
                        zip(words, keys, strict=True),
                        list(zip(words, keys, strict=True))[1:],
                        strict=False,
                    )
                    if ka not in stop and kb not in stop
                )
        return out or [w for g in groups for w in g]

    def _weight(self, tokens: list[str]) -> float:
        return max((self.folded.idf(t) for t in tokens), default=0.0)

    def search(self, question: str, *, k: int = 5) -> Result:
        """Return the ``k`` best lessons for ``question`` and the coverage."""
        q = self._query(question)
        scores = self.folded.scores(q.folded)
        scores = scores + LESSON_WEIGHT * self.whole.scores(q.folded)[self.lesson_of]
        if q.accented and self.accented is not None:
            scores = scores + ACCENT_WEIGHT * self.accented.scores(q.accented)
        order = np.argsort(-scores, kind="stable")
        hits: list[Hit] = []
        seen: set[str] = set()
        for i in order:
            if scores[i] <= 0 or len(hits) >= k:
                break
            p = self.passages[int(i)]
            if p.lesson in seen:
                continue
            seen.add(p.lesson)
            hits.append(self._prefer_steps(p, int(i), scores))
        coverage = self._coverage(q, int(order[0])) if hits else 0.0
        return Result(hits, coverage, self.lang)

    def _prefer_steps(self, p: Passage, i: int, scores: np.ndarray) -> Hit:
        """Return the lesson's section of steps instead, if it scores nearly as well."""
        if p.steps:
            return Hit(p, float(scores[i]))
        for j in self.by_lesson[p.lesson]:
            if self.passages[j].steps and scores[j] >= STEPS_RATIO * scores[i]:
                return Hit(self.passages[j], float(scores[i]))
        return Hit(p, float(scores[i]))

    def _coverage(self, q: _Query, best: int) -> float:
        """Return how much of the question the best passage (and its lesson) holds.

        The mean of two shares of the question's topic weight: found in the
        passage itself, and found anywhere in its lesson.
        """
        total = sum(w for _, w in q.concepts)
        if total <= 0:
            return 0.0
        shares = []
        for terms in (self.sets[best], self.lesson_sets[self.lesson_of[best]]):
            got = sum(
                w
                for alts, w in q.concepts
                if any(all(t in terms for t in alt) for alt in alts)
            )
            shares.append(got / total)
        return PASSAGE_SHARE * shares[0] + (1 - PASSAGE_SHARE) * shares[1]


def _phrase_terms(words: list[str]) -> list[str]:
    """Return the terms a passage must hold to contain a phrase: word or pairs."""
    if len(words) == 1:
        return words
    return [f"{a}_{b}" for a, b in itertools.pairwise(words)]


class AssistantIndex:
    """Every language's index over the passages of the imported packs."""

    def __init__(
        self,
        passages: list[Passage],
        synonyms: Sequence[Sequence[str]],
        *,
        options: nz.Options = nz.FULL,
        version: str = "",
    ) -> None:
        self.version = version
        self.options = options
        table = nz.SynonymTable(synonyms)
        by_lang: dict[str, list[Passage]] = {}
        for p in passages:
            by_lang.setdefault(p.lang, []).append(p)
        self.langs = {
            lang: LanguageIndex(lang, ps, table, options)
            for lang, ps in sorted(by_lang.items())
        }
        self.size = len(passages)

    def search(
        self, question: str, *, lang: str = "", prefer: str = "vi", k: int = 5
    ) -> Result:
        """Return the best lessons for ``question``.

        With ``lang`` ("vi" or "en") only that language's lessons are searched;
        without, a question with Vietnamese accents searches the Vietnamese
        lessons, any other both: the language that covers the question better
        wins, and when neither is sure, ``prefer`` (the reader's language)
        gives the closest lessons.
        """
        if lang and lang in self.langs:
            return self.langs[lang].search(question, k=k)
        if not self.langs:
            return Result([], 0.0, lang or prefer)
        if nz.has_accents(question) and "vi" in self.langs:
            return self.langs["vi"].search(question, k=k)
        results = [ix.search(question, k=k) for ix in self.langs.values()]
        words = [w for g in nz.clauses(question) for w in g]
        english = sum(w in nz.STOPWORDS_EN for w in words)
        if english > sum(w in nz.STOPWORDS_VI for w in words) and "en" in self.langs:
            prefer = "en"  # "how do I…": written in English, whatever the page
        sure = [r for r in results if r.confident]
        if sure:
            return max(sure, key=lambda r: (r.coverage, r.lang == prefer))
        return max(results, key=lambda r: (r.lang == prefer, r.coverage))
