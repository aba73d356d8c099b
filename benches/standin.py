"""The stand-in image the benchmarks start, built from tests/standin as the test
suite builds it (no registry can be reached, so nothing is pulled)."""

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build_standin(temp, tag="iris-dev-standin:test", target=None):
    """Compiles the stand-in statically in `temp` and builds `tag` (of the
    Dockerfile's stage `target`, the last one when `None`)."""
    context = temp / "standin"
    context.mkdir()
    subprocess.run(["cc", "-static", "-O2", "-o", context / "standin", ROOT / "tests/standin/standin.c"], check=True)
    shutil.copy(ROOT / "tests/standin/Dockerfile", context / "Dockerfile")
    stage = ["--target", target] if target else []
    subprocess.run(["docker", "build", "-q", *stage, "-t", tag, context], check=True, stdout=subprocess.DEVNULL)
