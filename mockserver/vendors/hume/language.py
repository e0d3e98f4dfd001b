"""The emulated Hume language model: text in, per-segment expression scores out.

Implements the ``language`` predictions of the streaming API (Hume's streaming definition, item
shape ``{text, position, emotions, sentiment?, toxicity?}``; 53 expressions from Hume's language
model page; ``Toxicity``, ``Sentiment`` and ``granularity`` from the definition).

The text is split into word tokens, each word is looked up in the hand-written lexicon of
:mod:`~mockserver.vendors.hume.language_lexicon`, context rules adjust the words
(negation, intensifiers, sarcasm cues, exclamation marks, ALL CAPS), and the words of each
segment are pooled into one valence/arousal point plus expression boosts, which
:func:`~mockserver.vendors.hume.affect.expression_scores` turns into scores. Noise comes
from :class:`~mockserver.core.rng.SeedSource`, keyed by the segment's content, so equal
input and seed always give byte-identical output.
"""

from __future__ import annotations

import itertools
import math
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mockserver.core.rng import SeedSource
from mockserver.vendors.hume.affect import as_float32, expression_scores, named_scores
from mockserver.vendors.hume.labels import (
    LANGUAGE_EXPRESSION_NAMES,
    SENTIMENT_NAMES,
    TOXICITY_NAMES,
)
from mockserver.vendors.hume.language_lexicon import (
    DIMINISHERS,
    GENERALIZERS,
    HOSTILITY,
    IDENTITY_PHRASES,
    IDENTITY_TERMS,
    INTENSIFIERS,
    LEXICON,
    NEGATED_DOUBT,
    NEGATORS,
    PHRASES,
    POST_INTENSIFIERS,
    SARCASM_OPENERS,
    SARCASM_TARGETS,
    SECOND_PERSON,
    THIRD_PERSON,
    THREAT_MARKERS,
    THREAT_PHRASES,
    THREAT_VERBS,
    TOXICITY_LEXICON,
    LexiconEntry,
)

__all__ = ["GRANULARITIES", "predict_language", "segment_spans"]

#: Accepted ``models.language.granularity`` values (``StreamLanguage.granularity``).
GRANULARITIES: tuple[str, ...] = ("word", "sentence", "utterance", "passage")

# A word: letters/digits (not "_"), with internal apostrophes or hyphens ("don't").
_TOKEN_RE = re.compile(r"[^\W_]+(?:['\u2019\u02bc\-\u2010\u2011][^\W_]+)*")
# Line boundaries, the same set as str.splitlines().
_LINE_BREAK_RE = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_CLOSERS = "\"'\u2019\u201d\u00bb)\\]}"
# Sentence-final punctuation (". ! ? ... ?!"), plus closing quotes/brackets, followed by
# whitespace or the end of the line; CJK full stops need no following space.
_SENTENCE_END_RE = re.compile(
    rf"[.!?\u2026\u203c\u2047-\u2049]+[{_CLOSERS}]*(?=\s|\Z)|[\u3002\uff01\uff1f]+[{_CLOSERS}]*"
)
# Punctuation between two words that ends the scope of a negation or intensifier.
_CLAUSE_BREAK_RE = re.compile(r"[,.;:!?\u2026()\[\]\"\u201c\u201d\u3002\uff01\uff1f]")
_CONTRAST = frozenset({"but", "however", "although", "though", "yet", "except"})
# Abbreviations whose period does not end a sentence ("Mr. Smith").
_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "mt", "fig", "approx", "cf"}
)
_ELONGATION_RE = re.compile(r"(.)\1{2,}")

_NEUTRAL_INTENSITY = 0.08  # intensity of a word the lexicon does not know
_NEGATION_SCOPE = 3  # words after a negator that it can reach
_INTENSIFIER_SCOPE = 2  # words after an intensifier that it can reach
_NEIGHBOUR_WEIGHT = 0.4  # share of a neighbour's toxicity a word inherits
_MAX_PHRASE = 5  # longest multi-word expression in the lexicon tables
_BOOST_SCALE = 0.65  # keeps strong cues below the 0.9999 ceiling of expression_scores
# Multi-word downtoners; "kind" and "sort" are not lexicon words inside them.
_MULTIWORD_DOWNTONERS: dict[str, float] = {
    "kind of": 0.7, "sort of": 0.7, "a bit": 0.7, "a little": 0.75, "a little bit": 0.65,
}  # fmt: skip


