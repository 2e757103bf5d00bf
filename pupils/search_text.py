"""The one normalised form of a pupil's names and UPNs that search matches against.

`normalise("Zoë O'Brien-Smith")` is `"zoe obrien smith"`: accents dropped (NFKD), case folded, apostrophes
removed (people type "obrien"), every other non-letter or digit a space. Queries are normalised the same way,
so "zoe", "ZOË" and "brien" all find her. Kept in `Pupil.search_text` by `Pupil.save()` and by the manager's
`bulk_create` / `bulk_update` (pupils.models.PupilManager), so every path that writes a pupil keeps it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# The fields whose text search finds; a change to any of them changes search_text.
SEARCHED_FIELDS = (
    "legal_forename",
    "legal_surname",
    "preferred_forename",
    "preferred_surname",
    "upn",
    "former_upn",
)
_APOSTROPHES = re.compile(r"['’‘`]")
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def normalise(text: str) -> str:
    """>>> normalise("  Zoë  O'Brien-Smith ")
    'zoe obrien smith'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    bare = bare.replace("ß", "ss").replace("ø", "o").replace("æ", "ae").replace("ł", "l").replace("đ", "d")
    return _NOT_WORD.sub(" ", _APOSTROPHES.sub("", bare)).strip()


def search_text_for(pupil: Any) -> str:
    """Every searched field of the pupil, normalised, each word once, in a stable order."""
    words: list[str] = []
    for field in SEARCHED_FIELDS:
        for word in normalise(getattr(pupil, field, "") or "").split():
            if word not in words:
                words.append(word)
    return " ".join(words)
