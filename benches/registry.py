#!/usr/bin/env python3
"""Benchmark iris-dev's registry against iris-devtester's, in one run.

    cargo build --release
    python3 benches/registry.py --python target/ci-venv/bin/python

Measures, each in a fresh temporary HOME with a high port range:
  0. with `--stacks N` (default 3), N stand-in stacks started by `iris-dev up` on
     the real engine first, so the registry holds running stacks that could go
     stale: warm `port` and `env` must still not ask the engine;
  1. a warm `iris-dev port` (and `env`) as a whole process (the project already
     has its port), and the same `port` in a HOME whose registry holds no stacks;
  2. the same call through iris-devtester: `PortRegistry.assign_port` for a project
     that already has its port, both as a whole `python -c` process and in-process;
  3. 64 concurrent processes, each assigning a port to its own project, wall time,
     for iris-dev (the median of `--rounds` rounds, each starting from the same
     registry) and for iris-devtester (one round: it takes 10 to 25 s).
  4. with `--baseline BINARY` (an earlier release build), warm `port` and `env`
     of this build and the baseline, alternating call by call, each in a HOME of
     its own without stacks: on a busy machine only calls taken side by side
     say whether a change made them slower.
Results go to standard output as a Markdown table for docs/BENCHMARKS.md.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from standin import build_standin

ROOT = Path(__file__).resolve().parent.parent
RANGE = (13000, 13199)
IMAGE = "iris-dev-standin:test"


PY_ASSIGN = """
import sys
from pathlib import Path
from iris_devtester.ports import PortRegistry
r = PortRegistry(registry_path=Path(sys.argv[1]), port_range=(int(sys.argv[2]), int(sys.argv[3])))
print(r.assign_port(sys.argv[4]).port)
"""

PY_WARM_LOOP = """
import sys, time
from pathlib import Path
from iris_devtester.ports import PortRegistry
r = PortRegistry(registry_path=Path(sys.argv[1]), port_range=(int(sys.argv[2]), int(sys.argv[3])))
r.assign_port(sys.argv[4])
n = int(sys.argv[5])
t = time.perf_counter()
for _ in range(n):
    r.assign_port(sys.argv[4])
