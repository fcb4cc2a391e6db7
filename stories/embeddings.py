"""Static word embeddings for "the same event in other words", from files in a wheel.

The `wordllama` package ships its token embeddings (weights/l2_supercat_256.safetensors:
32,000 tokens x 256 dimensions, float16, 16 MB) and their tokenizer
(tokenizers/l2_supercat_tokenizer_config.json) inside the wheel. They are read here with
`tokenizers` and `safetensors`; wordllama's own loader is never called, because when a
file is missing it downloads it. Nothing is fetched at run time: a missing file is an
ImportError at the first use, not a download.

A text's vector is the mean of its content words' token vectors minus the mean of all
token vectors (centred: without it, any two texts look alike), of unit length. About
0.1 ms a text; the table is loaded once per process (0.15 s).
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np

DIMENSIONS = 256
_WEIGHTS = "weights/l2_supercat_256.safetensors"
_TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"


def _package_file(name: str) -> Path:
    spec = importlib.util.find_spec("wordllama")  # located, not imported
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("wordllama is not installed (pyproject.toml lists it)")
    path = Path(next(iter(spec.submodule_search_locations))) / name
    if not path.is_file():
        raise ImportError(f"wordllama's packaged file {name} is missing")
    return path


@lru_cache(maxsize=1)
def _model():
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    table = load_file(str(_package_file(_WEIGHTS)))["embedding.weight"].astype(np.float32)
    tokenizer = Tokenizer.from_file(str(_package_file(_TOKENIZER)))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer, table, table.mean(axis=0)


def embed(content_words: list[str]) -> np.ndarray:
    """The unit float16 vector of a text's content words (text.content_words: no stop
    words); zeros for none."""
    tokenizer, table, centre = _model()
    content = " ".join(content_words)
    ids = tokenizer.encode(content, add_special_tokens=False).ids if content else []
    if not ids:
        return np.zeros(DIMENSIONS, dtype=np.float16)
    vector = table[ids].mean(axis=0) - centre
    norm = float(np.linalg.norm(vector))
    return (vector / norm if norm else vector).astype(np.float16)


def cosines(stored: list[bytes], vector: np.ndarray) -> np.ndarray:
    """Cosine of many stored vectors with one (0 for a vector of another size or none)."""
    size = vector.astype(np.float16).nbytes
    fits = np.array([len(s) == size for s in stored], dtype=bool)
    if not len(stored) or not fits.any():
        return np.zeros(len(stored))
    blob = b"".join(s if len(s) == size else bytes(size) for s in stored)
    matrix = np.frombuffer(blob, dtype=np.float16).reshape(len(stored), -1).astype(np.float32)
    return np.where(fits, matrix @ vector.astype(np.float32), 0.0)
