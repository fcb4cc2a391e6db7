"""`make bench`'s read rows: each page against the static file from the same gunicorn.

Pages are measured in interleaved rounds and the median round kept (`measure`); the rows
issue 34's targets compare with the static file, and the signed-in article with its floor,
take each round's ratio over alternating 1 s slices of the two pages (`interleaved_ratio`),
so both sides of a ratio meet the same machine.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from load import LUA, SPREAD_LUA, Gunicorn, wrk
from mixed import ERROR_KINDS, warm
from report import error_kinds

SPREAD, ZIPF = 600, 1.1
PAGES = [
    # (label, url key, cookie: "" anonymous, "reader", "commenter")
    ("static file", "static", ""),
    ("home (anonymous, cache hit)", "home", ""),
    ("article (anonymous, cache hit)", "article", ""),
    # Reads spread over home and SPREAD articles (bench/spread.lua), every page warm: what
    # a hit costs when the page asked for changes from one request to the next.
    (f"home + {SPREAD} articles, uniform (anonymous, cache hits)", "spread", ""),
    (f"home + {SPREAD} articles, Zipf s = {ZIPF} (anonymous, cache hits)", "zipf", ""),
    ("API article detail (anonymous, cache hit)", "api_article", ""),
    ("article (signed-in reader, uncached)", "article", "reader"),
    # The floor under the signed-in rows: the simplest signed-in page (session, user, the
    # site's header and footer), measured right after the signed-in article so each
    # round compares the two in the same moment (PAIRED).
    ("about page (signed-in reader)", "about", "reader"),
    ("article (signed-in commenter, own thread, uncached)", "article", "commenter"),
    ("search (signed-in reader, uncached)", "search", "reader"),
    ("Following page (signed-in reader following 50 items)", "following", "follower"),
    ("search (anonymous, cache hit)", "search", ""),
    ("RSS feed (anonymous, cache hit)", "rss", ""),
    # The floor under every row: a Django view with no session, template or SQL.
    ("robots.txt (Django, no session)", "robots", ""),
]
# (row, its reference): the ratio of the two is taken in each round, the median kept.
PAIRED = ("article (signed-in reader, uncached)", "about page (signed-in reader)")
# The cache-hit rows issue 34's targets compare with the static file: each round's ratio
# is taken over alternating 1 s slices of the page and the static file (SLICES of each),
# as PAIRED's is. Rows measured back to back met machines a third apart in speed within
# a minute (docs/benchmarks.md, the eleventh session's runs).
SLICED = tuple(
    label
    for label, key, who in PAGES
    if key in ("home", "article", "spread", "zipf", "api_article") and not who
)
SLICES = 3


def measure(server: Gunicorn, facts: dict, args) -> list[dict]:
    """Each page `args.rounds` times, the pages interleaved, and the median round kept.

    Throughput used to jump between two levels from one row to the next (static files
    alone gave 3,600 or 6,500 req/s): under gthread, wrk's keep-alive connections sometimes
    all landed on one worker (gunicorn.conf.py). Sync workers removed most of that, but a
    run per page could still compare a page measured in a fast moment with a static file
    measured in a slow one. Interleaved rounds see the same moments; the median drops the
    odd one out.
    Errors are counted over every round.
    """
    runs: dict[str, list[dict]] = {label: [] for label, _, _ in PAGES}
    slices: list[float] = []
    sliced: dict[str, list[float]] = {label: [] for label in SLICED}
    spread_file = Path(tempfile.mkstemp(suffix=".txt", prefix="bench-spread-")[1])
    spread_file.write_text("\n".join(facts["spread_paths"]) + "\n")
    os.environ.update(BENCH_PATHS=str(spread_file), BENCH_REPORT_LUA=str(LUA))  # for wrk
    warm(server.url, facts["spread_paths"])
    for round_number in range(args.rounds):
        for label, key, who in PAGES:
            if round_number == 0:
                # Warm up: fills the page cache and each worker's connections.
                page_wrk(server, facts, args, key, who, duration=2)
            result = page_wrk(server, facts, args, key, who, duration=args.duration)
            result["load"] = round(os.getloadavg()[0], 1)
            runs[label].append(result)
        slices.append(interleaved_ratio(server, facts, args, runs))
        for label in SLICED:
            sliced[label].append(
                interleaved_ratio(server, facts, args, runs, (label, "static file"), slices=SLICES)
            )
    spread_file.unlink()
    rows = []
    for label, results in runs.items():
        ranked = sorted(results, key=lambda r: r["rps"])
        row = dict(ranked[len(ranked) // 2])
        row["label"] = label
        row["rps_range"] = (ranked[0]["rps"], ranked[-1]["rps"])
        for kind in ("errors", *ERROR_KINDS):
            row[kind] = sum(r[kind] for r in results)
        rows.append(row)
        print(
            f"  {label:52} {row['rps']:9.1f} rps ({row['rps_range'][0]:.0f}-"
            f"{row['rps_range'][1]:.0f})  p50 {row['p50']:7.2f} ms  p95 {row['p95']:7.2f}  "
            f"p99 {row['p99']:7.2f}  errors {row['errors']} {error_kinds(row)}",
            flush=True,
        )
    static = rows[0]["rps"] or 1
    for row in rows:
        row["ratio"] = row["rps"] / static
        if row["label"] in sliced:
            row["back_to_back_ratio"] = row["ratio"]
            row["sliced_ratios"] = sorted(sliced[row["label"]])
            row["ratio"] = row["sliced_ratios"][len(sliced[row["label"]]) // 2]
    # The target's ratio (PAIRED): this machine's speed changes from one second to the
    # next (a fixed Python loop took 187-358 ms, second by second, with nothing else
    # running), so two 5 s rows one after the other can meet different machines. Each
    # round's ratio is taken over alternating 1 s slices of the two pages instead; the
    # ratio of the back-to-back 5 s rows is kept beside it.
    row, reference = PAIRED
    paired = next(r for r in rows if r["label"] == row)
    paired["paired_ratios"] = sorted(slices)
    paired["paired_ratio"] = paired["paired_ratios"][len(slices) // 2]
    paired["back_to_back_ratios"] = sorted(
        a["rps"] / b["rps"] for a, b in zip(runs[row], runs[reference], strict=True) if b["rps"]
    )
    return rows


def interleaved_ratio(
    server: Gunicorn,
    facts: dict,
    args,
    runs: dict[str, list[dict]],
    pair: tuple[str, str] = PAIRED,
    slices: int = 5,
) -> float:
    """The ratio of req/s of `pair`'s first page to its second over `slices` alternating
    1 s slices of each; the slices' errors are added to the pages' last round in `runs`."""
    done = {label: [0, 0.0] for label in pair}
    pages = {label: (key, who) for label, key, who in PAGES}
    for _ in range(slices):
        for label in pair:
            result = page_wrk(server, facts, args, *pages[label], duration=1)
            done[label][0] += result["requests"]
            done[label][1] += result["seconds"]
            for kind in ("errors", *ERROR_KINDS):
                runs[label][-1][kind] += result[kind]
    (a, a_seconds), (b, b_seconds) = (done[label] for label in pair)
    return (a / a_seconds) / (b / b_seconds) if b else 0.0


def page_wrk(server: Gunicorn, facts: dict, args, key: str, who: str, duration: int) -> dict:
    """wrk at one page of PAGES for `duration` seconds: its URL, its reader's cookie, and
    for the spread rows bench/spread.lua with Zipf's s or none."""
    os.environ.pop("BENCH_ZIPF", None)
    if key == "zipf":
        os.environ["BENCH_ZIPF"] = str(ZIPF)
    return wrk(
        server.url + facts["urls"].get(key, "/"),
        duration=duration,
        connections=args.connections,
        threads=args.threads,
        cookie=facts[f"{who}_cookie"] if who else "",
        script=SPREAD_LUA if key in ("spread", "zipf") else LUA,
    )