# --------------------------------------------------------------------------------------
# Segmentation (``position``; ``granularity``)
# --------------------------------------------------------------------------------------


def _trim(text: str, begin: int, end: int) -> tuple[int, int]:
    """Shrink ``[begin, end)`` past leading and trailing whitespace."""
    while begin < end and text[begin].isspace():
        begin += 1
    while end > begin and text[end - 1].isspace():
        end -= 1
    return begin, end


def _line_spans(text: str) -> Iterator[tuple[int, int]]:
    """Yield ``[begin, end)`` of every line, line breaks excluded."""
    start = 0
    for match in _LINE_BREAK_RE.finditer(text):
        yield start, match.start()
        start = match.end()
    yield start, len(text)


def _is_abbreviation(text: str, line_start: int, match: re.Match[str]) -> bool:
    """Whether the sentence-end ``match`` is the period of an abbreviation (``Mr.``)."""
    if match.group() != ".":
        return False
    head = text[max(line_start, match.start() - 6) : match.start()].lower()
    if head.endswith(("e.g", "i.e")):
        return True
    word = re.search(r"[^\W_]+$", head)
    return (
        word is not None
        and word.group() in _ABBREVIATIONS
        and (word.start() == 0 or not head[word.start() - 1].isalnum())
    )


def _sentence_spans(text: str) -> Iterator[tuple[int, int]]:
    """Yield untrimmed sentence spans: split after sentence-final punctuation and at line breaks."""
    for line_start, line_end in _line_spans(text):
        start = line_start
        for match in _SENTENCE_END_RE.finditer(text, line_start, line_end):
            if _is_abbreviation(text, line_start, match):
                continue
            yield start, match.end()
            start = match.end()
        yield start, line_end


def _raw_spans(text: str, granularity: str) -> Iterable[tuple[int, int]]:
    if granularity == "sentence":
        return _sentence_spans(text)
    if granularity == "utterance":
        return _line_spans(text)
    return [(0, len(text))]


def segment_spans(text: str, granularity: str) -> list[tuple[int, int]]:
    """Return the ``[begin, end)`` code-point spans of the prediction items for ``text``.

    Spans are in text order, non-overlapping, trimmed of surrounding whitespace, and
    contain at least one word; ``text[begin:end]`` is the item's ``text``.

    Args:
        text: The raw text of the payload (``raw_text: true``).
        granularity: One of :data:`GRANULARITIES`.

    Raises:
        ValueError: ``granularity`` is not one of :data:`GRANULARITIES`.
    """
    if granularity not in GRANULARITIES:
        raise ValueError(f"unknown language granularity {granularity!r}")
    if granularity == "word":
        return [m.span() for m in _TOKEN_RE.finditer(text)]
    spans: list[tuple[int, int]] = []
    for raw_begin, raw_end in _raw_spans(text, granularity):
        begin, end = _trim(text, raw_begin, raw_end)
        if begin < end and _TOKEN_RE.search(text, begin, end):
            spans.append((begin, end))
    return spans


# --------------------------------------------------------------------------------------
# Word analysis
# --------------------------------------------------------------------------------------


def _normalise(token: str) -> str:
    return (
        token.lower()
        .replace("\u2019", "'")
        .replace("\u02bc", "'")
        .replace("\u2010", "-")
        .replace("\u2011", "-")
    )


def _undouble(base: str) -> str | None:
    """``stopp`` -> ``stop`` (the doubled final consonant of ``stopped``)."""
    if len(base) >= 3 and base[-1] == base[-2] and base[-1] not in "aeiou":
        return base[:-1]
    return None


