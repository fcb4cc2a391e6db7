"""Blend 4's evidence from titles and numbers (stories/text.py, stories/matching.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from stories import matching, text


def test_quantities_pair_numbers_with_what_they_count_and_money():
    found = text.quantities(
        "Eleven fishermen rescued off Gull Reef",
        "The lifeboat brought 11 fishermen ashore; repairs will cost £4.2m.",
        "<p>One boat sank.</p>",
    )
    assert "11|fishermen" in found
    assert "4.2m|£" in found
    assert not any(q.startswith("1|") for q in found)  # "one" counts nothing


def test_title_arguments_are_its_first_name_and_first_other_words():
    names = set(text.names_and_numbers("Varga opens bridge", "Mayor Varga opened it.", ""))
    assert text.title_arguments("Varga opens new bridge early", names) == (
        "varga",
        ["open", "bridge", "early"],
    )
    assert text.title_arguments("Bridge opens early", set()) == ("", ["bridge", "open", "early"])


def _row(features, hours):
    return {
        "article_id": 1,
        "published_at": timezone.now() - timedelta(hours=hours),
        "dup_signature": features.dup_signature.tobytes(),
        "terms": features.terms_text,
        "embedding": features.embedding.tobytes(),
        "names": features.names,
        "quantities": features.quantities,
        "title_terms": features.title_terms,
        "title_args": features.title_args,
        "title_embeddings": features.title_embeddings.tobytes(),
        "story_id": 1,
    }


@pytest.mark.django_db
def test_the_same_count_is_evidence_and_a_different_count_a_clash():
    earlier = text.Features(
        title="Lifeboat crew save 11 fishermen",
        summary="Eleven fishermen were rescued by the Gull Reef lifeboat.",
        body="",
    )
    same = text.Features(
        title="Fishermen rescued from reef", summary="The crew saved 11 fishermen.", body=""
    )
    other = text.Features(
        title="Fishermen rescued from reef", summary="The crew saved 4 fishermen.", body=""
    )
    now = timezone.now()
    agree = matching.pair_measures(now, same, [_row(earlier, 2)])
    differ = matching.pair_measures(now, other, [_row(earlier, 2)])
    assert agree["quantities"][0] > 0.9 and agree["quantity_clash"][0] == 0
    assert differ["quantities"][0] == 0 and differ["quantity_clash"][0] == 1
    # A day later the same count is weaker evidence (a count changes as a story goes on).
    assert matching.pair_measures(now, same, [_row(earlier, 26)])["quantities"][0] < 0.4
