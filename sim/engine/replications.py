"""Independent replications of a run, in parallel worker processes.

Replication ``r`` of seed ``s`` is the run ``simulate(..., seed=s, replication=r)``, so
the result does not depend on how many processes ran it or in which order they finished.
Workers are started with "spawn": the caller may be a GUI with threads, which ``fork``
would copy in an undefined state. Models are frozen dataclasses of plain values, so
sending them to the workers is safe.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from sc_improve.errors import OptionError
from sc_improve.progress import ProgressCallback, ensure_progress
from sim.engine.output import SimulationRun
from sim.engine.simulate import simulate
from sim.model import SimulationModel


def run_replications(
    model: SimulationModel,
    replications: int,
    *,
    seed: int = 0,
    processes: int | None = None,
    progress: ProgressCallback | None = None,
    **simulate_kwargs: Any,
) -> list[SimulationRun]:
    """``replications`` runs (replication 0..R-1), in order; ``processes`` workers
    (default: one per CPU core; 1 runs them in this process)."""
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise OptionError(f"replications must be a positive whole number, got {replications!r}")
    if "replication" in simulate_kwargs:
        raise ValueError("run_replications numbers the replications itself; do not pass replication=")
    workers = min(processes if processes is not None else (os.cpu_count() or 1), replications)
    if workers < 1:
        raise OptionError(f"processes must be at least 1, got {processes!r}")
    report = ensure_progress(progress)
    runs: list[SimulationRun | None] = [None] * replications
    report(0.0, f"running {replications} replications")
    if workers == 1:
        for r in range(replications):
            runs[r] = simulate(model, seed=seed, replication=r, **simulate_kwargs)
            report((r + 1) / replications, f"replication {r + 1} of {replications} done")
        return [run for run in runs if run is not None]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {
            pool.submit(simulate, model, seed=seed, replication=r, **simulate_kwargs): r
            for r in range(replications)
        }
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                runs[futures[future]] = future.result()
                report(done / replications, f"{done} of {replications} replications done")
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    return [run for run in runs if run is not None]
