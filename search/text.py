"""Chinese-aware text handling shared by the Elasticsearch index and the database fallback.

Both backends see exactly the same normalised text, the same query terms and the same pinyin
strings, computed here in Python, so that a query finds the same records whichever backend
answers it:

- Chinese has no spaces between words, so text is matched by overlapping character bigrams
  ("劳动合同" → 劳动 动合 合同): a query "劳动" then finds it without a dictionary.
- Names also carry pinyin, full syllables and initials ("卜寨村委会" → "buzhaicunweihui", "bzcwh"),
  matched by prefix, so that `buzhai` and `bz` find it. Place names and surnames are often read
  differently from a character's default reading (卜寨 is bǔ zhài, pypinyin's default for 卜 is
  "bo"), so every reading of a polyphonic character is indexed: users type what they say.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from pypinyin import Style, pinyin

MAX_QUERY_LENGTH = 100  # characters a search box accepts; longer queries are refused with a 400
MAX_TERMS = 8  # query terms used (a pasted paragraph is not a search)
MAX_PINYIN_VARIANTS = 12  # readings combinations kept per name
PINYIN_CORE_CHARS = 6  # polyphonic characters beyond these use their default reading only

# Generic endings of village, community and organisation names: a user looking for 卜寨村委会
# types 卜寨, so the name without its ending ranks like an exact match.
GENERIC_SUFFIXES = sorted(
    [
        "村民委员会",
        "居民委员会",
        "社区居民委员会",
        "社区居委会",
        "村委会",
        "居委会",
        "社区",
        "村",
        "律师事务所",
        "法律服务所",
        "基层法律服务所",
    ],
    key=len,
    reverse=True,
)

_CJK_RANGES = (
    (0x3400, 0x4DBF),  # Extension A
    (0x4E00, 0x9FFF),  # Unified Ideographs
    (0xF900, 0xFAFF),  # Compatibility Ideographs
    (0x20000, 0x2FA1F),  # Extensions B–F and the compatibility supplement
    (0x30000, 0x323AF),  # Extensions G–H
)
WORD_RE = re.compile(r"[a-z0-9]+")  # ASCII words of normalised text


def is_cjk(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII), lower case, no control characters.

    Whitespace runs become one space. Used on indexed text and on queries alike.
    """
    text = unicodedata.normalize("NFKC", text or "").lower()
    if text.isprintable():  # no control, format or separator characters but the ASCII space
        return " ".join(text.split()) if "  " in text or text[:1] == " " or text[-1:] == " " else text
    cleaned = []
    for char in text:
        category = unicodedata.category(char)
        if category.startswith("C"):  # control, format, surrogate, private use, unassigned
            cleaned.append(" ")
        elif category.startswith("Z"):
            cleaned.append(" ")
        else:
            cleaned.append(char)
    return " ".join("".join(cleaned).split())


def core_name(name: str) -> str:
    """`name` without its generic ending (卜寨村委会 → 卜寨), unless nothing would be left."""
    key = normalise(name)
    for suffix in GENERIC_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


def bigrams(run: str) -> list[str]:
    """Overlapping character bigrams of a run of Chinese characters (a lone character is itself)."""
    if len(run) < 2:
        return [run] if run else []
    return [run[i : i + 2] for i in range(len(run) - 1)]


_RUN_RE = re.compile(
    "([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f\U00030000-\U000323af]+)|([a-z0-9]+)"
)


def split_runs(text: str) -> list[tuple[str, str]]:
    """(kind, run) pairs: "cjk" runs of Chinese characters and "word" runs of ASCII letters/digits.

    Everything else (punctuation, quotes, operators, symbols, spaces) only separates runs, so it
    can never change the meaning of a query.
    """
    return [("cjk", m[0]) if m[0] else ("word", m[1]) for m in _RUN_RE.findall(normalise(text))]


def text_bigrams(text: str) -> set[str]:
    """Every bigram (and lone character) of the Chinese runs of `text`, plus its ASCII words."""
    tokens: set[str] = set()
    for kind, run in split_runs(text):
        if kind == "cjk":
            tokens.update(bigrams(run))
        else:
            tokens.add(run)
    return tokens


# --- pinyin ---------------------------------------------------------------------------------------


@lru_cache(maxsize=50_000)
def readings(char: str) -> tuple[str, ...]:
    """Every toneless reading of one character, the most common first ("卜" → bo, bu, pu).

    "ü" is written "v" (as input methods take it) with "u" as a further reading, since many
    people type "lu" for 绿.
    """
    if not is_cjk(char):
        return (char,) if char.isascii() and char.isalnum() else ()
    found = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")
    values: list[str] = []
    for reading in found[0] if found else []:
        reading = reading.strip().lower()
        if reading and reading.isascii() and reading.isalpha() and reading not in values:
            values.append(reading)
    for reading in list(values):
        if "v" in reading and reading.replace("v", "u") not in values:
            values.append(reading.replace("v", "u"))
    return tuple(values)


