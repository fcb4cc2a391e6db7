"""Text features of an article: words, shingles, MinHash signatures, LSH band keys, sentences.

Pure functions of the text, so the live path (services.assign_article), the recompute
command and the benchmark compute exactly the same thing.
"""

from __future__ import annotations

import hashlib
import html
import re
from functools import lru_cache

import numpy as np
from django.utils.html import strip_tags

from .embeddings import embed

# Near-duplicate text: word 3-grams of the whole article, 64 permutations, 8 bands of 8
# rows (two texts become candidates with probability ~0.5 at a Jaccard similarity of 0.75).
DUP_PERM, DUP_BANDS, DUP_ROWS, DUP_SHINGLE = 64, 8, 8, 3
# Same event: one key per distinct (stemmed) content word of title and lead, at most
# MAX_TERMS: bands of a single row each, i.e. an inverted index of those words, so two
# reports sharing even one unusual word meet as candidates.
MAX_TERMS = 40
_SEED = 20260
# Stored signatures are only comparable within one scheme (datasketch 2.0 names them).
SCHEME = "affine32"

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on once
    only or other our ours out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your
    yours said says say new one two year years week day days first last after told its
    it's will could may might must shall s t""".split()
)


def plain_text(value: str) -> str:
    """HTML to one line of plain text."""
    return " ".join(html.unescape(strip_tags(value or "")).split())


def words(value: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(value)]


def content_words(value: str) -> list[str]:
    """Words that carry meaning: no stop words, no one-letter words."""
    return [w for w in words(value) if len(w) > 1 and w not in STOPWORDS]


_SUFFIXES = ("ations", "ation", "ings", "ing", "ers", "er", "ies", "ied", "es", "ed", "s", "ly")


def stem(word: str) -> str:
    """A light suffix stripper ("flooded", "floods" -> "flood"); keeps four letters at least."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def terms(value: str) -> list[str]:
    """The stemmed content words of a text, in order."""
    return [stem(w) for w in content_words(value)]


def term_key(term: str) -> int:
    digest = hashlib.blake2b(b"t" + term.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def lead_text(title: str, summary: str, body: str, limit: int = 60) -> str:
    """Title, summary and the start of the body: what a reader takes in first."""
    start = " ".join(plain_text(body).split()[:limit])
    return f"{title}. {summary}. {start}"


# datasketch is imported where a signature is made, not with this module: its package
# imports its LSH classes and with them scipy, about 0.6 CPU-seconds on every process
# start (each gunicorn worker, task worker and manage.py command loads the URLconf and
# with it this module), for a class only matching uses.


@lru_cache(maxsize=2)
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    from datasketch import MinHash

    proto = MinHash(num_perm=num_perm, seed=_SEED, scheme=SCHEME)
    return proto.permutations


def _hash32(data: bytes) -> int:
    # blake2b is in the standard library and faster than datasketch's sha1 default.
    return int.from_bytes(hashlib.blake2b(data, digest_size=4).digest(), "little")


def minhash(tokens, num_perm: int) -> np.ndarray:
    """A MinHash signature (uint32 values) of a set of tokens, via datasketch's permutations."""
    from datasketch import MinHash

    tokens = set(tokens)
    mh = MinHash(
        num_perm=num_perm,
        seed=_SEED,
        hashfunc=_hash32,
        permutations=_permutations(num_perm),
        scheme=SCHEME,
    )
    if tokens:
        mh.update_batch([t.encode() for t in tokens])
    return mh.hashvalues.astype(np.uint32)


def shingles(text_words: list[str], size: int = DUP_SHINGLE) -> set[str]:
    if len(text_words) < size:
        return {" ".join(text_words)} if text_words else set()
    return {" ".join(text_words[i : i + size]) for i in range(len(text_words) - size + 1)}


def _key(kind: str, band: int, values: np.ndarray) -> int:
    digest = hashlib.blake2b(
        kind.encode() + band.to_bytes(2, "little") + values.tobytes(), digest_size=8
    ).digest()
    return int.from_bytes(digest, "little", signed=True)  # fits a BigIntegerField


def band_keys(dup_signature: np.ndarray, lead_terms: list[str]) -> list[int]:
    """Every LSH band key of an article: 8 for its text, one per title and lead word."""
    keys = [
        _key("d", b, dup_signature[b * DUP_ROWS : (b + 1) * DUP_ROWS]) for b in range(DUP_BANDS)
    ]
    keys += [term_key(t) for t in dict.fromkeys(lead_terms)][:MAX_TERMS]
    return keys


def jaccard(sig_a: bytes | np.ndarray, sig_b: bytes | np.ndarray) -> float:
    """Estimated Jaccard similarity of two stored text signatures."""
    a = np.frombuffer(sig_a, dtype=np.uint32) if isinstance(sig_a, bytes) else sig_a
    b = np.frombuffer(sig_b, dtype=np.uint32) if isinstance(sig_b, bytes) else sig_b
    if len(a) != len(b) or not len(a):
        return 0.0
    return float(np.count_nonzero(a == b)) / len(a)


