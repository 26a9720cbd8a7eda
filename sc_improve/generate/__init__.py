"""Seeded generator of realistic supply-chain event logs (P2P, O2C, production).

``generate_log(kind, events, seed)`` returns the event table as a pandas frame and
``write_log(frame, path)`` writes it as CSV, CSV.GZ, Parquet or XES (by extension).
See docs/GENERATOR.md for the process models and what the noise injects.
"""

from sc_improve.generate.generator import KINDS, Kind, generate_log
from sc_improve.generate.writer import write_log

__all__ = ["KINDS", "Kind", "generate_log", "write_log"]
