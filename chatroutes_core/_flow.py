"""Deprecated private path of :mod:`chatroutes_core.flows` (kept so branches written against it still import)."""

from .flows import ClientCall, Flow, arun, run

__all__ = ["ClientCall", "Flow", "arun", "run"]