def _candidates(word: str) -> list[str]:
    """Return ``word`` and the base forms it may inflect, most specific first."""
    out = [word]
    if word.endswith("'s"):
        out.append(word[:-2])
    squeezed = _ELONGATION_RE.sub(r"\1\1", word)
    if squeezed != word:
        out += [squeezed, _ELONGATION_RE.sub(r"\1", word)]
    n = len(word)
    rules: list[tuple[str, int, tuple[str, ...]]] = [
        ("iest", 5, ("y",)), ("ness", 5, ("",)), ("ies", 4, ("y",)), ("ied", 4, ("y",)),
        ("ier", 4, ("y",)), ("ily", 5, ("y",)), ("ing", 5, ("", "e")), ("est", 5, ("",)),
        ("ed", 4, ("", "e")), ("er", 4, ("",)), ("ly", 4, ("",)), ("es", 3, ("",)),
    ]  # fmt: skip
    for suffix, min_len, replacements in rules:
        if n > min_len and word.endswith(suffix):
            base = word[: -len(suffix)]
            out += [base + r for r in replacements]
            undoubled = _undouble(base)
            if undoubled is not None and replacements[0] == "":
                out.append(undoubled)
    if n > 3 and word.endswith("s") and not word.endswith("ss"):
        out.append(word[:-1])
    return out


def _find(candidates: Sequence[str], table: Mapping[str, Any]) -> Any:
    for candidate in candidates:
        hit = table.get(candidate)
        if hit is not None:
            return hit
    return None


@dataclass(frozen=True, slots=True)
class _WordInfo:
    """Everything the lexicon says about one normalised word."""

    entry: LexiconEntry | None
    toxicity: Mapping[str, float]
    threat: float  # weight as a verb of violence
    negator: bool
    intensifier: float  # intensity factor on the next words (1.0: none)
    second: bool
    third: bool
    identity: bool
    generalizer: bool
    marker: bool  # future/intent marker ("will", "gonna")


def _lookup(word: str) -> _WordInfo:
    candidates = _candidates(word)
    entry: LexiconEntry | None = _find(candidates, LEXICON)
    if entry is None and "-" in word:
        # "heart-broken" -> "heartbroken"; else the most intense part ("well-known").
        entry = _find(_candidates(word.replace("-", "")), LEXICON)
        if entry is None:
            parts = [_find(_candidates(p), LEXICON) for p in word.split("-") if p]
            known = [p for p in parts if p is not None]
            if known:
                entry = max(known, key=_entry_intensity)
    toxicity: Mapping[str, float] = _find(candidates, TOXICITY_LEXICON) or {}
    squeezed = _ELONGATION_RE.sub(r"\1", word)
    factor = INTENSIFIERS.get(word) or INTENSIFIERS.get(squeezed) or DIMINISHERS.get(word)
    return _WordInfo(
        entry=entry,
        toxicity=toxicity,
        threat=_find(candidates, THREAT_VERBS) or 0.0,
        negator=word in NEGATORS or word.endswith("n't"),
        intensifier=factor or 1.0,
        second=word in SECOND_PERSON,
        third=word in THIRD_PERSON,
        identity=word in IDENTITY_TERMS,
        generalizer=word in GENERALIZERS,
        marker=word in THREAT_MARKERS or word.endswith("'ll"),
    )


def _entry_intensity(entry: LexiconEntry) -> float:
    valence, _, boosts = entry
    return 0.45 + 0.55 * max(abs(valence), max(boosts.values(), default=0.0))


@dataclass(slots=True)
class _Token:
    """One word of the text with its (context-adjusted) affect."""

    begin: int
    end: int
    word: str  # normalised (lowercase, ASCII apostrophes and hyphens)
    info: _WordInfo
    sentence: int = 0  # index into the sentence table
    valence: float = 0.0
    arousal: float = 0.0
    intensity: float = _NEUTRAL_INTENSITY
    boosts: dict[str, float] = field(default_factory=dict)
    affective: bool = False  # has a lexicon or phrase entry
    in_phrase: bool = False
    negated: bool = False

    def set_entry(self, entry: LexiconEntry) -> None:
        self.valence, self.arousal, boosts = entry
        self.boosts = dict(boosts)
        self.intensity = _entry_intensity(entry)
        self.affective = True

    def scale(self, factor: float) -> None:
        """Apply an intensifier (factor > 1) or a downtoner (factor < 1)."""
        self.intensity = min(1.0, self.intensity * factor)
        self.boosts = {k: min(1.0, b * factor) for k, b in self.boosts.items()}
        self.valence = max(-1.0, min(1.0, self.valence * (1.0 + 0.3 * (factor - 1.0))))
        self.arousal = max(-1.0, min(1.0, self.arousal + 0.25 * (factor - 1.0)))

    def negate(self) -> None:
        """Flip and weaken the word ("not happy" reads as mildly unhappy)."""
        valence = self.valence
        self.negated = True
        self.valence = -0.5 * valence if valence > 0 else -0.4 * valence
        self.arousal *= 0.6
        boosts = {k: 0.15 * b for k, b in self.boosts.items()}
        if valence > 0.2:
            _add(boosts, "Disappointment", 0.35 * valence)
            _add(boosts, "Disapproval", 0.2 * valence)
            _add(boosts, "Sadness", 0.15 * valence)
        elif valence < -0.2:
            _add(boosts, "Relief", 0.15 * -valence)
            _add(boosts, "Contentment", 0.1 * -valence)
        if self.word in NEGATED_DOUBT:
            self.valence = -0.2
            _add(boosts, "Doubt", 0.6)
            _add(boosts, "Confusion", 0.15)
            self.intensity = max(self.intensity, 0.6)
            self.affective = True
        self.boosts = boosts
        self.intensity *= 0.85


