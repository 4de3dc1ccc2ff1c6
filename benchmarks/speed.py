#!/usr/bin/env python3
"""cicdlint against zizmor, side by side in one run: every speed target of the project.

    python benchmarks/speed.py [--zizmor PATH] [--corpus DIR] [--runs N] [--update]

Each measurement is a fresh process, as a user starts it; cicdlint and zizmor (`--offline`)
alternate run by run so that both see the same machine, and the report gives medians of wall
time and of CPU time (user + system, which a busy machine disturbs less). Targets:

  1. one file, cold process (the pre-commit case), on a plain workflow and on the bundled
     example deploy workflow that links a task definition: at most 1.2x zizmor, and cicdlint's
     own cost above `python -c "import click, yaml"` at most 25 ms;
  2. the whole tree: at most 0.5x zizmor with the default `--jobs`, at most 1.0x with `--jobs 1`,
     peak memory (the largest process) under 150 MB;
  3. a second run over the unchanged tree with the result cache: at most 0.2x the first.

One-file and tree runs use `--no-cache` (the cache is measured on its own in 3). `--update`
rewrites the speed section of README.md. Exits 1 when a target is missed.

Python writes bytecode caches on first import, as an installed package has them: the script
runs cicdlint once to warm them up, and lets Python write them even where
PYTHONDONTWRITEBYTECODE is set.
"""
from __future__ import annotations

import argparse
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "workflows"
PLAIN = ROOT / "tests" / "fixtures" / "echoed-secret" / "bad-echo.yml"
DEPLOY = ROOT / "examples" / ".github" / "workflows" / "deploy.yml"
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
# Runs a command and prints its wall time, CPU time and the largest child's peak RSS.
_PROBE = (
    "import resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "wall = time.perf_counter() - start\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)\n"
)


def probe(command: list[str]) -> tuple[float, float, int]:
    out = subprocess.run([sys.executable, "-c", _PROBE, *command], capture_output=True, text=True, env=ENV, check=True)
    wall, cpu, rss = out.stdout.split()
    return float(wall), float(cpu), int(rss) // 1024


def paired(commands: dict[str, list[str]], runs: int) -> dict[str, dict]:
    samples: dict[str, list] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(probe(command))
    return {
        name: {
            "wall": statistics.median(s[0] for s in values),
            "cpu": statistics.median(s[1] for s in values),
            "rss": max(s[2] for s in values),
        }
        for name, values in samples.items()
    }


def cicdlint_command() -> list[str]:
    found = shutil.which("cicdlint") or str(Path(sys.executable).with_name("cicdlint"))
    return [found]


def measure(zizmor: str, corpus: Path, runs: int) -> list[dict]:
    cicdlint = cicdlint_command()
    python = [str(Path(cicdlint[0]).with_name("python")) if Path(cicdlint[0]).with_name("python").exists() else sys.executable]
    subprocess.run([*cicdlint, "rules"], capture_output=True, env=ENV, check=False)  # bytecode caches
    subprocess.run([*cicdlint, "check", str(ROOT / "examples"), "--no-cache"], capture_output=True, env=ENV, check=False)
    rows = []
    lint = [*cicdlint, "check", "--no-config", "--exit-zero", "--format", "json"]
    for label, path in (("one plain workflow", PLAIN), ("the example deploy workflow and its task definition", DEPLOY)):
        times = paired({
            "cicdlint": [*lint, "--no-cache", str(path)],
            "zizmor": [zizmor, "--offline", "--no-progress", "--format", "json", str(path)],
            "floor": [*python, "-c", "import click, yaml"],
        }, runs * 4)
        rows.append({"case": label, "kind": "one", **times})
    times = paired({
        "cicdlint": [*lint, "--no-cache", str(corpus)],
        "cicdlint -j1": [*lint, "--no-cache", "--jobs", "1", str(corpus)],
        "zizmor": [zizmor, "--offline", "--no-progress", "--format", "json", str(corpus)],
    }, runs)
    rows.append({"case": f"the whole tree ({corpus.name}/)", "kind": "tree", **times})
    with tempfile.TemporaryDirectory() as cache:
        first, second = [], []
        for _ in range(runs):
            shutil.rmtree(cache, ignore_errors=True)
            first.append(probe([*lint, "--cache-dir", cache, str(corpus)]))
            second.append(probe([*lint, "--cache-dir", cache, str(corpus)]))
    rows.append({
        "case": "the whole tree again, unchanged, with the cache", "kind": "cache",
        "first": {"wall": statistics.median(s[0] for s in first), "cpu": statistics.median(s[1] for s in first)},
        "second": {"wall": statistics.median(s[0] for s in second), "cpu": statistics.median(s[1] for s in second)},
    })
    return rows


