"""The acronyms a board pack prints, with their meanings: opgen's built-in NHS glossary
(opgen/resources/glossary.yaml), the terms a plan defines (`glossary: [{term, meaning}]`), the ones
its text defines as "Full Name (ABBR)" (or "ABBR (Full Name)"), and the pack file's own.

    found = glossary_for(printed_texts, plans, pack_terms)    # [(term, meaning)], sorted

Only terms that appear in the printed text are listed (a whole word, capitals as written; a plural
"CCGs" counts for "CCG"). Where the same term has meanings from several places, the pack's wins,
then the plans' (every different meaning listed, in pack order), then the built-in one.
"""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache
from typing import Any, Iterable

from opgen import display
from opgen.resources import RESOURCES_DIR

GLOSSARY_PATH = RESOURCES_DIR / "glossary.yaml"
# Small words a full name may hold without a letter in the abbreviation ("Payment by Results (PbR)").
_SKIP = {"and", "of", "the", "for", "in", "by", "to", "with", "on", "at", "&", "a", "an", "nhs"}
_ABBR = r"[A-Z0-9][A-Za-z0-9&]{1,9}"
_AFTER = re.compile(r"\((" + _ABBR + r")\)")                                 # Full Name (ABBR)
_BEFORE = re.compile(r"(?<![A-Za-z0-9&])(" + _ABBR + r")\s+\(([^()]{3,120})\)")  # ABBR (Full Name)
_TOKEN = re.compile(r"[A-Za-z0-9&]+")  # a whole word as the glossary matches terms
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’]*")


@lru_cache(maxsize=1)
def builtin() -> dict[str, str]:
    """opgen's built-in NHS glossary: term -> meaning."""
    import yaml

    data = yaml.safe_load(GLOSSARY_PATH.read_text(encoding="utf-8")) or {}
    return {str(k): " ".join(str(v).split()) for k, v in data.items()}


def _is_abbreviation(term: str) -> bool:
    """Two or more capitals (or a digit and a capital): 'QIPP', 'PbR', 'A&E', '5YFV'; not 'Kent'."""
    caps = sum(1 for ch in term if ch.isupper())
    return caps >= 2 or (caps >= 1 and any(ch.isdigit() for ch in term))


def _letters(term: str) -> list[str]:
    return [ch.lower() for ch in term if ch.isalnum()]


def _match_backwards(words: list[str], letters: list[str]) -> int | None:
    """The index in `words` where a full name for `letters` starts, matching from the last word
    back (each word gives its first letter; small words may be skipped), or None."""
    need = list(letters)
    i = len(words) - 1
    start = None
    while need and i >= 0:
        word = words[i]
        run = [ch.lower() for ch in word if ch.isalnum()]
        if word.isupper() and len(run) > 1 and need[-len(run):] == run:  # "NHS England (NHSE)"
            del need[-len(run):]
            start = i
        elif any(len(need) >= k and word[:k].lower() == "".join(need[-k:]) for k in (1, 2, 3)):
            # a word gives its first letter, or its first two or three ("Commissioning for QUality
            # and INnovation (CQUIN)")
            k = max(k for k in (1, 2, 3) if len(need) >= k and word[:k].lower() == "".join(need[-k:]))
            del need[-k:]
            start = i
        elif word.lower() in _SKIP:
            pass
        else:
            return None
        i -= 1
    if need or start is None:
        return None
    return start


def definitions_in(text: str) -> dict[str, str]:
    """The definitions a text writes as "Full Name (ABBR)" or "ABBR (Full Name)", where the name's
    initials spell the abbreviation: {'JSNA': 'Joint Strategic Needs Assessment'}."""
    out: dict[str, str] = {}
    if not text or "(" not in text:
        return out
    for m in _AFTER.finditer(text):
        term = m.group(1)
        if not _is_abbreviation(term):
            continue
        before = text[max(0, m.start() - 200):m.start()]
        spans = [(w.group(0), w.start()) for w in _WORD.finditer(before.replace("-", " "))]
        words = [w for w, _ in spans][-(len(term) + 6):]
        offsets = [o for _, o in spans][-(len(term) + 6):]
        start = _match_backwards(words, _letters(term))
        if start is not None and words[start][:1].isupper():
            name = before[offsets[start]:].strip()
            out.setdefault(term, display.glossary_meaning(name))
    for m in _BEFORE.finditer(text):
        term, name = m.group(1), m.group(2)
        if not _is_abbreviation(term) or term in out:
            continue
        words = _WORD.findall(name.replace("-", " "))
        start = _match_backwards(words, _letters(term))
        if start == 0 and len(words) <= len(term) + 4:
            out.setdefault(term, display.glossary_meaning(name))
    return out


def strings(obj: Any, out: list[str] | None = None, depth: int = 0) -> list[str]:
    """Every string in a model object (dataclasses, lists, dicts), for finding definitions."""
    out = [] if out is None else out
    if depth > 40:
        return out
    if isinstance(obj, str):
        out.append(obj)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            if f.name not in ("path", "amounts_path", "source"):
                strings(getattr(obj, f.name, None), out, depth + 1)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            strings(value, out, depth + 1)
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for value in obj:
            strings(value, out, depth + 1)
    return out


def plan_definitions(plan) -> dict[str, str]:
    """A plan's own terms: its `glossary`, then the "Full Name (ABBR)" definitions in its text."""
    out = {term: display.glossary_meaning(meaning) for term, meaning in getattr(plan, "glossary", None) or []}
    for text in strings(plan):
        for term, meaning in definitions_in(text).items():
            out.setdefault(term, meaning)
    return out


def _same_meaning_key(meaning: str) -> str:
    """Meanings that differ only in case, punctuation or an 'NHS' are one meaning."""
    words = re.findall(r"[a-z0-9]+", meaning.casefold())
    return " ".join(w for w in words if w != "nhs")


def _uses(text: str, term: str) -> bool:
    return re.search(r"(?<![A-Za-z0-9&])" + re.escape(term) + r"s?(?![A-Za-z0-9&])", text) is not None


def glossary_for(printed: Iterable[str], plans: Iterable = (), pack_terms: Iterable[tuple[str, str]] = ()) \
        -> list[tuple[str, str]]:
    """(term, meaning) for every known term the printed text uses, sorted by term."""
    text = "\n".join(t for t in printed if t)
    meanings: dict[str, list[str]] = {}
    for term, meaning in pack_terms:
        meanings.setdefault(str(term), []).append(display.glossary_meaning(meaning))
    pack_defined = set(meanings)
    for plan in plans:
        for term, meaning in plan_definitions(plan).items():
            if term in pack_defined:
                continue
            known = meanings.setdefault(term, [])
            if _same_meaning_key(meaning) not in {_same_meaning_key(m) for m in known}:
                known.append(meaning)
    for term, meaning in builtin().items():
        meanings.setdefault(term, [meaning])
    words = set(_TOKEN.findall(text))

    def used(term: str) -> bool:
        if _TOKEN.fullmatch(term):  # one word: look it up (a plural "CCGs" counts)
            return term in words or term + "s" in words
        return _uses(text, term)     # "C. diff": search the text
    found = [(term, display.glossary_meanings(ms)) for term, ms in meanings.items() if used(term)]
    return sorted(found, key=lambda tm: (tm[0].casefold(), tm[0]))
