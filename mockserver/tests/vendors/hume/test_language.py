"""Tests of the emulated language model (Hume's streaming definition, language model page)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.core.rng import SeedSource
from mockserver.vendors.hume.affect import AFFECT_COORDINATES
from mockserver.vendors.hume.labels import (
    LANGUAGE_EXPRESSION_NAMES,
    SENTIMENT_NAMES,
    TOXICITY_NAMES,
)
from mockserver.vendors.hume.language import GRANULARITIES, predict_language, segment_spans
from mockserver.vendors.hume.language_lexicon import LEXICON, PHRASES, TOXICITY_LEXICON

SEEDS = SeedSource(1234)


def predict(text: str, granularity: str = "passage", **kwargs: Any) -> list[dict[str, Any]]:
    return predict_language(text, granularity=granularity, seeds=SEEDS, **kwargs)


def score(item: dict[str, Any], name: str, key: str = "emotions") -> float:
    return next(float(e["score"]) for e in item[key] if e["name"] == name)


def max_score(text: str, name: str, granularity: str, key: str = "emotions", **kw: Any) -> float:
    return max(score(item, name, key) for item in predict(text, granularity, **kw))


def spans(text: str, granularity: str) -> list[tuple[str, int, int]]:
    return [
        (i["text"], i["position"]["begin"], i["position"]["end"])
        for i in predict(text, granularity)
    ]


def sentiment_mean(item: dict[str, Any]) -> float:
    return float(sum(int(s["name"]) * s["score"] for s in item["sentiment"]))


# --- shape -------------------------------------------------------------------------------


def test_docs_example_word_positions() -> None:
    """The docs example (websocket guide): "Mary had a little lamb" at word granularity."""
    assert spans("Mary had a little lamb", "word") == [
        ("Mary", 0, 4),
        ("had", 5, 8),
        ("a", 9, 10),
        ("little", 11, 17),
        ("lamb", 18, 22),
    ]


def test_word_is_the_default_granularity() -> None:
    default = predict_language("Mary had a little lamb", seeds=SEEDS)
    assert default == predict("Mary had a little lamb", "word")


@pytest.mark.parametrize("granularity", GRANULARITIES)
def test_item_shape_and_key_order(granularity: str) -> None:
    items = predict("I love it. Really!", granularity)
    assert items
    for item in items:
        assert list(item) == ["text", "position", "emotions"]
        assert list(item["position"]) == ["begin", "end"]
        assert [e["name"] for e in item["emotions"]] == list(LANGUAGE_EXPRESSION_NAMES)
        assert len(item["emotions"]) == 53
        assert all(0.0 <= e["score"] <= 1.0 for e in item["emotions"])
        assert all(isinstance(e["score"], float) for e in item["emotions"])


def test_sentiment_and_toxicity_only_when_asked() -> None:
    (item,) = predict("hello there", sentiment=True, toxicity=True)
    assert list(item) == ["text", "position", "emotions", "sentiment", "toxicity"]
    assert [s["name"] for s in item["sentiment"]] == list(SENTIMENT_NAMES)
    assert [t["name"] for t in item["toxicity"]] == list(TOXICITY_NAMES)
    (only_tox,) = predict("hello there", toxicity=True)
    assert list(only_tox) == ["text", "position", "emotions", "toxicity"]
    (only_sent,) = predict("hello there", sentiment=True)
    assert list(only_sent) == ["text", "position", "emotions", "sentiment"]


def test_flags_do_not_change_the_emotions() -> None:
    plain = predict("What a lovely day", "word")
    full = predict("What a lovely day", "word", sentiment=True, toxicity=True)
    assert [i["emotions"] for i in plain] == [i["emotions"] for i in full]


@pytest.mark.parametrize("granularity", GRANULARITIES)
@pytest.mark.parametrize("text", ["", " ", "\n\t  \r\n", "?!...", " -- '' ", "___", "\u3000"])
def test_no_words_gives_no_predictions(text: str, granularity: str) -> None:
    assert predict(text, granularity) == []


def test_unknown_granularity_raises() -> None:
    with pytest.raises(ValueError, match="granularity"):
        predict("hello", "paragraph")
    with pytest.raises(ValueError, match="granularity"):
        predict("", "Word")


# --- segmentation ------------------------------------------------------------------------


def test_words_keep_internal_apostrophes_and_hyphens() -> None:
    text = "Hello, world! It's a well-known fact\u2014don't worry (really)."
    assert [s[0] for s in spans(text, "word")] == [
        "Hello", "world", "It's", "a", "well-known", "fact", "don't", "worry", "really",
    ]  # fmt: skip


def test_sentences() -> None:
    text = (
        "Hi there.  How are you?! I'm fine...\nNew line without stop\n\nMr. Smith paid 3.50 today"
    )
    assert [s[0] for s in spans(text, "sentence")] == [
        "Hi there.",
        "How are you?!",
        "I'm fine...",
        "New line without stop",
        "Mr. Smith paid 3.50 today",
    ]


def test_sentence_final_quotes_stay_with_their_sentence() -> None:
    assert [s[0] for s in spans('He said "stop." Then he left.', "sentence")] == [
        'He said "stop."',
        "Then he left.",
    ]


def test_utterances_are_non_blank_lines() -> None:
    text = "A: hello there. How are you?\r\n\n   \n  B: fine, thanks!  \n"
    assert spans(text, "utterance") == [
        ("A: hello there. How are you?", 0, 28),
        ("B: fine, thanks!", 37, 53),
    ]


def test_passage_is_the_trimmed_text() -> None:
    assert spans("  Hello world.\nBye! \n", "passage") == [("Hello world.\nBye!", 2, 19)]


@settings(deadline=None)
@given(st.text())
def test_positions_index_the_original_text(text: str) -> None:
    for granularity in GRANULARITIES:
        items = predict_language(text, granularity=granularity, seeds=SEEDS)
        last_end = 0
        for item in items:
            begin, end = item["position"]["begin"], item["position"]["end"]
            assert last_end <= begin < end <= len(text)
            assert text[begin:end] == item["text"]
            assert item["text"] == item["text"].strip()
            last_end = end
        if granularity == "passage":
            assert len(items) <= 1


@settings(deadline=None)
@given(st.lists(st.sampled_from(["a", "b", " ", "\n", ".", "!", "?", "'", "-", "\u2019", "é"])))
def test_segments_nest_words(chars: list[str]) -> None:
    """Every word lies inside exactly one sentence, utterance and the passage."""
    text = "".join(chars)
    words = segment_spans(text, "word")
    for granularity in ("sentence", "utterance", "passage"):
        segments = segment_spans(text, granularity)
        for begin, end in words:
            assert sum(b <= begin and end <= e for b, e in segments) == 1


# --- content -----------------------------------------------------------------------------


@pytest.mark.parametrize("granularity", GRANULARITIES)
def test_furious_is_angrier_and_delighted_is_happier(granularity: str) -> None:
    furious, delighted = "I am furious", "I am delighted"
    assert max_score(furious, "Anger", granularity) > max_score(delighted, "Anger", granularity)
    assert max_score(delighted, "Joy", granularity) > max_score(furious, "Joy", granularity)


def test_thank_you_so_much_is_grateful() -> None:
    (item,) = predict("thank you so much")
    top5 = sorted(item["emotions"], key=lambda e: -e["score"])[:5]
    assert "Gratitude" in [e["name"] for e in top5]


@pytest.mark.parametrize("granularity", GRANULARITIES)
def test_negation_lowers_joy(granularity: str) -> None:
    assert max_score("I am not happy", "Joy", granularity) < max_score(
        "I am happy", "Joy", granularity
    )


def test_negation_with_contraction_and_intervening_intensifier() -> None:
    happy = score(predict("I am really happy")[0], "Joy")
    assert score(predict("I'm not really happy")[0], "Joy") < happy
    assert score(predict("I don't feel happy")[0], "Joy") < happy
    assert score(predict("I never feel happy")[0], "Joy") < happy


def test_negation_stops_at_clause_punctuation() -> None:
    words = predict("Not now, I am happy", "word")
    negated = predict("I am not happy", "word")
    assert score(words[-1], "Joy") > score(negated[-1], "Joy")


def test_intensifiers_raise_and_downtoners_lower() -> None:
    plain = score(predict("I am happy")[0], "Joy")
    assert score(predict("I am very happy")[0], "Joy") > plain
    assert score(predict("I am slightly happy")[0], "Joy") < plain
    assert score(predict("I am kind of happy")[0], "Joy") < plain
    kind = predict("that is very kind of you")[0]
    assert "Gratitude" in [
        e["name"] for e in sorted(kind["emotions"], key=lambda e: -e["score"])[:5]
    ]


def test_exclamation_and_caps_raise_arousal() -> None:
    calm, loud = predict("I am happy")[0], predict("I am happy!!!")[0]
    assert score(loud, "Excitement") > score(calm, "Excitement")
    quiet, shout = predict("i am sad")[0], predict("I AM SAD")[0]
    assert score(shout, "Distress") > score(quiet, "Distress")


def test_sarcasm_cues() -> None:
    sarcastic = predict("Oh great, another meeting.")[0]
    sincere = predict("Great, another meeting.")[0]
    assert score(sarcastic, "Sarcasm") > score(sincere, "Sarcasm")
    (item,) = predict("Yeah right")
    assert "Sarcasm" in [e["name"] for e in sorted(item["emotions"], key=lambda e: -e["score"])[:3]]
    assert score(predict("oh sure")[0], "Sarcasm") > score(predict("sure")[0], "Sarcasm")


def test_not_sure_expresses_doubt() -> None:
    assert score(predict("I'm not sure")[0], "Doubt") > score(predict("I'm sure")[0], "Doubt")


@pytest.mark.parametrize(
    ("text", "expression"),
    [
        ("I am so bored", "Boredom"),
        ("this is so embarrassing", "Embarrassment"),
        ("that is really annoying", "Annoyance"),
        ("I strongly disapprove of this", "Disapproval"),
        ("I am so enthusiastic about it", "Enthusiasm"),
        ("I feel so guilty", "Guilt"),
        ("I am terrified", "Fear"),
        ("I miss my childhood", "Nostalgia"),
        ("I am exhausted", "Tiredness"),
        ("what a relief", "Relief"),
    ],
)
def test_lexicon_reaches_the_expression(text: str, expression: str) -> None:
    (item,) = predict(text)
    top3 = [e["name"] for e in sorted(item["emotions"], key=lambda e: -e["score"])[:3]]
    assert expression in top3


def test_inflections_are_recognised() -> None:
    assert score(predict("she laughed")[0], "Amusement") > score(
        predict("she left")[0], "Amusement"
    )
    assert score(predict("the saddest day")[0], "Sadness") > score(predict("the day")[0], "Sadness")


def test_sentences_are_scored_independently_of_their_neighbours() -> None:
    """Noise is keyed by content, so a sentence scores the same wherever it appears."""
    alone = predict("I am sad.", "sentence")[0]
    in_text = predict("What a day! I am sad.", "sentence")[1]
    assert alone["emotions"] == in_text["emotions"]


# --- determinism -------------------------------------------------------------------------


@pytest.mark.parametrize("granularity", GRANULARITIES)
def test_same_text_and_seed_give_identical_output(granularity: str) -> None:
    text = "Oh great. I can't believe it!!\nThank you so much, you idiot."
    first = predict_language(
        text, granularity=granularity, sentiment=True, toxicity=True, seeds=SeedSource(7)
    )
    second = predict_language(
        text, granularity=granularity, sentiment=True, toxicity=True, seeds=SeedSource(7)
    )
    other = predict_language(
        text, granularity=granularity, sentiment=True, toxicity=True, seeds=SeedSource(8)
    )
    assert json.dumps(first) == json.dumps(second)
    assert json.dumps(first) != json.dumps(other)
    assert [i["emotions"] for i in first] != [i["emotions"] for i in other]


# --- sentiment (``Sentiment``: levels 1 to 9) ----------------------------------------------


@pytest.mark.parametrize("granularity", GRANULARITIES)
@pytest.mark.parametrize(
    "text",
    ["I love this, it is wonderful", "I hate this, it is awful", "The table is in the kitchen"],
)
def test_sentiment_is_a_distribution(text: str, granularity: str) -> None:
    for item in predict(text, granularity, sentiment=True):
        assert len(item["sentiment"]) == 9
        assert all(0.0 <= s["score"] <= 1.0 for s in item["sentiment"])
        assert sum(s["score"] for s in item["sentiment"]) == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("granularity", ["sentence", "utterance", "passage"])
def test_sentiment_mean_tracks_valence(granularity: str) -> None:
    (positive,) = predict("I love this, it is wonderful", granularity, sentiment=True)
    (negative,) = predict("I hate this, it is awful", granularity, sentiment=True)
    (neutral,) = predict("The table is in the kitchen", granularity, sentiment=True)
    assert sentiment_mean(positive) > 6
    assert sentiment_mean(negative) < 4
    assert sentiment_mean(neutral) == pytest.approx(5, abs=0.75)


def test_word_sentiment_follows_the_word() -> None:
    items = predict("I love it", "word", sentiment=True)
    assert sentiment_mean(items[1]) > 6
    assert sentiment_mean(items[0]) == pytest.approx(5, abs=0.75)


# --- toxicity (``Toxicity``: six categories) -----------------------------------------------


@pytest.mark.parametrize("granularity", GRANULARITIES)
def test_toxicity_of_insults_and_pleasantries(granularity: str) -> None:
    def tox(text: str, name: str) -> float:
        return max_score(text, name, granularity, key="toxicity", toxicity=True)

    assert tox("you are a stupid idiot", "toxic") > 0.5
    assert tox("you are a stupid idiot", "insult") > 0.5
    assert tox("you are a stupid idiot", "identity_hate") < 0.1
    for name in TOXICITY_NAMES:
        assert tox("have a nice day", name) < 0.1


@pytest.mark.parametrize("granularity", GRANULARITIES)
def test_threats(granularity: str) -> None:
    def tox(text: str, name: str) -> float:
        return max_score(text, name, granularity, key="toxicity", toxicity=True)

    assert tox("I will kill you", "threat") > 0.5
    assert tox("I will kill you", "identity_hate") < 0.1
    assert tox("I will not hurt you", "threat") < tox("I will hurt you", "threat")


@pytest.mark.parametrize("granularity", ["sentence", "utterance", "passage"])
def test_identity_hate_needs_an_identity_target(granularity: str) -> None:
    def tox(text: str, name: str) -> float:
        return max_score(text, name, granularity, key="toxicity", toxicity=True)

    assert tox("I hate all people of your religion", "identity_hate") > 0.5
    assert tox("I love people of every religion", "identity_hate") < 0.1
    assert tox("I hate this, it is awful", "identity_hate") < 0.1
    assert tox("you are a stupid idiot", "identity_hate") < 0.1


def test_profanity_is_obscene() -> None:
    (item,) = predict("this is fucking bullshit", toxicity=True)
    assert score(item, "obscene", "toxicity") > 0.5
    assert score(item, "toxic", "toxicity") > 0.5


@pytest.mark.parametrize("granularity", GRANULARITIES)
def test_toxicity_scores_are_in_range(granularity: str) -> None:
    text = "You worthless moron, I will find you. Have a lovely day!\nThose people are vermin."
    for item in predict(text, granularity, toxicity=True):
        assert len(item["toxicity"]) == 6
        assert all(0.0 <= t["score"] <= 1.0 for t in item["toxicity"])


# --- lexicon data ------------------------------------------------------------------------


def test_lexicon_entries_are_well_formed() -> None:
    assert len(LEXICON) >= 400
    for word, (valence, arousal, boosts) in {**LEXICON, **PHRASES}.items():
        assert word == word.lower().strip(), word
        assert -1.0 <= valence <= 1.0 and -1.0 <= arousal <= 1.0, word
        for name, boost in boosts.items():
            assert name in AFFECT_COORDINATES and name in LANGUAGE_EXPRESSION_NAMES, (word, name)
            assert 0.0 < boost <= 1.0, (word, name)
    for phrase in PHRASES:
        assert 2 <= len(phrase.split()) <= 3, phrase
    for word, weights in TOXICITY_LEXICON.items():
        assert set(weights) <= {*TOXICITY_NAMES, "hostility"}, word
        assert all(0.0 <= w <= 1.0 for w in weights.values()), word


def test_every_language_expression_is_reachable_from_the_lexicon() -> None:
    boosted = {name for _, _, boosts in [*LEXICON.values(), *PHRASES.values()] for name in boosts}
    assert boosted == set(LANGUAGE_EXPRESSION_NAMES)
