"""The simulation engine: runs a :class:`~sim.model.SimulationModel` with SimPy.

``simulate`` gives one seeded, reproducible run as a canonical event log plus resource
figures; ``run_replications`` runs independent replications in parallel processes.
"""

from sim.engine.output import SimulationRun
from sim.engine.replications import run_replications
from sim.engine.simulate import simulate
from sim.engine.validate import validate_model

__all__ = ["SimulationRun", "run_replications", "simulate", "validate_model"]