def report(rows: list[dict], zizmor_version: str) -> tuple[str, bool]:
    met = True
    lines = [
        f"Measured {datetime.date.today().isoformat()} on a {os.cpu_count()}-core machine with `python benchmarks/speed.py` "
        f"against {zizmor_version} `--offline`; medians of paired runs, wall time (CPU time in brackets).",
        "",
        "| case | cicdlint | zizmor | ratio | target | met |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]

    def cell(entry):
        return f"{entry['wall'] * 1000:.0f} ms ({entry['cpu'] * 1000:.0f} ms)"

    def line(case, ours, theirs, ratio, target, ok):
        nonlocal met
        met &= ok
        lines.append(f"| {case} | {ours} | {theirs} | {ratio} | {target} | {'yes' if ok else '**no**'} |")

    for row in rows:
        if row["kind"] == "one":
            ratio = row["cicdlint"]["wall"] / row["zizmor"]["wall"]
            line(row["case"], cell(row["cicdlint"]), cell(row["zizmor"]), f"{ratio:.2f}x", "≤ 1.2x", ratio <= 1.2)
            own = (row["cicdlint"]["wall"] - row["floor"]["wall"]) * 1000
            own_cpu = (row["cicdlint"]["cpu"] - row["floor"]["cpu"]) * 1000
            line(f"{row['case']}: cicdlint above `import click, yaml` ({cell(row['floor'])})", f"{own:.0f} ms ({own_cpu:.0f} ms)",
                 "", "", "≤ 25 ms", own <= 25)
        elif row["kind"] == "tree":
            for name, target in (("cicdlint", 0.5), ("cicdlint -j1", 1.0)):
                ratio = row[name]["wall"] / row["zizmor"]["wall"]
                jobs = "default `--jobs`" if name == "cicdlint" else "`--jobs 1`"
                line(f"{row['case']}, {jobs}", cell(row[name]), cell(row["zizmor"]), f"{ratio:.2f}x", f"≤ {target}x", ratio <= target)
            rss = max(row["cicdlint"]["rss"], row["cicdlint -j1"]["rss"])
            line(f"{row['case']}: peak memory of the largest process", f"{rss} MB", f"{row['zizmor']['rss']} MB", "", "< 150 MB", rss < 150)
        else:
            ratio = row["second"]["wall"] / row["first"]["wall"]
            line(row["case"], cell(row["second"]), "", f"{ratio:.2f}x of the first run ({cell(row['first'])})", "≤ 0.2x", ratio <= 0.2)
    return "\n".join(lines) + "\n", met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zizmor", default=os.environ.get("ZIZMOR") or shutil.which("zizmor") or "zizmor")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--update", action="store_true", help="rewrite the speed section of README.md")
    args = parser.parse_args()
    if not Path(args.zizmor).exists() and not shutil.which(args.zizmor):
        print(f"zizmor not found ({args.zizmor}); install it into a scratch venv: pip install zizmor", file=sys.stderr)
        return 2
    version = subprocess.run([args.zizmor, "--version"], capture_output=True, text=True).stdout.strip() or "zizmor"
    text, met = report(measure(args.zizmor, args.corpus, args.runs), version)
    print(text)
    if args.update:
        sys.path.insert(0, str(HERE))
        from generated_section import replace_section

        replace_section(ROOT / "README.md", "speed", text)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
