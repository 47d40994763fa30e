"""A fuzzing campaign against validate, build and diff (issue 14). Not part of the test run.

It mutates the example plans (random bytes, deep nesting, huge numbers, odd dates and periods,
Markdown soup in every Markdown field, repeated lists) and checks what a user would notice:

- validate (load -> schema -> rules -> model) never raises: every problem is a diagnostic with a
  message, a fix and a line and column inside the file;
- a plan that validates builds: the Word annex and the full plan's HTML always, the PDFs (plan on a
  page and full plan) for one case in PDF_EVERY and for every Markdown case on the small plans, each
  within SLOW seconds of CPU;
- diff between the mutated plan and its seed never raises, its text, Markdown, JSON and HTML reports
  render, and a plan against itself has no changes;
- one case in CLI_EVERY also goes through the command line (validate, diff, build) in a subprocess:
  exit code 0, 1 or 2 and never a Python traceback.

Run:  .venv/bin/python bench/fuzz.py [--cpu-seconds 1200] [--wall-seconds N] [--seed 1]
Failing inputs are saved under bench/out/fuzz/ with a note of what failed; the summary (cases by
kind, CPU time, failures) is printed at the end, for bench/fuzz-report.md.
"""

from __future__ import annotations

import argparse
import collections
import copy
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from opgen.diff import diff_plans  # noqa: E402
from opgen.diff import report as diff_report  # noqa: E402
from opgen.limits import markdown_fields  # noqa: E402
from opgen.load import LoadError, load_text, plain  # noqa: E402
from opgen.outputs import render_document  # noqa: E402
from opgen.pipeline import plan_from_bytes  # noqa: E402
from opgen.scaffold import starter_plan_text  # noqa: E402

OUT = ROOT / "bench" / "out" / "fuzz"
BIN = Path(sys.executable).parent
OPGEN = [str(BIN / "opgen")] if (BIN / "opgen").exists() else [sys.executable, "-m", "opgen"]
PDF_EVERY = 12
CLI_EVERY = 25
SLOW = 60.0  # CPU seconds one render may take before it counts as a failure


def seeds() -> list[tuple[str, str, bool]]:
    """(name, text, small): the example plans, the West Kent transcription and the starter plan."""
    out = [(p.name, p.read_text(encoding="utf-8"), False) for p in sorted((ROOT / "plans").glob("*.yaml"))]
    out.append(("west-kent", (ROOT / "plans" / "west-kent-2015-16.yaml").read_text(encoding="utf-8"), True))
    out.append(("starter", starter_plan_text(None), True))
    return out


MARKDOWN_TOKENS = ["*", "**", "_", "__", "`", "~~", "[", "]", "(", ")", "](https://e.org)", "[a](javascript:x)", "> ",
                   "- ", "1. ", "    ", "  - ", "\n", "\n\n", "|", " | ", "\n|---|---|\n", "#", "[^1]", "\n\n[^1]: ",
                   "<b>", "<script>", "&amp;", "&#0;", "&nbsp;", "\\", "!", "<https://e.org>", "word ", "\u0301",
                   "\u200b", "\u202e", "\U0001f600", "\x01", "\x7f", "\t", "x" * 500,
                   "https://example.org/" + "segment/" * 40]
ODD_VALUES = [10 ** 30, -(10 ** 18), 1e300, float("nan"), float("inf"), "9" * 5000, "1e309", 0, -1, 2 ** 63,
              "0000-01-01", "9999-12-31", "0001/02", "9999/10000", "2014/15 Q9", "2015-02-30", "2015-13",
              "1899/00", "2199/00", "2014/15 Q2", "ongoing", {"throughout": "0000/01"}, {"from": "2015/16 Q1",
              "to": "2014/15 Q1"}, "tbc", "n/a", "", None, True, [], {}, "red", "amber_red", "x" * 20000]


