"""Label sets of the Hume Expression Measurement streaming models, in output order.

Sources: the model pages of https://dev.hume.ai/docs/expression-measurement (48 and 53
expressions), real batch output (hume-api-examples ``visualization-example/predictions.json``:
the order), Hume's streaming definition (toxicity, sentiment) and public third-party code (FACS,
descriptions).
"""

from __future__ import annotations

__all__ = [
    "DESCRIPTION_NAMES",
    "EXPRESSION_NAMES",
    "FACS_NAMES",
    "LANGUAGE_EXPRESSION_NAMES",
    "SENTIMENT_NAMES",
    "TOXICITY_NAMES",
]

#: 48 expressions of face, prosody, burst and facemesh (VERIFIED order: real batch output).
EXPRESSION_NAMES: tuple[str, ...] = (
    "Admiration", "Adoration", "Aesthetic Appreciation", "Amusement", "Anger", "Anxiety", "Awe",
    "Awkwardness", "Boredom", "Calmness", "Concentration", "Confusion", "Contemplation",
    "Contempt", "Contentment", "Craving", "Desire", "Determination", "Disappointment", "Disgust",
    "Distress", "Doubt", "Ecstasy", "Embarrassment", "Empathic Pain", "Entrancement", "Envy",
    "Excitement", "Fear", "Guilt", "Horror", "Interest", "Joy", "Love", "Nostalgia", "Pain",
    "Pride", "Realization", "Relief", "Romance", "Sadness", "Satisfaction", "Shame",
    "Surprise (negative)", "Surprise (positive)", "Sympathy", "Tiredness", "Triumph",
)  # fmt: skip

#: 53 expressions of the language model: the 48 plus five (language model page; order INFERRED).
LANGUAGE_EXPRESSION_NAMES: tuple[str, ...] = tuple(
    sorted(
        (*EXPRESSION_NAMES, "Annoyance", "Disapproval", "Enthusiasm", "Gratitude", "Sarcasm"),
        key=lambda name: name.replace(" (", "~("),
    )
)

#: 36 FACS 2.0 action units and gestures (third-party code reading real output).
FACS_NAMES: tuple[str, ...] = (
    "AU1 Inner Brow Raise", "AU2 Outer Brow Raise", "AU4 Brow Lowerer", "AU5 Upper Lid Raise",
    "AU6 Cheek Raise", "AU7 Lids Tight", "AU9 Nose Wrinkle", "AU10 Upper Lip Raiser",
    "AU11 Nasolabial Furrow Deepener", "AU12 Lip Corner Puller", "AU14 Dimpler",
    "AU15 Lip Corner Depressor", "AU16 Lower Lip Depress", "AU17 Chin Raiser", "AU18 Lip Pucker",
    "AU19 Tongue Show", "AU20 Lip Stretch", "AU22 Lip Funneler", "AU23 Lip Tightener",
    "AU24 Lip Presser", "AU25 Lips Part", "AU26 Jaw Drop", "AU27 Mouth Stretch", "AU28 Lips Suck",
    "AU32 Bite", "AU34 Puff", "AU37 Lip Wipe", "AU38 Nostril Dilate", "AU43 Eye Closure",
    "AU53 Head Up", "AU54 Head Down", "Hand over Mouth", "Hand over Eyes", "Hand over Forehead",
    "Hand over Face", "Hand touching Face / Head",
)  # fmt: skip

#: 27 face descriptions, alphabetical (third-party code reading real output).
DESCRIPTION_NAMES: tuple[str, ...] = (
    "Beaming", "Biting lip", "Cheering", "Cringe", "Cry", "Eyes closed", "Face in hands", "Frown",
    "Gasp", "Glare", "Glaring", "Grimace", "Grin", "Jaw drop", "Laugh", "Licking lip", "Pout",
    "Scowl", "Smile", "Smirk", "Snarl", "Squint", "Sulking", "Tongue out", "Wide-eyed", "Wince",
    "Wrinkled nose",
)  # fmt: skip

#: Six toxicity categories (``Toxicity``: VERIFIED names, order INFERRED).
TOXICITY_NAMES: tuple[str, ...] = (
    "toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate",
)  # fmt: skip

#: Nine sentiment levels, "1" (negative) to "9" (positive) (``SentimentItem``; strings INFERRED).
SENTIMENT_NAMES: tuple[str, ...] = tuple(str(level) for level in range(1, 10))

assert len(EXPRESSION_NAMES) == 48
assert len(LANGUAGE_EXPRESSION_NAMES) == 53
assert len(FACS_NAMES) == 36
assert len(DESCRIPTION_NAMES) == 27
