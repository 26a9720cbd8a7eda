"""Extra columns of a simulated log, next to the canonical ones of ``sc_improve.columns``.

A simulated log is a canonical event table (case, activity, start, end, resource), so
every core analysis runs on it. These columns add what only a simulation knows: when the
activity was enabled and why it waited, split by cause.
"""

from __future__ import annotations

ENABLED = "sim:enabled"
"""When the activity became ready to start (predecessor done, or started for concurrent pairs)."""
WAIT_EXTRANEOUS_S = "sim:wait_extraneous_s"
"""Seconds of extraneous delay (``Delay``) after enabling."""
WAIT_BUSY_S = "sim:wait_busy_s"
"""Seconds queued while resources of the pool were on shift but all busy."""
WAIT_OFFSHIFT_S = "sim:wait_offshift_s"
"""Seconds queued while no resource of the pool was on shift."""
POOL = "sim:pool"
"""Pool that executed the activity (empty for activities needing no resource)."""
COST = "sim:cost"
"""Cost of the activity instance: pool hourly cost x working time + cost per run."""
REPLICATION = "sim:replication"
