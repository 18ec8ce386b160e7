"""Drop-in adapters: code written for RQC listeners, OmniQ event loggers and processors, Dockrion stream
contexts, AntFlow StatusTracker callbacks and run observers reports to runledger with a one-line change.
Each is duck-typed: the original library is not imported, and need not be installed."""

from __future__ import annotations
