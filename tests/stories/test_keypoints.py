"""Key points' cheap paths give what pysbd and scikit-learn give: same sentences, vectors."""

import numpy as np
import pytest

from demo import demo_content, demo_stories
from stories import evaluation, keypoints, vectors
from stories.text import STOPWORDS

TRICKY = [
    "Dr. Kessel said the ward would close. Parents objected.",
    "The firm is based in the U.S. and trades in Europe. It grew fast.",
    "Prices rose 3.5 per cent. Wages did not.",
    'He said: "We will not sail. Not today." The crews agreed.',
    "It cost eleven million (a record. For the town). Nobody minded.",
    "Sales fell in Jan. Then they rose again.",
    "Why did it fail? Nobody knows! The inquiry begins Monday.",
    "The storm came... Then the lights went out.",
    "She scored in 1990. The club never forgot it.",
    "'Go now,' she said. He went.",
    "The vote was seven to two. A. Smith voted against.",
    "Talks continue at St. Mary's hall. More tomorrow.",
    "The team lost 2-1. the fans went home.",
    "No sentence stop here at all",
    "One sentence only.",
    "Visit example.com for details. Or call.",
]


def paragraphs():
    found = list(TRICKY)
    for path in (evaluation.DATA, evaluation.HELDOUT):
        for item in evaluation.items(path):
            found += [item.summary, *item.paragraphs]
    for story in [*demo_content.STORIES, *demo_stories.COVERED_STORIES]:
        found += [s for s in story if isinstance(s, str)]
        found += [p for part in story if isinstance(part, list | tuple) for p in part]
    return [" ".join(p.split()) for p in found if isinstance(p, str) and p.strip()]


def pysbd_split(paragraph):
    return [s.sent.strip() for s in keypoints._segmenter().segment(paragraph)]


@pytest.mark.parametrize("paragraph", TRICKY)
def test_tricky_paragraphs_split_as_pysbd_splits_them(paragraph):
    assert keypoints.split(paragraph) == pysbd_split(paragraph)


def test_every_paragraph_of_the_labelled_sets_and_demo_splits_as_pysbd():
    found = paragraphs()
    plain = [p for p in found if keypoints._plain_sentences(p) is not None]
    assert len(found) > 300
    assert len(plain) > len(found) * 0.6  # the cheap path is the common one
    for paragraph in found:
        assert keypoints.split(paragraph) == pysbd_split(paragraph), paragraph


def TfidfVectorizer(**options):  # noqa: N802 (scikit-learn's class, imported when used)
    # scikit-learn (and scipy with it) costs about 1.5 CPU-seconds to import: only the
    # xdist worker that runs these tests pays it, not every worker's collection.
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(**options)


@pytest.mark.parametrize("sublinear", [False, True])
def test_tfidf_matches_scikit_learn(sublinear):
    texts = [*paragraphs()[:80], "The the the of and.", "Ferry ferry ferry crews strike."]
    ours = vectors.tfidf(texts, sublinear=sublinear)
    vectorizer = TfidfVectorizer(stop_words=sorted(STOPWORDS), sublinear_tf=sublinear)
    theirs = vectorizer.fit_transform(texts).toarray()
    # Same vectors up to the order of the words (columns): compare the cosines.
    assert np.allclose(ours @ ours.T, theirs @ theirs.T)
    assert np.allclose(np.linalg.norm(ours, axis=1), np.linalg.norm(theirs, axis=1))


def test_tfidf_of_stop_words_only_is_refused_like_scikit_learn():
    with pytest.raises(ValueError):
        vectors.tfidf(["The and of.", "It is."])
    with pytest.raises(ValueError):
        TfidfVectorizer(stop_words=sorted(STOPWORDS)).fit_transform(["The and of.", "It is."])
