"""The integration surface: everything an adapter (LangChain, LlamaIndex, the CLI, the explorer, the next
framework) needs from the core, public and in one place.

Import from here (or from ``chatroutes_core``, ``chatroutes_core.flows``, ``chatroutes_core.mapper``,
``chatroutes_core.tools``, ``chatroutes_core.errors``), never from a ``chatroutes_core._*`` module: an
import-linter contract in ``pyproject.toml`` holds the adapters to it.

What lives here, by concern:

* **Clients.** :class:`ClientSettings` turns a class's fields (key, URL, timeout, retries, a given client)
  into its sync or async client, through the shared :class:`ClientProvider`. Build one per call: a field
  changed after construction, or a copy, then takes effect on both paths. ``shared_client`` /
  ``shared_async_client`` are the provider's lookups.
* **Flows.** :class:`ClientCall`, :data:`Flow`, :func:`call`, :func:`run` / :func:`arun`: an operation of
  several requests written once as a generator and driven by either client (``chatroutes_core.flows``).
* **The mapper.** ``chatroutes_core.mapper`` (message list <-> path in the tree) and :mod:`turn_flows`, the
  turn as a flow (``TurnOptions``, ``prepare``, ``send``, ``reply_ref``) for adapters that add requests to it.
* **Tree reading.** :func:`read_branch` (a branch's full history, the main branch when ``branch_id`` is
  None) returning a :class:`BranchRead`; :func:`branch_history` for a known branch id.
* **The tool protocol.** :mod:`tools` (``chatroutes_core.tools``: render and parse ``<tool_call>`` blocks).
* **Errors.** :mod:`errors` (the whole tree); ``CORE_ERRORS`` / :func:`lazy_exports` let an adapter package
  re-export the tree lazily and name its pip extra when a framework is missing.
* **Shared plans.** Models (``DEFAULT_MODEL``, ``MODEL_ALIASES``, :func:`resolve_model`); comparing models
  (:func:`plan_compare`, :func:`check_models`, :func:`compare_title`); routing (:func:`plan_routes`,
  :func:`parts_of`, :func:`score_route`, :func:`normalize_suggestion`); ids (:func:`check_id`).
"""

from . import errors, tools
from ._catalog import DEFAULT_MODEL, MODEL_ALIASES, resolve_model
from ._client import AsyncChatRoutesClient, ChatRoutesClient, ClientOptions
from ._compare import Target as CompareTarget
from ._compare import check_models, compare_title, plan_compare
from ._http.request import check_generation, check_id
from ._http.transport import missing_key_message
from ._lazy import CORE_ERRORS, install_hint, lazy_exports
from ._provider import ClientProvider, default_provider, shared_async_client, shared_client
from ._routing import (
    Classifier,
    RoutePart,
    RoutePlan,
    RouteSuggestion,
    normalize_suggestion,
    parts_of,
    plan_routes,
    score_route,
)
from ._settings import ClientSettings
from ._version import __version__
from .flows import ClientCall, Flow, arun, call, run
from .mapper import _flows as turn_flows
from .resources._history import BranchRead, branch_history, read_branch

__all__ = [
    "CORE_ERRORS",
    "DEFAULT_MODEL",
    "MODEL_ALIASES",
    "AsyncChatRoutesClient",
    "BranchRead",
    "ChatRoutesClient",
    "Classifier",
    "ClientCall",
    "ClientOptions",
    "ClientProvider",
    "ClientSettings",
    "CompareTarget",
    "Flow",
    "RoutePart",
    "RoutePlan",
    "RouteSuggestion",
    "__version__",
    "arun",
    "branch_history",
    "call",
    "check_generation",
    "check_id",
    "check_models",
    "compare_title",
    "default_provider",
    "errors",
    "install_hint",
    "lazy_exports",
    "missing_key_message",
    "normalize_suggestion",
    "parts_of",
    "plan_compare",
    "plan_routes",
    "read_branch",
    "resolve_model",
    "run",
    "score_route",
    "shared_async_client",
    "shared_client",
    "tools",
    "turn_flows",
]
