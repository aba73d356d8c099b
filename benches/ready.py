#!/usr/bin/env python3
"""Benchmark `iris-dev up`'s readiness wait (issue 7 §1), in one run.

    cargo build --release
    python3 benches/ready.py

A stand-in whose HEALTHCHECK has IRIS's 60 s interval and whose service starts
listening 3 s after the container starts (the `slowhealth` variant,
STANDIN_READY_AFTER=3). For each run: how long `iris-dev up` took, and how long
after the service said it listened `up` returned (from the container's own log
timestamps; the engine is on this host, so one clock). Next to it, once: the image's
own timing, the time until Docker reports the container healthy after a bare
`<compose> up -d`. Prints a Markdown table for docs/BENCHMARKS.md.
"""

import argparse
import datetime
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from standin import build_standin

ROOT = Path(__file__).resolve().parent.parent
IMAGE = "iris-dev-standin:slowhealth"


def out(*command):
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


def stamp(text):
    """Docker's RFC 3339 nanosecond stamp as seconds since the epoch."""
    text = text.strip().rstrip("Z")
    whole, _, fraction = text.partition(".")
    seconds = datetime.datetime.fromisoformat(whole).replace(tzinfo=datetime.timezone.utc).timestamp()
    return seconds + float("0." + (fraction or "0"))


def container(name):
    return out("docker", "ps", "-aq", "--filter", f"label=com.docker.compose.project={name}",
               "--filter", "label=com.docker.compose.service=iris")


def listening_at(container_id):
    for line in out("docker", "logs", "-t", container_id).splitlines():
        if "standin: listening" in line:
            return stamp(line.split()[0])
    raise SystemExit("the stand-in never said it listened")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=str(ROOT / "target/release/iris-dev"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    # Each run starts in the project's directory: a relative `--binary` must not
    # depend on that.
    args.binary = os.path.abspath(args.binary)

    with tempfile.TemporaryDirectory(prefix="iris-dev-bench") as temp:
        temp = Path(temp)
        build_standin(temp, IMAGE, "slowhealth")
        home = temp / "home"
        home.mkdir()
        project = temp / "slow"
        project.mkdir()
        (project / "compose.yaml").write_text(
            f'services:\n  iris:\n    image: {IMAGE}\n    expose: ["1972"]\n'
            '    environment:\n      STANDIN_READY_AFTER: "3"\n')
        env = {k: v for k, v in os.environ.items() if not k.startswith("IRIS_DEV_")}
        env.update(HOME=str(home), IRIS_DEV_PORT_RANGE="13400-13409")
        iris_dev = lambda *a: [args.binary, *a]
        name = subprocess.run(iris_dev("env", "--format", "json"), cwd=project, env=env, check=True,
                              capture_output=True, text=True).stdout
        # `env` names the compose project `IRIS_DEV_COMPOSE_PROJECT` (it never
        # exports compose's own variable, issue 16).
        name = __import__("json").loads(name)["IRIS_DEV_COMPOSE_PROJECT"]

        took, after_ready = [], []
        try:
            for _ in range(args.runs):
                start = time.time()
                subprocess.run(iris_dev("up", "-q"), cwd=project, env=env, check=True)
                returned = time.time()
                took.append(returned - start)
                after_ready.append(returned - listening_at(container(name)))
                subprocess.run(iris_dev("down", "-q"), cwd=project, env=env, check=True)

            # The image's own timing: bare compose, then Docker's health status.
            plan = subprocess.run(iris_dev("up", "--dry-run"), cwd=project, env=env, check=True,
                                  capture_output=True, text=True)
            bare = plan.stdout.strip().splitlines()[-1].split()
            bare_env = dict(env, **dict(w.split("=", 1) for w in bare if "=" in w and not w.startswith("-")))
            bare = [w for w in bare if not ("=" in w and w.split("=", 1)[0].isupper())]
            start = time.time()
            subprocess.run(bare, cwd=project, env=bare_env, check=True, capture_output=True)
            cid = container(name)
            while out("docker", "inspect", "--format", "{{.State.Health.Status}}", cid) != "healthy":
                time.sleep(0.1)
            healthy = time.time() - start
            healthy_after_ready = time.time() - listening_at(cid)
        finally:
            subprocess.run(iris_dev("down", "-q", "--volumes", "--release"), cwd=project, env=env)

    print(f"| measure | `iris-dev up` (median of {args.runs}, max) | bare `up -d` until Docker says healthy |")
    print("|---|---|---|")
    print(f"| from start | {statistics.median(took):.2f} s, {max(took):.2f} s | {healthy:.2f} s |")
    print(f"| after the service listened | {statistics.median(after_ready):.2f} s, {max(after_ready):.2f} s "
          f"(min {min(after_ready):.2f} s) | {healthy_after_ready:.2f} s |")


if __name__ == "__main__":
    main()