def _add(boosts: dict[str, float], name: str, value: float) -> None:
    boosts[name] = min(1.0, max(boosts.get(name, 0.0), value))


def _gap_breaks(text: str, tokens: Sequence[_Token]) -> list[bool]:
    """``breaks[i]``: clause punctuation lies between token ``i - 1`` and token ``i``."""
    breaks = [True]
    for prev, tok in itertools.pairwise(tokens):
        breaks.append(_CLAUSE_BREAK_RE.search(text, prev.end, tok.begin) is not None)
    return breaks


def _gap_is_space(text: str, left: _Token, right: _Token) -> bool:
    return text[left.end : right.begin].isspace()


def _apply_phrases(text: str, tokens: list[_Token]) -> None:
    """Multi-word expressions ("thank you", "yeah right") override their words."""
    i = 0
    while i < len(tokens):
        for size in (3, 2):
            group = tokens[i : i + size]
            if len(group) < size or not all(
                _gap_is_space(text, a, b) for a, b in itertools.pairwise(group)
            ):
                continue
            entry = PHRASES.get(" ".join(t.word for t in group))
            if entry is not None:
                for tok in group:
                    tok.set_entry(entry)
                    tok.in_phrase = True
                i += size - 1
                break
        i += 1


def _apply_sarcasm(text: str, tokens: list[_Token]) -> None:
    """Sarcasm cues: a positive word after an opener ("oh great", "yeah sure")."""
    for prev, tok in itertools.pairwise(tokens):
        if (
            prev.word in SARCASM_OPENERS
            and tok.word in SARCASM_TARGETS
            and not tok.in_phrase
            and not re.search(r"[.!?;:]", text[prev.end : tok.begin])
        ):
            boosts = {k: 0.3 * b for k, b in tok.boosts.items()}
            _add(boosts, "Sarcasm", 0.75)
            _add(boosts, "Annoyance", 0.25)
            _add(boosts, "Contempt", 0.15)
            tok.valence, tok.arousal, tok.boosts = -0.3, 0.3, boosts
            tok.intensity, tok.affective = max(tok.intensity, 0.8), True
            prev.set_entry((-0.2, 0.3, {"Sarcasm": 0.4}))


def _modifier_at(tokens: Sequence[_Token], i: int, table: Mapping[str, float]) -> tuple[float, int]:
    """Return ``(factor, length)`` of a multi-word modifier starting at token ``i``."""
    for size in (3, 2):
        if i + size <= len(tokens):
            factor = table.get(" ".join(t.word for t in tokens[i : i + size]))
            if factor is not None:
                return factor, size
    return 1.0, 0


def _is_target(tok: _Token) -> bool:
    return (
        tok.affective
        or tok.info.threat > 0
        or bool(tok.info.toxicity)
        or (tok.word in NEGATED_DOUBT)
    )


