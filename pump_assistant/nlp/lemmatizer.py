"""A lookup lemmatizer that ignores case.

spaCy's lookup mode keys its table on the token's exact text, so "Breathing"
at the start of a message would keep its form while "breathing" becomes
"breathe". Patients type in every case; the safety net and the featurizers
need one lemma for both.
"""

# No `from __future__ import annotations`: spaCy resolves the factory's
# argument types at run time.
from typing import List, Optional

from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokens import Token
from thinc.api import Model

# Where the lookup table's answer is wrong for how patients write: "does" is
# listed as the plural of "doe", and the tokenizer splits "can't"/"cant" into
# "ca" + "n't"/"nt".
LEMMA_OVERRIDES = {"does": "do", "ca": "can", "wo": "will", "sha": "shall", "nt": "not", "n't": "not"}


class CaseInsensitiveLookupLemmatizer(Lemmatizer):
    def lookup_lemmatize(self, token: Token) -> List[str]:
        lower = token.lower_
        if lower in LEMMA_OVERRIDES:
            return [LEMMA_OVERRIDES[lower]]
        table = self.lookups.get_table("lemma_lookup", {})
        return [table.get(lower, lower)]


@Language.factory(
    "pump_lookup_lemmatizer",
    assigns=["token.lemma"],
    default_config={"model": None, "mode": "lookup", "overwrite": True},
)
def make_lemmatizer(
    nlp: Language, model: Optional[Model], name: str, mode: str, overwrite: bool
) -> CaseInsensitiveLookupLemmatizer:
    return CaseInsensitiveLookupLemmatizer(nlp.vocab, model, name, mode=mode, overwrite=overwrite)
