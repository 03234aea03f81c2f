"""Rules for the text people type: how long it may be, and which characters it may hold.

Every free-text field has a limit (a 1 MB description was accepted once, and rendering
cost grows with it), and no field accepts characters that a reader cannot see but that
change what others are shown or sent: control characters (a title with ``\\r\\nBcc:``
stopped a notification for good) and the bidirectional overrides that make text read
backwards (U+202E). Text boxes keep their line breaks and tabs; single-line fields keep
neither. The validators sit on the models (so the loader, the workbook and the admin
refuse such text) and on every form field (``config.forms`` adds them by widget).
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

TEXT_LIMIT = 10_000  # a description, comment, narrative or mitigation: some 1,500 words
LONG_TEXT_LIMIT = 20_000  # a plan's summary
NOTE_LIMIT = 2_000  # a short reason written in a text box

# Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): they
# reorder what follows them on screen, so a title can be made to read as something else.
_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_SINGLE_LINE_REFUSED = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI_CONTROLS}\u2028\u2029]")
_TEXT_REFUSED = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI_CONTROLS}]")


def _describe(character: str) -> str:
    name = unicodedata.name(character, "")
    if character in "\r\n\u2028\u2029":
        return _("a line break")
    if character == "\t":
        return _("a tab")
    code = f"U+{ord(character):04X}{' ' + name.title() if name else ''}"
    return _("an invisible character (%(code)s)") % {"code": code}


@deconstructible
class _RefuseCharacters:
    def __init__(self, pattern: re.Pattern, where: str):
        self.pattern, self.where = pattern, where

    def __call__(self, value) -> None:
        found = self.pattern.search(str(value or ""))
        if found:
            raise ValidationError(
                _("Remove %(what)s from %(where)s: it would change what others see or are sent."),
                code="control_character",
                params={"what": _describe(found.group()), "where": _WHERE.get(self.where, self.where)},
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, _RefuseCharacters) and self.pattern.pattern == other.pattern.pattern


# where the refused character is, as the message says it (kept in English in the
# validator, which migrations record, and translated when the message is written)
_WHERE = {"this field": gettext_lazy("this field"), "the text": gettext_lazy("the text")}
single_line = _RefuseCharacters(_SINGLE_LINE_REFUSED, "this field")
multi_line = _RefuseCharacters(_TEXT_REFUSED, "the text")


class BoundedTextField(models.TextField):
    """A text box with a limit that holds everywhere: Django gives a ``TextField``'s
    ``max_length`` to its form field only, so here ``full_clean`` checks it too (as for a
    ``CharField``), and the characters ``multi_line`` refuses are refused."""

    def __init__(self, *args, max_length: int = TEXT_LIMIT, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        self.validators.extend([MaxLengthValidator(max_length), multi_line])


def one_line(text: str) -> str:
    """Text made safe to put on one line (an email's subject): every control character,
    line break or direction override becomes a space, runs of spaces one space."""
    return " ".join(_SINGLE_LINE_REFUSED.sub(" ", text or "").split())