print((time.perf_counter() - t) / n)
"""


def env_for(home):
    env = {k: v for k, v in os.environ.items() if not k.startswith("IRIS_DEV_")}
    env["HOME"] = str(home)
    env["IRIS_DEV_PORT_RANGE"] = f"{RANGE[0]}-{RANGE[1]}"
    return env


def timed(runs, fn):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), statistics.mean(samples)


def concurrent(commands, env, tolerate=False):
    """Wall time of `commands` started together, and how many failed (only
    tolerated for iris-devtester, whose lock wait times out under this load)."""
    start = time.perf_counter()
    children = [
        subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for cmd, cwd in commands
    ]
    outputs = [child.communicate() for child in children]
    failed = [err.decode()[-300:] for (out, err), child in zip(outputs, children) if child.returncode != 0]
    assert tolerate or not failed, f"{len(failed)} of {len(children)} failed, e.g.: {failed[0]}"
    ports = [int(out) for (out, _), child in zip(outputs, children) if child.returncode == 0]
    elapsed = time.perf_counter() - start
    assert len(set(ports)) == len(ports), "duplicate ports"
    return elapsed, len(failed)


def alternate(temp, binaries, runs):
    """Medians of warm `port` and `env` for each of `binaries`, called in turn."""
    setups = {}
    for n, (name, binary) in enumerate(binaries.items()):
        home = temp / f"side-home-{n}"
        project = temp / f"side-{n}"
        home.mkdir()
        project.mkdir()
        env = env_for(home)
        subprocess.run([binary, "port"], cwd=project, env=env, check=True, stdout=subprocess.DEVNULL)
        setups[name] = (binary, project, env)
    samples = {name: {"port": [], "env": []} for name in binaries}
    for _ in range(runs):
        for name, (binary, project, env) in setups.items():
            for command in ("port", "env"):
                start = time.perf_counter()
                subprocess.run([binary, command], cwd=project, env=env, check=True, stdout=subprocess.DEVNULL)
                samples[name][command].append(time.perf_counter() - start)
    return {name: {c: statistics.median(v) for c, v in by.items()} for name, by in samples.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=str(ROOT / "target/release/iris-dev"))
    parser.add_argument("--python", default=str(ROOT / "target/ci-venv/bin/python"))
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--stacks", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline", help="an earlier iris-dev binary, measured side by side")
    args = parser.parse_args()
    # The concurrent round starts each process in its own directory: a relative
    # path (as the docs give it) must not depend on that. `abspath`, not
    # `resolve`: the venv's python is a symlink whose target has no venv.
    args.binary = os.path.abspath(args.binary)
    args.python = os.path.abspath(args.python)
    args.baseline = args.baseline and os.path.abspath(args.baseline)
    stacks = []

    with tempfile.TemporaryDirectory(prefix="iris-dev-bench") as temp:
        temp = Path(temp)
        home = temp / "home"
        home.mkdir()
        env = env_for(home)
        registry = home / ".iris-devtester" / "port-registry.json"
        project = temp / "warm"
        project.mkdir()

        # A registry without stacks, for the baseline.
        quiet_home = temp / "quiet-home"
        quiet_home.mkdir()
        quiet_env = env_for(quiet_home)
        subprocess.run([args.binary, "port"], cwd=project, env=quiet_env, check=True, stdout=subprocess.DEVNULL)
        quiet_median, _ = timed(
            args.runs,
            lambda: subprocess.run([args.binary, "port"], cwd=project, env=quiet_env, check=True, stdout=subprocess.DEVNULL),
        )

        if args.stacks:
            build_standin(temp)
        for n in range(args.stacks):
            stack = temp / f"stack{n}"
            stack.mkdir()
            (stack / "compose.yaml").write_text(f'services:\n  iris:\n    image: {IMAGE}\n    expose: ["1972"]\n')
            subprocess.run([args.binary, "up", "-q", "--no-wait"], cwd=stack, env=env, check=True)
            stacks.append(stack)

        try:
            subprocess.run([args.binary, "port"], cwd=project, env=env, check=True, stdout=subprocess.DEVNULL)
            rust_median, rust_mean = timed(
                args.runs,
                lambda: subprocess.run([args.binary, "port"], cwd=project, env=env, check=True, stdout=subprocess.DEVNULL),
            )
            env_median, _ = timed(
                args.runs,
                lambda: subprocess.run([args.binary, "env"], cwd=project, env=env, check=True, stdout=subprocess.DEVNULL),
            )

            # Before any Python call: iris-devtester rewrites the file without
            # iris-dev's fields, after which the stacks would no longer look running.
            before = registry.read_bytes()
            rounds = []
            for r in range(args.rounds):
                registry.write_bytes(before)
                for n in range(64):
                    (temp / f"r{r}-{n}").mkdir()
                elapsed, _ = concurrent([([args.binary, "port"], temp / f"r{r}-{n}") for n in range(64)], env)
                rounds.append(elapsed)
            rust_64 = statistics.median(rounds)
            registry.write_bytes(before)
            for n in range(64):
                (temp / f"p{n}").mkdir()

            py_args = [str(registry), str(RANGE[0]), str(RANGE[1]), str(project)]
            py_runs = max(10, args.runs // 10)
            py_proc_median, _ = timed(
                py_runs,
                lambda: subprocess.run([args.python, "-c", PY_ASSIGN, *py_args], env=env, check=True, stdout=subprocess.DEVNULL),
            )
            out = subprocess.run(
                [args.python, "-c", PY_WARM_LOOP, *py_args, str(args.runs)], env=env, check=True, capture_output=True, text=True
            )
            py_inproc = float(out.stdout)

            py_64, py_64_failed = concurrent(
                [([args.python, "-c", PY_ASSIGN, *py_args[:3], str(temp / f"p{n}")], temp) for n in range(64)],
                env,
                tolerate=True,
            )
        finally:
            for stack in stacks:
                subprocess.run([args.binary, "down", "-q", "--volumes"], cwd=stack, env=env, check=False)

        side_by_side = args.baseline and alternate(temp, {"this build": args.binary, "baseline": args.baseline}, args.runs)

    ms = lambda s: f"{s * 1000:.2f} ms"
    print(f"With {args.stacks} running stack(s) in the registry.\n")
    print(f"| measurement | iris-dev | iris-devtester | ratio |")
    print(f"|---|---|---|---|")
    print(f"| warm `port`, whole process (median of {args.runs}) | {ms(rust_median)} | {ms(py_proc_median)} | {py_proc_median / rust_median:.0f}x |")
    print(f"| warm `env`, whole process (median of {args.runs}) | {ms(env_median)} | {ms(py_proc_median)} | {py_proc_median / env_median:.0f}x |")
    print(f"| warm `port` with running stacks vs none (median) | {ms(rust_median)} | {ms(quiet_median)} (no stacks) | {rust_median / quiet_median:.2f}x |")
    print(f"| warm `port` vs in-process `assign_port` (mean of {args.runs}) | {ms(rust_mean)} | {ms(py_inproc)} | {py_inproc / rust_mean:.1f}x |")
    failed = f" ({py_64_failed} of 64 timed out on the lock)" if py_64_failed else ""
    spread = f"median of {args.rounds}, {ms(min(rounds))} to {ms(max(rounds))}"
    print(f"| 64 concurrent processes, one project each (wall; iris-dev: {spread}) | {ms(rust_64)} | {ms(py_64)}{failed} | {py_64 / rust_64:.0f}x |")
    if side_by_side:
        print(f"\nSide by side with the baseline (median of {args.runs}, alternating call by call, no stacks):\n")
        print("| command | this build | baseline | ratio |")
        print("|---|---|---|---|")
        for command in ("port", "env"):
            this, base = side_by_side["this build"][command], side_by_side["baseline"][command]
            print(f"| warm `{command}` | {ms(this)} | {ms(base)} | {this / base:.2f}x |")


if __name__ == "__main__":
    sys.exit(main())
