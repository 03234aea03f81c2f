"""A plan's level names inside sentences. Each plan names its own levels ("Themed
outcome", "KPI", "Recommendation"), so pages and messages build their words from those
names: "Add a KPI", "Ratings by themed outcome", "Actions and KPIs". Plain functions on
strings, used by the views, the templates (``planning_tags``) and the models' messages
alike. English and Welsh (decision 0029): Welsh has no indefinite article, and makes its
plurals in ways no rule of thumb follows, so in Welsh a level name takes no article and
its plural is the one its Welsh name is known by (or, for a council's own name, the name
as it is)."""

from django.utils import translation
from django.utils.translation import pgettext_lazy

# acronyms said letter by letter whose first letter's name starts with a vowel sound
_AN_LETTERS = set("AEFHILMNORSX")
# words that start with a vowel letter but a consonant sound, and the reverse
_A_BEFORE = ("uni", "use", "usu", "uti", "eu", "one", "once")
_AN_BEFORE = ("hour", "honest", "honour", "heir")


# the Welsh plurals of the level names every plan starts with (docs/translation-glossary.md)
_WELSH_PLURALS = {
    "gweledigaeth": "gweledigaethau",
    "blaenoriaeth": "blaenoriaethau",
    "cam gweithredu": "camau gweithredu",
    "targed": "targedau",
    "carreg filltir": "cerrig milltir",
}

# the level names a plan starts with (``Plan.label_*``'s defaults), kept in English on the
# plan: shown in the reader's language while the plan keeps them (``Plan.label_for``)
DEFAULT_LABELS = {
    "Vision": pgettext_lazy("level of a plan", "Vision"),
    "Priority": pgettext_lazy("level of a plan", "Priority"),
    "Action": pgettext_lazy("level of a plan", "Action"),
    "Target": pgettext_lazy("level of a plan", "Target"),
    "Milestone": pgettext_lazy("level of a plan", "Milestone"),
}


def in_welsh() -> bool:
    return (translation.get_language() or "").startswith("cy")


def shown(label: str) -> str:
    """A plan's level name in the reader's language: a default name ("Priority") in
    Welsh reads "Blaenoriaeth"; a plan's own name is the plan's."""
    default = DEFAULT_LABELS.get(label)
    return str(default) if default is not None else label


def name_fields(model, names: dict) -> None:
    """Give a model's fields the names Django would make from them (``lead_officer`` ->
    "lead officer"), marked for translation, so forms label them in the reader's language.
    Set on the fields after the class is made, not passed to them, so that no migration
    records them (a field's deconstruction keeps only a name it was given)."""
    for name, words in names.items():
        field = model._meta.get_field(name)
        if field._verbose_name is None:
            field.verbose_name = words


def sentence(text: str) -> str:
    """A sentence that may start with a placeholder's word: its first letter a capital."""
    return text[:1].upper() + text[1:]


def is_acronym(word: str) -> bool:
    """ "KPI", "SEN", "KPIs", "EHCP": two or more letters, all capitals (a trailing
    plural "s" aside)."""
    letters = [c for c in word.removesuffix("s") if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def in_sentence(label: str) -> str:
    """A level name in the middle of a sentence: "Themed outcome" -> "themed outcome";
    acronyms keep their capitals ("KPI", "SEN target")."""
    return " ".join(word if is_acronym(word) else word.lower() for word in label.split())


def with_article(noun: str) -> str:
    """ "an action", "a priority", "a KPI", "an SEN target", "a unit of work"; in Welsh,
    which has no indefinite article, the noun alone."""
    if in_welsh():
        return noun
    first = noun.split()[0] if noun.split() else ""
    if is_acronym(first):
        article = "an" if first[0] in _AN_LETTERS else "a"
    elif first.lower().startswith(_AN_BEFORE):
        article = "an"
    elif first.lower().startswith(_A_BEFORE):
        article = "a"
    else:
        article = "an" if first[:1].lower() in "aeiou" else "a"
    return f"{article} {noun}"


def plural(label: str) -> str:
    """ "Priority" -> "Priorities", "KPI" -> "KPIs", "Unit of work" -> "Units of work"; in
    Welsh "Blaenoriaeth" -> "Blaenoriaethau", and a name it does not know as it is."""
    if in_welsh():
        known = _WELSH_PLURALS.get(label.lower())
        if known is None:
            return label
        return sentence(known) if label[:1].isupper() else known
    head, of, rest = label.partition(" of ")
    words = head.split(" ")
    last = words[-1]
    if is_acronym(last):
        words[-1] = last + "s"
    elif last.endswith("y") and last[-2:-1].lower() not in set("aeiou"):
        words[-1] = last[:-1] + "ies"
    elif last.endswith(("s", "x", "z", "ch", "sh")):
        words[-1] = last + "es"
    else:
        words[-1] = last + "s"
    return " ".join(words) + (of + rest if of else "")
