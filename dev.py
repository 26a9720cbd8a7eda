"""Set up the project's one environment (.venv/) and run the main job or the tests.

    python3 dev.py run     # set up, then analyse the bundled P2P sample log
    python3 dev.py test    # set up, then run the whole test suite

Only the Python standard library is used here, so this works on a fresh machine with
nothing but Python 3.11+. Dependencies are installed at the versions in constraints.txt,
so a new release elsewhere cannot break a fresh set-up or CI overnight. Set-up is skipped
when pyproject.toml and constraints.txt have not changed since the last install (a hash
stamp in .venv/).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".sc-improve-installed"
SAMPLE_LOG = ROOT / "sample_logs" / "p2p_generated.csv"
OUT = ROOT / "out"


def venv_bin(name: str) -> Path:
    folder = "Scripts" if os.name == "nt" else "bin"
    suffix = ".exe" if os.name == "nt" else ""
    return VENV / folder / f"{name}{suffix}"


def set_up() -> None:
    wanted = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes() + (ROOT / "constraints.txt").read_bytes()
    ).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and venv_bin("python").exists():
        return
    if not venv_bin("python").exists():
        print("Creating .venv/ ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    python = str(venv_bin("python"))
    print("Installing sc-improve and its dependencies into .venv/ ...", flush=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "-c",
            str(ROOT / "constraints.txt"),
            "-e",
            f"{ROOT}[dev]",
        ],
        check=True,
    )
    STAMP.write_text(wanted)


def run_main_job(extra: list[str]) -> int:
    OUT.mkdir(exist_ok=True)
    command = [
        str(venv_bin("sc-improve")),
        "analyze",
        str(SAMPLE_LOG),
        "--json",
        str(OUT / "analysis.json"),
        *extra,
    ]
    return subprocess.call(command, cwd=ROOT)


def run_tests(extra: list[str]) -> int:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    checks = [
        [str(venv_bin("lint-imports")), "--config", str(ROOT / "pyproject.toml")],
        [str(venv_bin("python")), "-m", "pytest", "-n", "2", "--dist", "loadfile", *extra],
    ]
    for command in checks:
        code = subprocess.call(command, cwd=ROOT, env=env)
        if code != 0:
            return code
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "setup"}:
        print(__doc__)
        return 2
    set_up()
    if argv[0] == "run":
        return run_main_job(argv[1:])
    if argv[0] == "test":
        return run_tests(argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
