"""Deprecated private path of :mod:`chatroutes_core.flows` (kept so code written against it imports)."""

from .flows import ClientCall, Flow, arun, run

__all__ = ["ClientCall", "Flow", "arun", "run"]