def _apply_modifiers(text: str, tokens: list[_Token]) -> None:
    """Negators, intensifiers and downtoners act on the next content word of their clause."""
    breaks = _gap_breaks(text, tokens)
    n = len(tokens)
    for i, tok in enumerate(tokens):
        if tok.in_phrase:
            continue
        factor, size = _modifier_at(tokens, i, _MULTIWORD_DOWNTONERS)
        if size and i + size < n and tokens[i + size].info.second:
            factor, size = 1.0, 0  # "kind of you" is kindness
        if size:  # "kind of sad": "kind" is a downtoner here, not kindness
            for part in tokens[i : i + size]:
                part.set_entry((0.0, 0.0, {}))
                part.affective, part.intensity, part.in_phrase = False, _NEUTRAL_INTENSITY, True
        else:
            factor, size = tok.info.intensifier, 1
        if tok.info.negator:
            scope = _NEGATION_SCOPE
        elif factor != 1.0:
            scope = _INTENSIFIER_SCOPE
        else:
            continue
        for j in range(i + size, min(n, i + size + scope)):
            other = tokens[j]
            if breaks[j] or other.word in _CONTRAST:
                break
            if _is_target(other) and not other.info.negator:
                if tok.info.negator:
                    if not other.negated:
                        other.negate()
                else:
                    other.scale(factor)
                break
    # Post-modifiers: "thank you so much" raises the words before "so much".
    for i in range(1, n):
        factor, size = _modifier_at(tokens, i, POST_INTENSIFIERS)
        if size == 0:
            continue
        for j in range(i - 1, max(-1, i - 4), -1):
            if breaks[j + 1]:
                break
            if tokens[j].affective:
                tokens[j].scale(factor)


@dataclass(frozen=True, slots=True)
class _Flags:
    """Who or what a stretch of text addresses (toxicity context)."""

    second: bool = False
    third: bool = False
    identity: bool = False
    generalizer: bool = False
    marker: bool = False
    threat_phrase: float = 0.0
    hostility_phrase: float = 0.0


def _flags(tokens: Sequence[_Token]) -> _Flags:
    words = [t.word for t in tokens]
    threat_phrase = hostility_phrase = 0.0
    identity_phrase = False
    for size in range(2, _MAX_PHRASE + 1):
        for start in range(len(words) - size + 1):
            joined = " ".join(words[start : start + size])
            threat_phrase = max(threat_phrase, THREAT_PHRASES.get(joined, 0.0))
            hostility_phrase = max(hostility_phrase, HOSTILITY.get(joined, 0.0))
            identity_phrase = identity_phrase or joined in IDENTITY_PHRASES
    return _Flags(
        second=any(t.info.second for t in tokens),
        third=any(t.info.third for t in tokens),
        identity=identity_phrase or any(t.info.identity for t in tokens),
        generalizer=any(t.info.generalizer for t in tokens),
        marker=any(t.info.marker for t in tokens),
        threat_phrase=threat_phrase,
        hostility_phrase=hostility_phrase,
    )


def _token_toxicity(tok: _Token) -> dict[str, float]:
    scale = 0.4 if tok.negated else 1.0
    values = {k: v * scale for k, v in tok.info.toxicity.items()}
    values["threat"] = tok.info.threat * (0.3 if tok.negated else 1.0)
    return values


# --------------------------------------------------------------------------------------
# Pooling and scoring
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Affect:
    valence: float
    arousal: float
    intensity: float
    boosts: dict[str, float]


def _pool(tokens: Sequence[_Token]) -> _Affect:
    """Intensity-weighted mean valence/arousal; max-pooled boosts (two cues reinforce)."""
    if len(tokens) == 1:
        t = tokens[0]
        return _Affect(t.valence, t.arousal, t.intensity, t.boosts)
    weight_sum = valence = arousal = intensity_mass = peak = 0.0
    first: dict[str, float] = {}
    second: dict[str, float] = {}
    for t in tokens:
        weight = t.intensity * t.intensity
        weight_sum += weight
        valence += weight * t.valence
        arousal += weight * t.arousal
        intensity_mass += weight * t.intensity
        peak = max(peak, t.intensity)
        for name, boost in t.boosts.items():
            top = first.get(name, 0.0)
            if boost > top:
                second[name], first[name] = top, boost
            elif boost > second.get(name, 0.0):
                second[name] = boost
    boosts = {k: 1.0 - (1.0 - b) * (1.0 - 0.3 * second.get(k, 0.0)) for k, b in first.items()}
    return _Affect(
        valence / weight_sum,
        arousal / weight_sum,
        0.6 * peak + 0.4 * intensity_mass / weight_sum,
        boosts,
    )


