"""The one reader of the environment: every setting's variable goes through these.

tests/test_settings.py finds every call to them in the settings modules and checks the
README's configuration table against the names and defaults it finds.
"""

from __future__ import annotations

import os
from collections.abc import Mapping


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = env_str(name).strip()
    return default if value == "" else value.lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env_str(name).strip()
    return int(value) if value else default


def env_float(name: str, default: float | None = None) -> float | None:
    value = env_str(name).strip()
    return float(value) if value else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_prefixed(prefix: str) -> Mapping[str, str]:
    """Every variable whose name starts with PREFIX (the S3 media storage's AWS_*)."""
    return {k: v for k, v in os.environ.items() if k.startswith(prefix)}