def jaccards(signatures: list[bytes], sig: np.ndarray) -> np.ndarray:
    """`jaccard` of many stored signatures with one, at once (0 where the sizes differ)."""
    size = sig.nbytes
    fits = np.array([len(s) == size for s in signatures], dtype=bool)
    if not size or not fits.any():
        return np.zeros(len(signatures))
    blob = b"".join(s if len(s) == size else bytes(size) for s in signatures)
    matrix = np.frombuffer(blob, dtype=sig.dtype).reshape(len(signatures), -1)
    return np.where(fits, np.count_nonzero(matrix == sig, axis=1) / len(sig), 0.0)


_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
} | {
    "thirty": "30",
    "forty": "40",
    "fifty": "50",
    "sixty": "60",
    "seventy": "70",
    "eighty": "80",
    "ninety": "90",
    "hundred": "100",
    "thousand": "1000",
}
_NAME_OR_NUMBER = re.compile(r"\d[\d,.]*\d|\d|[^\W\d_]+(?:['’][^\W\d_]+)?")
_CALENDAR = frozenset(
    stem(w)
    for w in "monday tuesday wednesday thursday friday saturday sunday january february "
    "march april may june july august september october november december".split()
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _number(token: str) -> str | None:
    if token[0].isdigit():
        return token.replace(",", "").rstrip(".")
    lower = token.lower()
    return _NUMBER_WORDS.get(lower) if lower not in ("one", "zero") else None


def names_and_numbers(title: str, summary: str, body: str, limit: int = 60) -> list[str]:
    """Who, where and how many: the capitalised words inside sentences (not the first
    word) and the numbers ("nine", "9" and "9,000" as digits) of the title and lead. A
    title word counts as a name only when the lead capitalises it inside a sentence, so a
    title in Title Case adds nothing of its own."""
    lead = f"{summary} {' '.join(plain_text(body).split()[:limit])}"
    found: dict[str, None] = {}
    for sentence in _SENTENCE_END.split(lead):
        for i, token in enumerate(_NAME_OR_NUMBER.findall(sentence)):
            value = _number(token)
            if value is None and i and token[0].isupper() and len(token) > 1:
                value = stem(token.lower().replace("’", "'"))
            if value and value not in STOPWORDS and value not in _CALENDAR:
                found[value] = None
    capitalised = set(found)
    for token in _NAME_OR_NUMBER.findall(title):
        value = _number(token) or stem(token.lower().replace("’", "'"))
        if _number(token) or value in capitalised:
            found[value] = None
    return list(found)[:MAX_TERMS]


_COUNTED = re.compile(
    r"(?<![\w.])(\d[\d,.]*\d|\d|zero|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|"
    r"thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand)\s+"
    r"(?:(?:more|new|other|extra|of|the|per)\s+)?([a-z]+)",
    re.IGNORECASE,
)
_MONEY = re.compile(r"([£$€])\s?(\d[\d,.]*)\s?(m|bn|k|million|billion|thousand)?", re.IGNORECASE)


def quantities(title: str, summary: str, body: str) -> list[str]:
    """How many of what, in title and lead: "11 fishermen" and "eleven fishermen" as
    "11|fishermen", "£4.2m" as "4.2m|£" (a number with the word it counts, or money)."""
    lead = lead_text(title, summary, body, limit=40)
    found: dict[str, None] = {}
    for number, unit in _COUNTED.findall(lead):
        if number.lower() in ("one", "zero"):
            continue
        value = _number(number)
        if value and unit.lower() not in STOPWORDS:
            found[f"{value}|{stem(unit.lower())}"] = None
    for currency, number, scale in _MONEY.findall(lead):
        found[f"{number.replace(',', '')}{scale.lower()[:1]}|{currency}"] = None
    return list(found)


def title_arguments(title: str, names: set[str]) -> tuple[str, list[str]]:
    """Who did what, lightly: the title's first name (its subject, stemmed; "" for none)
    and its first three other content words (what was done)."""
    found = terms(title)
    subject = next((t for t in found if t in names), "")
    return subject, [t for t in found if t not in names][:3]


class Features:
    """What matching needs of one article, computed once from its text."""

    __slots__ = (
        "dup_signature",
        "terms_text",
        "keys",
        "embedding",
        "names",
        "quantities",
        "title_terms",
        "title_args",
        "title_embeddings",
    )

    def __init__(self, *, title: str, summary: str, body: str) -> None:
        full = words(f"{title} {summary} {plain_text(body)}")
        opening = lead_text(title, summary, body, limit=40)
        lead = terms(opening)
        self.embedding = embed(content_words(opening))
        found = names_and_numbers(title, summary, body, limit=40)
        self.names = " ".join(found)
        self.terms_text = " ".join(lead)
        self.dup_signature = minhash(shingles(full), DUP_PERM)
        self.keys = band_keys(self.dup_signature, lead)
        # The title alone (blend 4): its words, who did what, and two embeddings, of all
        # its content words and of those that are not names.
        self.quantities = " ".join(quantities(title, summary, body))
        self.title_terms = " ".join(dict.fromkeys(terms(title)))
        subject, acts = title_arguments(title, set(found))
        self.title_args = " ".join([subject or "-", *acts])
        title_words = content_words(title)
        self.title_embeddings = np.concatenate(
            [embed(title_words), embed([w for w in title_words if stem(w) not in set(found)])]
        )
