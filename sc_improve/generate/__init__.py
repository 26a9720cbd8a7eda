"""Seeded generator of realistic supply-chain event logs (P2P, O2C, production).

``generate_log(kind, events, seed)`` returns the event table as a pandas frame and
``write_log(frame, path)`` writes it as CSV, CSV.GZ, Parquet or XES (by extension).
See docs/GENERATOR.md for the process models and what the noise injects. Names are
imported on first use, so the CLI's parser can read the choices without loading pandas.
"""

from sc_improve.lazy_exports import lazy_exports

_EXPORTS = {
    "KINDS": "sc_improve.generate.choices",
    "Kind": "sc_improve.generate.choices",
    "generate_log": "sc_improve.generate.generator",
    "write_log": "sc_improve.generate.writer",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports("sc_improve.generate", _EXPORTS, globals())
