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


def measure(args, temp, name, docker_config, port_range):
    """Medians of bare `<compose> up -d`, `iris-dev up --no-wait` and `iris-dev up`
    with the compose that `docker_config` selects, and that compose's command."""
    home = temp / f"home-{name}"
    home.mkdir()
    project = temp / f"shop-{name}"
    project.mkdir()
    (project / "compose.yaml").write_text(f'services:\n  iris:\n    image: {IMAGE}\n    expose: ["1972"]\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("IRIS_DEV_")}
    env.update(HOME=str(home), IRIS_DEV_PORT_RANGE=port_range, DOCKER_CONFIG=str(docker_config))
    iris_dev = lambda *a: [args.binary, *a]

    # Warm up: the first `up` finds compose, reads its config and fills the cache.
    subprocess.run(iris_dev("up", "-q"), cwd=project, env=env, check=True)
    subprocess.run(iris_dev("down", "-q"), cwd=project, env=env, check=True)
    plan = subprocess.run(iris_dev("up", "--dry-run"), cwd=project, env=env, check=True, capture_output=True, text=True)
    bare = plan.stdout.strip().splitlines()[-1].split()
    bare_env = dict(env, **dict(word.split("=", 1) for word in bare if "=" in word and not word.startswith("-")))
    bare = [word for word in bare if not ("=" in word and word.split("=", 1)[0].isupper())]
    down = bare[: bare.index("up")] + ["down"]
    compose = bare[:1] if bare[0] == "docker-compose" else bare[:2]
    version = subprocess.run(compose + ["version", "--short"], env=env, check=True, capture_output=True, text=True)

    samples = {"bare": [], "no_wait": [], "wait": []}
    for _ in range(args.runs):
        samples["bare"].append(timed(bare, cwd=project, env=bare_env))
        subprocess.run(down, cwd=project, env=bare_env, check=True, capture_output=True)
        samples["no_wait"].append(timed(iris_dev("up", "--no-wait"), cwd=project, env=env))
        subprocess.run(iris_dev("down", "-q"), cwd=project, env=env, check=True)
        samples["wait"].append(timed(iris_dev("up"), cwd=project, env=env))
        subprocess.run(iris_dev("down", "-q"), cwd=project, env=env, check=True)
    subprocess.run(iris_dev("down", "-q", "--volumes", "--release"), cwd=project, env=env, check=True)
    median = {name: statistics.median(values) for name, values in samples.items()}
    return " ".join(compose), version.stdout.strip().lstrip("v"), median


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=str(ROOT / "target/release/iris-dev"))
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument(
        "--compose-v2",
        default=os.environ.get("IRIS_DEV_TEST_COMPOSE_V2", str(ROOT / "target/compose-2.40.3/docker-config")),
        help="a DOCKER_CONFIG whose cli-plugins hold compose v2 (`bash .ci/run` makes one); "
        "measured after docker-compose 1.x when it exists",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="iris-dev-bench") as temp:
        temp = Path(temp)
        build_standin(temp)
        # v1: a DOCKER_CONFIG without plugins, so iris-dev finds `docker-compose`.
        empty = temp / "docker-config"
        empty.mkdir()
        composes = [("v1", empty, "13300-13309")]
        if (Path(args.compose_v2) / "cli-plugins/docker-compose").is_file():
            composes.append(("v2", Path(args.compose_v2), "13310-13319"))
        results = [measure(args, temp, *compose) for compose in composes]

    for compose, version, median in results:
        print(f"\n{compose} {version}:\n")
        print("| command (median of %d) | time | vs bare |" % args.runs)
        print("|---|---|---|")
        print(f"| `{compose} up -d` (bare) | {median['bare'] * 1000:.0f} ms | 1.00x |")
        print(f"| `iris-dev up --no-wait` | {median['no_wait'] * 1000:.0f} ms | {median['no_wait'] / median['bare']:.2f}x |")
        print(f"| `iris-dev up` (waits until healthy) | {median['wait'] * 1000:.0f} ms | {median['wait'] / median['bare']:.2f}x |")


if __name__ == "__main__":
    main()
