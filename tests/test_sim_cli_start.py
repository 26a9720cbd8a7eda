"""``simulate --from`` and the mapping's ``--start`` column are different options.

Both once wrote to the same argparse destination, so ``--from`` was taken as the name
of the start-time column and the run failed with "there is no column '2012-...'".
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sc_improve.cli import main
from sc_improve.generate import generate_log


def test_from_sets_the_simulation_start_while_start_names_the_column(tmp_path: Path):
    log_path = tmp_path / "p2p.csv"
    frame = generate_log("p2p", events=1500, seed=3)
    frame.rename(columns={"start_time": "begun"}).to_csv(log_path, index=False)
    exported = tmp_path / "runs"
    code = main(
        ["simulate", str(log_path), "--start", "begun", "--from", "2030-01-07T00:00:00+00:00"]
        + ["--cases", "10", "--warmup-days", "0", "--replications", "1", "--processes", "1"]
        + ["--no-validate", "--export-log", str(exported), "-q"]
    )
    assert code == 0
    (run,) = sorted(exported.glob("*.csv"))
    simulated = pd.read_csv(run)
    first_start = pd.to_datetime(simulated["start_time"], utc=True).min()
    assert first_start >= pd.Timestamp("2030-01-07", tz="UTC")
    assert first_start < pd.Timestamp("2030-03-01", tz="UTC")
