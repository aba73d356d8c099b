#!/usr/bin/env python3
"""Benchmark `iris-dev up` against a bare `<compose> up -d`, in one run.

    cargo build --release
    python3 benches/up.py    # --compose-v2 DIR: a DOCKER_CONFIG with the v2 plugin

Once with Debian's docker-compose 1.x, then with compose v2 from the
DOCKER_CONFIG that `--compose-v2` names (default: `IRIS_DEV_TEST_COMPOSE_V2`, else
the one `bash .ci/run` installs), if it exists. Both start the same stand-in
project (tests/standin, built here from scratch) with the same files, so the
difference is iris-dev's own work: finding the project, the registry, the stale
check, the override, and (warm) no extra compose process. Runs alternate, with
`down` between them untimed. Results go to standard output as one Markdown table
per compose for docs/BENCHMARKS.md.

`--baseline BINARY` (an earlier release build) runs the same two `up`s with it
in the same loop, on a project of its own, right after this build's: on a
machine whose compose times swing by 20% between runs, only runs taken side by
side say whether a change made `up` slower.
"""

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from standin import build_standin

ROOT = Path(__file__).resolve().parent.parent
IMAGE = "iris-dev-standin:test"


def timed(command, **kwargs):
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - start


def setup(temp, name, binary, docker_config, port_range):
    """A stand-in project with a HOME of its own, warmed up with `binary`: the
    first `up` finds compose, reads its config and fills the cache."""
    home = temp / f"home-{name}"
    home.mkdir()
    project = temp / f"shop-{name}"
    project.mkdir()
    (project / "compose.yaml").write_text(f'services:\n  iris:\n    image: {IMAGE}\n    expose: ["1972"]\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("IRIS_DEV_")}
    env.update(HOME=str(home), IRIS_DEV_PORT_RANGE=port_range, DOCKER_CONFIG=str(docker_config))
    subprocess.run([binary, "up", "-q"], cwd=project, env=env, check=True)
    subprocess.run([binary, "down", "-q"], cwd=project, env=env, check=True)
    return project, env


def measure(args, temp, name, docker_config, port_range, baseline_range):
    """Medians of bare `<compose> up -d`, `iris-dev up --no-wait` and `iris-dev up`
    (and the baseline's two `up`s) with the compose that `docker_config` selects,
    and that compose's command."""
    project, env = setup(temp, name, args.binary, docker_config, port_range)
    iris_dev = lambda *a: [args.binary, *a]
    if args.baseline:
        base_project, base_env = setup(temp, f"{name}-baseline", args.baseline, docker_config, baseline_range)
    plan = subprocess.run(iris_dev("up", "--dry-run"), cwd=project, env=env, check=True, capture_output=True, text=True)
    bare = plan.stdout.strip().splitlines()[-1].split()
    bare_env = dict(env, **dict(word.split("=", 1) for word in bare if "=" in word and not word.startswith("-")))
    bare = [word for word in bare if not ("=" in word and word.split("=", 1)[0].isupper())]
    down = bare[: bare.index("up")] + ["down"]
    compose = bare[:1] if bare[0] == "docker-compose" else bare[:2]
    version = subprocess.run(compose + ["version", "--short"], env=env, check=True, capture_output=True, text=True)

    samples = {"bare": [], "no_wait": [], "wait": [], "base_no_wait": [], "base_wait": []}
    runs = [("no_wait", args.binary, project, env, ["--no-wait"]), ("wait", args.binary, project, env, [])]
    if args.baseline:
        runs.insert(1, ("base_no_wait", args.baseline, base_project, base_env, ["--no-wait"]))
        runs.append(("base_wait", args.baseline, base_project, base_env, []))
    for _ in range(args.runs):
        samples["bare"].append(timed(bare, cwd=project, env=bare_env))
        subprocess.run(down, cwd=project, env=bare_env, check=True, capture_output=True)
        for key, binary, cwd, run_env, flags in runs:
            samples[key].append(timed([binary, "up", *flags], cwd=cwd, env=run_env))
            subprocess.run([binary, "down", "-q"], cwd=cwd, env=run_env, check=True)
    subprocess.run(iris_dev("down", "-q", "--volumes", "--release"), cwd=project, env=env, check=True)
    if args.baseline:
        subprocess.run([args.baseline, "down", "-q", "--volumes", "--release"], cwd=base_project, env=base_env, check=True)
    median = {name: statistics.median(values) for name, values in samples.items() if values}
    return " ".join(compose), version.stdout.strip().lstrip("v"), median


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=str(ROOT / "target/release/iris-dev"))
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--baseline", help="an earlier iris-dev binary, measured side by side")
    parser.add_argument(
        "--compose-v2",
        default=os.environ.get("IRIS_DEV_TEST_COMPOSE_V2", str(ROOT / "target/compose-2.40.3/docker-config")),
        help="a DOCKER_CONFIG whose cli-plugins hold compose v2 (`bash .ci/run` makes one); "
        "measured after docker-compose 1.x when it exists",
    )
    args = parser.parse_args()
    # Each run starts in the project's directory: a relative `--binary` must not
    # depend on that.
    args.binary = os.path.abspath(args.binary)
    args.baseline = args.baseline and os.path.abspath(args.baseline)

    with tempfile.TemporaryDirectory(prefix="iris-dev-bench") as temp:
        temp = Path(temp)
        build_standin(temp)
        # v1: a DOCKER_CONFIG without plugins, so iris-dev finds `docker-compose`.
        empty = temp / "docker-config"
        empty.mkdir()
        composes = [("v1", empty, "13300-13309", "13320-13329")]
        if (Path(args.compose_v2) / "cli-plugins/docker-compose").is_file():
            composes.append(("v2", Path(args.compose_v2), "13310-13319", "13330-13339"))
        results = [measure(args, temp, *compose) for compose in composes]

    for compose, version, median in results:
        print(f"\n{compose} {version}:\n")
        print("| command (median of %d) | time | vs bare |" % args.runs)
        print("|---|---|---|")
        print(f"| `{compose} up -d` (bare) | {median['bare'] * 1000:.0f} ms | 1.00x |")
        print(f"| `iris-dev up --no-wait` | {median['no_wait'] * 1000:.0f} ms | {median['no_wait'] / median['bare']:.2f}x |")
        print(f"| `iris-dev up` (waits until healthy) | {median['wait'] * 1000:.0f} ms | {median['wait'] / median['bare']:.2f}x |")
        if args.baseline:
            print(f"| baseline `up --no-wait` | {median['base_no_wait'] * 1000:.0f} ms | {median['base_no_wait'] / median['bare']:.2f}x |")
            print(f"| baseline `up` (waits until healthy) | {median['base_wait'] * 1000:.0f} ms | {median['base_wait'] / median['bare']:.2f}x |")


if __name__ == "__main__":
    main()
