"""The bundled sample logs: listed, small, unchanged (real ones) and reproducible (generated ones)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from sc_improve.generate import generate_log, write_log

SAMPLES = Path(__file__).resolve().parent.parent / "sample_logs"
README = SAMPLES / "README.md"
CHECKSUMS = SAMPLES / "CHECKSUMS.txt"
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_TOTAL_BYTES = 10 * 1024 * 1024
GENERATED = {
    "p2p_generated.csv": ("p2p", 20_000),
    "o2c_generated.csv": ("o2c", 12_000),
    "production_generated.csv": ("production", 12_000),
    "p2p_generated.xes.gz": ("p2p", 5_000),
}
SEED, NOISE = 2024, 0.01


def listed_files() -> list[str]:
    """File names in the first column of the tables in sample_logs/README.md."""
    return re.findall(r"^\| `([^`]+)` \|", README.read_text(encoding="utf-8"), flags=re.MULTILINE)


def checksums() -> dict[str, str]:
    lines = CHECKSUMS.read_text(encoding="utf-8").splitlines()
    pairs = (line.split() for line in lines if line.strip() and not line.startswith("#"))
    return {name: digest for digest, name in pairs}


def test_every_listed_file_exists_and_every_file_is_listed():
    listed = listed_files()
    assert len(listed) == len(set(listed)) >= 18
    present = {p.name for p in SAMPLES.iterdir() if p.name not in {"README.md", "CHECKSUMS.txt"}}
    assert set(listed) == present


def test_files_are_small_enough_to_bundle():
    sizes = {p.name: p.stat().st_size for p in SAMPLES.iterdir()}
    assert max(sizes.values()) < MAX_FILE_BYTES, max(sizes, key=sizes.get)
    assert sum(sizes.values()) <= MAX_TOTAL_BYTES


def test_real_logs_are_byte_for_byte_the_published_files():
    expected = checksums()
    assert set(expected) == set(listed_files()) - set(GENERATED)
    for name, digest in expected.items():
        assert re.fullmatch(r"[0-9a-f]{16}", digest)
        assert hashlib.sha256((SAMPLES / name).read_bytes()).hexdigest()[:16] == digest, name


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_samples_are_reproduced_by_their_documented_command(name, tmp_path):
    kind, events = GENERATED[name]
    command = (
        f"sc-improve generate {kind} --events {events} --seed {SEED} --noise {NOISE} -o sample_logs/{name}"
    )
    assert command in README.read_text(encoding="utf-8")
    fresh = write_log(generate_log(kind, events, seed=SEED, noise=NOISE), tmp_path / name)
    assert fresh.read_bytes() == (SAMPLES / name).read_bytes(), (
        f"{name} is out of date with the generator: regenerate it with `{command}`"
    )