def _sentiment(affect: _Affect, noise: Sequence[float]) -> list[float]:
    """A distribution over the nine levels whose mean tracks valence (``Sentiment``: 1 to 9)."""
    mean = 5.0 + 4.0 * affect.valence * (0.55 + 0.45 * affect.intensity)
    sigma2 = 2.0 * max(0.8, 1.7 - 0.8 * affect.intensity) ** 2
    weights = [
        math.exp(-((level - mean) ** 2) / sigma2) * (0.85 + 0.3 * jitter) + 0.003
        for level, jitter in zip(range(1, 10), noise, strict=True)
    ]
    total = sum(weights)
    return [as_float32(w / total) for w in weights]


def _toxicity(lexical: Mapping[str, float], flags: _Flags, noise: Sequence[float]) -> list[float]:
    """Scores for toxic, severe_toxic, obscene, threat, insult, identity_hate (``Toxicity``)."""
    targeted = flags.second or flags.identity
    aimed = targeted or flags.third
    threat_raw = lexical.get("threat", 0.0)
    insult = lexical.get("insult", 0.0) * (1.0 if targeted else 0.75)
    obscene = lexical.get("obscene", 0.0)
    hostility = max(lexical.get("hostility", 0.0), flags.hostility_phrase)
    threat = max(threat_raw * (0.3 + 0.45 * aimed + 0.25 * flags.marker), flags.threat_phrase)
    identity_hate = 0.0
    if flags.identity:
        evidence = max(hostility, 0.9 * lexical.get("insult", 0.0), 0.8 * threat_raw)
        identity_hate = min(1.0, evidence * (1.05 + 0.2 * flags.generalizer))
    directed = hostility * (1.0 if aimed else 0.3)
    clean = 1.0
    for value in (
        lexical.get("toxic", 0.0) * (1.0 if targeted else 0.85),
        0.9 * insult, 0.8 * obscene, 0.85 * threat, 0.9 * identity_hate, 0.5 * directed,
    ):  # fmt: skip
        clean *= 1.0 - min(1.0, value)
    toxic = max(1.0 - clean, insult, 0.9 * obscene, 0.9 * threat, identity_hate)
    severe = max(
        lexical.get("severe_toxic", 0.0),
        0.9 * obscene * insult,
        0.55 * threat * flags.second,
        0.6 * identity_hate * max(insult, hostility),
    )
    values = (toxic, min(severe, toxic), obscene, threat, insult, identity_hate)
    return [
        as_float32(min(0.9999, 0.0008 + 0.006 * jitter + 0.985 * min(1.0, value)))
        for value, jitter in zip(values, noise, strict=True)
    ]


def _merge_max(into: dict[str, float], values: Mapping[str, float], weight: float) -> None:
    for name, value in values.items():
        scaled = value * weight
        if scaled > into.get(name, 0.0):
            into[name] = scaled


# --------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------


def _analyse(text: str) -> tuple[list[_Token], list[tuple[int, int]]]:
    """Tokenise ``text`` and apply all word-level context rules."""
    cache: dict[str, _WordInfo] = {}
    tokens: list[_Token] = []
    for match in _TOKEN_RE.finditer(text):
        word = _normalise(match.group())
        info = cache.get(word)
        if info is None:
            info = cache[word] = _lookup(word)
        tok = _Token(match.start(), match.end(), word, info)
        if info.entry is not None:
            tok.set_entry(info.entry)
        tokens.append(tok)
    if not tokens:
        return tokens, []
    _apply_phrases(text, tokens)
    _apply_sarcasm(text, tokens)
    _apply_modifiers(text, tokens)

    # Sentence-level cues: "!" raises arousal, "?" adds confusion/interest, CAPS shout.
    sentences = [
        span for span in (_trim(text, b, e) for b, e in _sentence_spans(text)) if span[0] < span[1]
    ]
    starts = [b for b, _ in sentences]
    for tok in tokens:
        index = max(0, bisect_left(starts, tok.begin + 1) - 1)
        tok.sentence = index
        begin, end = sentences[index]
        exclaims = min(3, text.count("!", begin, end))
        if exclaims:
            tok.arousal = min(1.0, tok.arousal + (0.12 if tok.affective else 0.06) * exclaims)
            tok.intensity = min(1.0, tok.intensity * (1.0 + 0.08 * exclaims))
        if "?" in text[begin:end]:
            for name, value in (("Confusion", 0.15), ("Interest", 0.12), ("Doubt", 0.08)):
                _add(tok.boosts, name, value)
        raw = text[tok.begin : tok.end]
        if raw.isupper() and sum(c.isalpha() for c in raw) >= 2:
            tok.arousal = min(1.0, tok.arousal + 0.3)
            tok.intensity = min(1.0, max(0.25, tok.intensity * 1.25))
            if tok.valence < -0.2:
                _add(tok.boosts, "Anger", 0.15)
    return tokens, sentences


