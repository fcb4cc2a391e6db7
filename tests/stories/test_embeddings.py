"""Static embeddings come from the installed wheel, never from the network, and the
grouping evidence they feed is stored and explained."""

import socket

import numpy as np
import pytest

from stories import blend, embeddings, text
from stories.models import StoryMembership


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("stories tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    embeddings._model.cache_clear()
    yield
    embeddings._model.cache_clear()


def test_vectors_come_from_the_packaged_files_without_network(no_network):
    vector = embeddings.embed(
        text.content_words("Children's ward closes at night over nurse shortage")
    )
    assert vector.dtype == np.float16 and vector.shape == (embeddings.DIMENSIONS,)
    assert abs(float(np.linalg.norm(vector.astype(np.float32))) - 1) < 0.01
    assert embeddings._package_file("weights/l2_supercat_256.safetensors").stat().st_size > 10**7


def test_same_event_in_other_words_is_closer_than_another_event(no_network):
    ward = embeddings.embed(
        text.content_words("Hospital shuts children's ward overnight as nurses run short")
    )
    kids = embeddings.embed(
        text.content_words("Kids' beds go at night because there are not enough nurses")
    )
    budget = embeddings.embed(
        text.content_words("Council approves budget with higher parking charges")
    )
    stored = [kids.tobytes(), budget.tobytes(), b"", b"\x00" * 6]
    close = embeddings.cosines(stored, ward)
    assert close[0] > close[1] + 0.1
    assert close[2] == close[3] == 0.0


def test_a_text_without_content_words_has_a_zero_vector():
    assert not embeddings.embed(text.content_words("the and of it")).any()


def test_names_and_numbers_of_title_and_lead():
    found = text.names_and_numbers(
        "Cobalt Bank Customers Locked Out For Nine Hours",
        "Customers of Cobalt Bank could not log in for nine hours on Friday.",
        "<p>About 1,200 customers wrote to Ruth Amari.</p>",
    )
    assert found == ["cobalt", "bank", "9", "1200", "ruth", "amari"]


def test_explanation_names_every_measure_and_its_share():
    membership = StoryMembership(
        reason=StoryMembership.Reason.SIMILAR,
        evidence={
            "matched": 7,
            "probability": 0.81,
            "needed": 0.4,
            "story_mean": 0.66,
            "mean_needed": 0.5,
            "story_articles": 2,
            "cosine": 0.31,
            "embedding": 0.62,
            "what": 0.2,
            "names": 0.25,
            "hours_apart": 3.0,
            "logit_terms": blend.logit_terms(
                {
                    "cosine": 0.31,
                    "embedding": 0.62,
                    "days_apart": 0.125,
                    "names": 0.25,
                    "what": 0.2,
                    "quantities": 0.88,
                    "quantity_clash": 0.0,
                    "title_embedding": 0.4,
                    "title_what_embedding": 0.5,
                    "title_words": 0.2,
                    "subject_and_act": 1.0,
                    "acts": 0.5,
                }
            ),
            "shared_terms": ["ferri", "strike"],
        },
    )
    sentence = membership.explanation()
    assert "probability 0.81 (needed 0.40)" in sentence
    assert "mean over its 2 articles 0.66 (needed 0.50)" in sentence
    assert "TF-IDF cosine 0.31" in sentence and "embedding cosine 0.62" in sentence
    assert "embedding +" in sentence and "intercept -" in sentence
    assert "quantities +" in sentence and "subject_and_act +" in sentence  # blend 4's
