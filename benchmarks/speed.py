#!/usr/bin/env python3
"""cicdlint against zizmor, side by side in one run, on this machine.

    python benchmarks/speed.py [--zizmor PATH] [--corpus DIR] [--runs N]

Measures (wall clock, median of N runs, each a fresh process as a user would start it):
  1. one file: `cicdlint check FILE` vs `zizmor --offline FILE` (the pre-commit case), on the
     bundled example deploy workflow (which also pulls in the task definition it deploys) and on
     a plain CI workflow;
  2. the whole tree: `cicdlint check DIR` vs `zizmor --offline DIR`.
Prints both timings and the ratio; exits 1 when cicdlint is slower on any case.

Python writes bytecode caches on first import, as an installed package has them: the script
runs cicdlint once to warm them up, and lets Python write them even where
PYTHONDONTWRITEBYTECODE is set.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus" / "workflows"
ONE_FILES = (
    HERE.parent / "examples" / ".github" / "workflows" / "deploy.yml",
    HERE.parent / "tests" / "fixtures" / "echoed-secret" / "bad-echo.yml",
)
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=ENV)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cicdlint_command() -> list[str]:
    found = shutil.which("cicdlint") or str(Path(sys.executable).with_name("cicdlint"))
    return [found]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zizmor", default=os.environ.get("ZIZMOR") or shutil.which("zizmor") or "zizmor")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--file", type=Path, action="append", help="one-file case (repeatable)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not Path(args.zizmor).exists() and not shutil.which(args.zizmor):
        print(f"zizmor not found ({args.zizmor}); install it into a scratch venv: pip install zizmor", file=sys.stderr)
        return 2
    cicdlint = cicdlint_command()
    timed([*cicdlint, "rules"], 1)  # write the bytecode caches
    cases = [("one file", path, args.runs * 4) for path in args.file or ONE_FILES]
    cases.append(("whole tree", args.corpus, args.runs))
    slower = False
    print(f"{'case':<12} {'cicdlint':>10} {'zizmor':>10} {'ratio':>7}   target")
    for name, target, runs in cases:
        ours = timed([*cicdlint, "check", str(target), "--no-config", "--exit-zero", "--format", "json"], runs)
        theirs = timed([args.zizmor, "--offline", "--no-progress", "--format", "json", str(target)], runs)
        ratio = ours / theirs
        slower |= ratio > 1.0
        print(f"{name:<12} {ours:>9.3f}s {theirs:>9.3f}s {ratio:>6.2f}x   {target}")
    print("cicdlint is " + ("SLOWER than zizmor on at least one case" if slower else "no slower than zizmor on both cases"))
    return 1 if slower else 0


if __name__ == "__main__":
    sys.exit(main())
