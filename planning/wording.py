"""A plan's level names inside sentences. Each plan names its own levels ("Themed
outcome", "KPI", "Recommendation"), so pages and messages build their words from those
names: "Add a KPI", "Ratings by themed outcome", "Actions and KPIs". Plain functions on
strings (no Django), used by the views, the templates (``planning_tags``) and the models'
messages alike."""

# acronyms said letter by letter whose first letter's name starts with a vowel sound
_AN_LETTERS = set("AEFHILMNORSX")
# words that start with a vowel letter but a consonant sound, and the reverse
_A_BEFORE = ("uni", "use", "usu", "uti", "eu", "one", "once")
_AN_BEFORE = ("hour", "honest", "honour", "heir")


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
    """ "an action", "a priority", "a KPI", "an SEN target", "a unit of work"."""
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
    """ "Priority" -> "Priorities", "KPI" -> "KPIs", "Unit of work" -> "Units of work"."""
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