def markdown_soup(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.15:
        n = rng.choice([10, 17, 50, 300, 1000])
        return rng.choice(["> " * n + "x", "- " * n + "x", "*a " * n + "b" + "*" * n,
                           "\n".join("  " * i + "- x" for i in range(min(n, 150)))])
    if kind < 0.3:
        unit = rng.choice(["*a_", "`a", "[", "`[", "[a](", "[^", "***a", "_a", "<", "&", "\\"])
        return unit * rng.choice([10, 100, 500, 3000])
    return "".join(rng.choice(MARKDOWN_TOKENS) for _ in range(rng.randint(1, 80)))


def nodes(data, path=()):
    yield path, data
    if isinstance(data, dict):
        for k, v in data.items():
            yield from nodes(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from nodes(v, path + (i,))


def _set(data, path, value):
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def mutate(rng: random.Random, text: str, data: dict) -> tuple[str, bytes]:
    """One mutation of a seed plan: (kind, file bytes)."""
    kind = rng.choice(["bytes", "value", "markdown", "markdown", "deep", "repeat", "dates"])
    if kind == "bytes":
        raw = bytearray(text.encode("utf-8"))
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(raw) + 1)
            if rng.random() < 0.6:
                raw[at:at] = rng.choice([bytes([rng.randrange(256)]), b"\t", b'"', b": ", b"- ", b"&a ", b"*a",
                                         b"{", b"]", b"\n  ", b"---\n", b"\xe9", b"\xef\xbf\xbe", b"\x00", b"!!python/"])
            else:
                del raw[at:at + rng.randint(1, 40)]
        return kind, bytes(raw)
    data = copy.deepcopy(data)
    paths = list(nodes(data))[1:]
    if kind == "value":
        for _ in range(rng.randint(1, 3)):
            path, _ = rng.choice(paths)
            _set(data, path, copy.deepcopy(rng.choice(ODD_VALUES)))
            paths = list(nodes(data))[1:]
    elif kind == "markdown":
        fields = [p for p, _ in markdown_fields(data)]
        for path in rng.sample(fields, min(len(fields), rng.randint(1, 4))):
            _set(data, path, markdown_soup(rng))
    elif kind == "deep":
        path, _ = rng.choice(paths)
        value = "x"
        for _ in range(rng.choice([5, 30, 200])):
            value = [value] if rng.random() < 0.5 else {"a": value}
        _set(data, path, value)
    elif kind == "repeat":
        lists = [(p, v) for p, v in paths if isinstance(v, list) and v]
        if lists:
            path, items = rng.choice(lists)
            _set(data, path, [copy.deepcopy(items[i % len(items)]) for i in range(rng.choice([2, 50, 400]) * len(items))])
    else:  # dates and periods
        dated = [(p, v) for p, v in paths if isinstance(v, str) and any(c.isdigit() for c in v) and len(v) < 30]
        for path, value in rng.sample(dated, min(len(dated), rng.randint(1, 4))):
            _set(data, path, rng.choice(["0000", "9999", "10000", "0", "-1", "00", "99"]).join(
                [value[:rng.randrange(len(value) + 1)], value[rng.randrange(len(value) + 1):]]))
    return kind, yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode("utf-8")


class Slow(Exception):
    pass


def _alarm(signum, frame):
    raise Slow()


CASE_CPU = 300  # CPU seconds one case may take (a CPU timer: a busy machine does not make a case fail)


def check_located(result, raw: bytes) -> str | None:
    lines = raw.count(b"\n") + 1
    for d in result.report.diagnostics:
        if not (d.message and d.hint):
            return f"diagnostic without message or fix: {d}"
        # a whole-file verdict (binary content, a file over 10 MB) has no line by design
        if d.code not in ("not-found", "io", "binary", "too-large") and not (1 <= d.line <= lines + 1 and d.column >= 1):
            return f"diagnostic not located: {d.as_text()}"
    return None


def run_case(rng, kind, raw, seed_result, small: bool, counters) -> str | None:
    """None when every check holds, else what failed."""
    result = plan_from_bytes(raw, "fuzzed.yaml")
    counters["validate"] += 1
    if (problem := check_located(result, raw)):
        return problem
    if not result.ok:
        counters["invalid"] += 1
        return None
    counters["valid"] += 1
    changes = diff_plans(seed_result.plan, result.plan, old_warnings=seed_result.report.warnings,
                         new_warnings=result.report.warnings, old_label="seed", new_label="fuzzed")
    for render in (diff_report.render_text, diff_report.render_markdown, diff_report.render_json,
                   diff_report.render_html):
        render(changes)
    if diff_plans(result.plan, result.plan):
        return "diff of a plan against itself reports changes"
    counters["diff"] += 1
    documents = [("annex", ["annex.docx"]), ("operational-plan", ["operational-plan.html"])]
    if (kind == "markdown" and small) or rng.randrange(PDF_EVERY) == 0:
        documents = [("annex", ["annex.docx"]), ("plan-on-a-page", ["plan-on-a-page.pdf"]),
                     ("operational-plan", ["operational-plan.pdf"])]
        counters["pdf builds"] += 1
    for document, outputs in documents:
        started = time.process_time()
        render_document(result.plan, result.report.diagnostics, document, outputs)
        spent = time.process_time() - started
        counters["max render CPU s"] = max(counters["max render CPU s"], round(spent, 1))
        if spent > SLOW:
            return f"{document} took {spent:.0f} s of CPU"
    counters["built"] += 1
    return None


def run_cli(raw: bytes, seed_path: Path, tmp: Path) -> str | None:
    plan = tmp / "fuzzed.yaml"
    plan.write_bytes(raw)
    for args in (["validate", str(plan)], ["diff", str(seed_path), str(plan), "--format", "json"],
                 ["build", str(plan), "--out", str(tmp / "out"), "--format", "docx"]):
        try:
            done = subprocess.run(OPGEN + args, capture_output=True, timeout=300,
                                  env=dict(os.environ, SOURCE_DATE_EPOCH="1420070400"))
        except subprocess.TimeoutExpired:
            return f"opgen {args[0]} did not finish in 300 s"
        output = done.stdout + done.stderr
        if done.returncode not in (0, 1, 2) or b"Traceback" in output or b"internal error" in output:
            return f"opgen {args[0]} exit {done.returncode}: {output[-400:].decode('utf-8', 'replace')}"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpu-seconds", type=float, default=1200.0, help="CPU budget (this process and its children)")
    parser.add_argument("--wall-seconds", type=float, default=None, help="stop after this long in any case")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    signal.signal(signal.SIGPROF, _alarm)
    OUT.mkdir(parents=True, exist_ok=True)
    seed_plans = []
    for name, text, small in seeds():
        result = plan_from_bytes(text.encode("utf-8"), name)
        assert result.ok, name
        seed_plans.append((name, text, plain(load_text(text, name).data), small, result))
    counters: collections.Counter = collections.Counter()
    kinds: collections.Counter = collections.Counter()
    failures: list[tuple[str, str, str]] = []
    started_wall = time.time()

    def cpu() -> float:
        me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

    start_cpu = cpu()
    case = 0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        while cpu() - start_cpu < args.cpu_seconds and (
                args.wall_seconds is None or time.time() - started_wall < args.wall_seconds):
            case += 1
            name, text, data, small, seed_result = rng.choice(seed_plans)
            kind, raw = mutate(rng, text, data)
            kinds[kind] += 1
            signal.setitimer(signal.ITIMER_PROF, CASE_CPU)
            try:
                problem = run_case(rng, kind, raw, seed_result, small, counters)
            except Slow:
                problem = f"did not finish in {CASE_CPU} s of CPU"
            except LoadError as e:  # plan_from_bytes turns these into diagnostics: reaching here is a bug
                problem = f"LoadError escaped: {e}"
            except Exception:  # noqa: BLE001 - anything else is a bug
                problem = traceback.format_exc(limit=-6)
            finally:
                signal.setitimer(signal.ITIMER_PROF, 0)
            if problem is None and case % CLI_EVERY == 0:
                counters["cli"] += 1
                (tmp / "seed.yaml").write_text(text, encoding="utf-8")
                problem = run_cli(raw, tmp / "seed.yaml", tmp)
            if problem is not None:
                failures.append((f"seed{args.seed}-case-{case:05d}-{kind}", name, problem))
                (OUT / f"seed{args.seed}-case-{case:05d}-{kind}.yaml").write_bytes(raw)
                (OUT / f"seed{args.seed}-case-{case:05d}-{kind}.txt").write_text(f"seed: {name}\n{problem}\n", encoding="utf-8")
            if case % 50 == 0:
                print(f"{case} cases, {cpu() - start_cpu:.0f} s CPU, {len(failures)} failures", flush=True)
    spent = cpu() - start_cpu
    print(f"\ncases: {case} ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})")
    print("checks: " + ", ".join(f"{k} {v}" for k, v in sorted(counters.items())))
    print(f"CPU: {spent:.0f} s (wall {time.time() - started_wall:.0f} s); seed {args.seed}")
    print(f"failures: {len(failures)}")
    for case_name, seed_name, problem in failures:
        print(f"- {case_name} (seed {seed_name}): {problem.strip().splitlines()[-1][:300]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
