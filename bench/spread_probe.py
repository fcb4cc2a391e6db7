"""Why the uniform spread row's rounds differ (issue 34): the bench's own set-up
(bench/run.py's database, seed and gunicorn), then spread rounds run back to back and
with each other row of the bench between them, printing req/s and how far the shared
tag-change counter moved in between (every move can make each worker re-read the
versions of the tags of every page it keeps).

    python bench/spread_probe.py --scenario pg --rounds 4 --duration 3

Not part of `make bench`; its findings are in docs/benchmarks.md ("What an approval
costs the readers").
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import run as bench  # bench/run.py
from load import LUA, PY, SPREAD_LUA, Gunicorn, wrk
from machine import without_autogroup
from mixed import warm
from reads import PAGES

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def counter(env: dict) -> str:
    code = (
        "import django;django.setup();from django.core.cache import cache;"
        "from serving.tags import COUNTER_KEY;print(cache.get(COUNTER_KEY))"
    )
    out = bench.run([PY, "-c", code], env, capture_output=True).stdout.strip()
    return out.splitlines()[-1] if out else "?"


@contextmanager
def spread_server(scenario: str, articles: int, prefix: str) -> Iterator[tuple]:
    """(gunicorn, the bench's facts, its environment): the bench's database seeded as make
    bench seeds it, every spread page warmed once, wrk's path list in BENCH_PATHS."""
    # as make bench seeds: its --comments (100,000) whatever --articles (bench/approvals_probe.py)
    args = argparse.Namespace(sources=20, topics=50, comments=100_000, articles=articles)
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp, without_autogroup():
        env = bench.scenario_env(scenario, Path(tmp), articles)
        facts = bench.prepare(env, args, articles)
        server = Gunicorn(env)
        try:
            spread = Path(tmp) / "paths.txt"
            spread.write_text("\n".join(facts["spread_paths"]) + "\n")
            os.environ.update(BENCH_PATHS=str(spread), BENCH_REPORT_LUA=str(LUA))
            warm(server.url, facts["spread_paths"])
            yield server, facts, env
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="pg")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--duration", type=int, default=3)
    args = parser.parse_args()
    with spread_server(args.scenario, args.articles, "spread-probe-") as (server, facts, env):

        def row(key: str, who: str = "") -> float:
            script = SPREAD_LUA if key == "spread" else LUA
            result = wrk(
                server.url + facts["urls"].get(key, "/"),
                duration=args.duration,
                connections=16,
                threads=2,
                cookie=facts[f"{who}_cookie"] if who else "",
                script=script,
            )
            return result["rps"]

        row("spread")  # warm-up, as make bench's first round
        for n in range(args.rounds):
            before = counter(env)
            print(
                f"back to back {n}: static {row('static'):7.0f}  spread "
                f"{row('spread'):7.0f}  counter {before} -> {counter(env)}",
                flush=True,
            )
        for label, key, who in PAGES:
            if key in ("spread", "zipf", "static"):
                continue
            c0 = counter(env)
            other = row(key, who)
            c1 = counter(env)
            spread_rps = row("spread")
            moved = int(c1) - int(c0) if c0.isdigit() and c1.isdigit() else "?"
            print(
                f"after {label[:44]:44} ({other:6.0f}): spread {spread_rps:7.0f}  "
                f"counter moved {moved}",
                flush=True,
            )


if __name__ == "__main__":
    main()