def predict_language(
    text: str,
    *,
    granularity: str = "word",
    sentiment: bool = False,
    toxicity: bool = False,
    seeds: SeedSource,
) -> list[dict[str, Any]]:
    """Predict expressions for ``text``: the list under ``{"language": {"predictions": ...}}``.

    Implements the item shape of Hume's streaming definition (``{text, position, emotions,
    sentiment?, toxicity?}``) and ``granularity``. ``position`` holds zero-based code-point
    offsets into ``text`` (``begin`` inclusive, ``end`` exclusive), so ``text[begin:end]``
    equals the item's ``text``.

    Args:
        text: The payload text (``raw_text: true``).
        granularity: ``word`` (default), ``sentence``, ``utterance`` (non-blank lines) or
            ``passage`` (the whole text).
        sentiment: Add the nine-level ``sentiment`` distribution.
        toxicity: Add the six ``toxicity`` scores.
        seeds: Source of all noise; same text and seed give identical output.

    Returns:
        One item per segment, in text order; ``[]`` when the text has no word (the caller
        reports the "no text" warning).

    Raises:
        ValueError: ``granularity`` is not one of :data:`GRANULARITIES`.
    """
    spans = segment_spans(text, granularity)
    if not spans:
        return []
    tokens, sentences = _analyse(text)
    begins = [t.begin for t in tokens]
    sentence_flags: dict[int, _Flags] = {}
    items: list[dict[str, Any]] = []
    for number, (begin, end) in enumerate(spans):
        lo = bisect_left(begins, begin)
        hi = bisect_left(begins, end, lo)
        segment = tokens[lo:hi]
        piece = text[begin:end]
        if granularity == "word":
            prev_word = tokens[number - 1].word if number > 0 else ""
            next_word = tokens[number + 1].word if number + 1 < len(tokens) else ""
            key: tuple[str, ...] = (piece.lower(), prev_word, next_word)
        else:
            key = (piece.lower(), "")
        affect = _pool(segment)
        scores = expression_scores(
            LANGUAGE_EXPRESSION_NAMES,
            affect.valence,
            affect.arousal,
            intensity=affect.intensity,
            noise=seeds.uniforms(53, "hume", "language", granularity, *key),
            boosts={k: _BOOST_SCALE * b for k, b in affect.boosts.items()},
        )
        item: dict[str, Any] = {
            "text": piece,
            "position": {"begin": begin, "end": end},
            "emotions": named_scores(LANGUAGE_EXPRESSION_NAMES, scores),
        }
        if sentiment:
            noise = seeds.uniforms(9, "hume", "language", "sentiment", granularity, *key)
            item["sentiment"] = named_scores(SENTIMENT_NAMES, _sentiment(affect, noise))
        if toxicity:
            lexical: dict[str, float] = {}
            if granularity == "word":
                tok = segment[0]
                _merge_max(lexical, _token_toxicity(tok), 1.0)
                for other in tokens[max(0, lo - 2) : lo + 3]:
                    if other is not tok and other.sentence == tok.sentence:
                        _merge_max(lexical, _token_toxicity(other), _NEIGHBOUR_WEIGHT)
                flags = sentence_flags.get(tok.sentence)
                if flags is None:
                    s_begin, s_end = sentences[tok.sentence]
                    s_tokens = tokens[bisect_left(begins, s_begin) : bisect_left(begins, s_end)]
                    flags = sentence_flags[tok.sentence] = _flags(s_tokens)
            else:
                for tok in segment:
                    _merge_max(lexical, _token_toxicity(tok), 1.0)
                flags = _flags(segment)
            noise = seeds.uniforms(6, "hume", "language", "toxicity", granularity, *key)
            item["toxicity"] = named_scores(TOXICITY_NAMES, _toxicity(lexical, flags, noise))
        items.append(item)
    return items