@dataclass
class Pinyin:
    """Pinyin strings of a name: full syllables and initials, each with every reading kept."""

    full: list[str] = field(default_factory=list)
    initials: list[str] = field(default_factory=list)

    def tokens(self) -> list[str]:
        return self.full + self.initials


@lru_cache(maxsize=700_000)
def name_pinyin(name: str) -> Pinyin:
    """Pinyin of `name` run together, with combinations of readings of polyphonic characters.

    Combinations are ordered by how common their readings are (the sum of each reading's rank)
    and capped, so that a name of rare characters cannot produce thousands of strings. Characters
    beyond the first few (and the generic ending, "村委会") use their default reading only.
    Cached (a national rebuild asks for each village name twice, for the village and for its
    adviser; about 300 MB at most): callers must not modify the result.
    """
    chars = [c for c in normalise(name) if readings(c)]
    if not chars:
        return Pinyin()
    core_length = min(len(core_name("".join(chars))), PINYIN_CORE_CHARS)
    # Only the core's characters vary; the rest is read the common way.
    tail = [readings(c)[0] for c in chars[core_length:]]
    tail_full = "".join(tail)
    tail_initials = "".join(s[0] for s in tail)
    options = [readings(c) for c in chars[:core_length]]
    if all(len(o) == 1 for o in options):
        ranked = [tuple((0, o[0]) for o in options)]
    else:
        ranked = sorted(
            itertools.islice(itertools.product(*[list(enumerate(o)) for o in options]), 2000),
            key=lambda combo: sum(rank for rank, _ in combo),
        )
    full: list[str] = []
    initials: list[str] = []
    for combo in ranked:
        whole = "".join(reading for _, reading in combo) + tail_full
        first = "".join(reading[0] for _, reading in combo) + tail_initials
        if whole not in full:
            full.append(whole)
        if first not in initials:
            initials.append(first)
        if len(full) >= MAX_PINYIN_VARIANTS:
            break
    return Pinyin(full=full, initials=initials[:MAX_PINYIN_VARIANTS])


# --- queries --------------------------------------------------------------------------------------


@dataclass
class Term:
    """One part of a query. All terms of a query must match (AND).

    A Chinese term matches text containing enough of its bigrams (all of them up to three, 75%
    for longer runs, so a long phrase with one stray character still matches), or its
    characters as a phrase. A word term (ASCII letters/digits) matches a pinyin string or an
    ASCII word by prefix, or a division code by prefix.
    """

    kind: str  # "cjk" or "word"
    text: str

    @property
    def match_text(self) -> str:
        """What must match: a full name is matched by its distinctive part.

        "营房村民委员会" needs 营房 (its generic ending, shared by 400,000 villages, adds nothing
        but cost); the exact name still ranks first through the title.
        """
        if self.kind != "cjk":
            return self.text
        core = core_name(self.text)
        return core if len(core) >= 2 else self.text

    @property
    def bigrams(self) -> list[str]:
        return list(dict.fromkeys(bigrams(self.match_text))) if self.kind == "cjk" else []

    @property
    def required(self) -> int:
        """How many of the term's bigrams must match (the "3<75%" rule)."""
        count = len(self.bigrams)
        return count if count <= 3 else max(3, int(count * 0.75))

    @property
    def is_code(self) -> bool:
        return self.kind == "word" and self.text.isdigit() and len(self.text) >= 4


@dataclass
class Query:
    text: str  # the normalised query
    terms: list[Term]

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def compact(self) -> str:
        """The query without separators, as an exact name would be typed ("卜寨村委会", "buzhai")."""
        return "".join(term.text for term in self.terms)


OPERATORS = {"and", "or", "not"}


class QueryTooLong(ValueError):
    """More than MAX_QUERY_LENGTH characters: refused with a clear message, never truncated silently."""


def parse_query(raw: str) -> Query:
    """Terms of a user's query. Quotes, operators and control characters are separators only.

    Several ASCII words in a row are also joined ("bu zhai" → "buzhai"), since people type
    pinyin with and without spaces.
    """
    text = normalise(raw)
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryTooLong(text[:20])
    runs = split_runs(text)
    terms: list[Term] = []
    for kind, run in runs:
        if kind == "word" and terms and terms[-1].kind == "word" and not run.isdigit():
            if not terms[-1].text.isdigit():
                terms[-1] = Term("word", terms[-1].text + run)
                continue
        terms.append(Term(kind, run))
    # Search-engine operators and stray single letters or digits ("1=1") are noise next to
    # real words; a query made only of them keeps them. Duplicates go.
    meaningful = [t for t in terms if not (t.kind == "word" and (t.text in OPERATORS or len(t.text) < 2))]
    unique: list[Term] = []
    for term in meaningful or terms:
        if all(term.text != t.text for t in unique):
            unique.append(term)
    return Query(text=text, terms=unique[:MAX_TERMS])


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with `prefix` (code-point order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)
