#!/usr/bin/env python3
"""cicdlint against zizmor, side by side in one run, on this machine.

    python benchmarks/speed.py [--zizmor PATH] [--corpus DIR] [--runs N]

Measures (wall clock, median of N runs, each a fresh process as a user would start it):
  1. one file: `cicdlint check FILE` vs `zizmor --offline FILE` (the pre-commit case);
  2. the whole tree: `cicdlint check DIR` vs `zizmor --offline DIR`.
Prints both timings and the ratio; exits 1 when cicdlint is slower on either.
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
ONE_FILE = HERE.parent / "examples" / ".github" / "workflows" / "deploy.yml"


def timed(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cicdlint_command() -> list[str]:
    found = shutil.which("cicdlint") or str(Path(sys.executable).with_name("cicdlint"))
    return [found]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zizmor", default=os.environ.get("ZIZMOR") or shutil.which("zizmor") or "zizmor")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--file", type=Path, default=ONE_FILE)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not Path(args.zizmor).exists() and not shutil.which(args.zizmor):
        print(f"zizmor not found ({args.zizmor}); install it into a scratch venv: pip install zizmor", file=sys.stderr)
        return 2
    cicdlint = cicdlint_command()
    cases = [("one file", args.file, args.runs * 4), ("whole tree", args.corpus, args.runs)]
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
