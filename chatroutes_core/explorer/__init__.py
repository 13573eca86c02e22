"""The branch explorer: see, navigate and grow a conversation tree in the browser (extra ``[server]``).

``chatroutes serve`` mounts it at ``/``; ``chatroutes explore`` runs it against any ChatRoutes API. The app
talks to the API only through :class:`~chatroutes_core.AsyncChatRoutesClient`, so the key stays in this
process. See ``docs/explorer.md``.
"""

from __future__ import annotations

from .app import create_explorer_app
from .graph import BranchNode, Layout, layout

__all__ = ["BranchNode", "Layout", "create_explorer_app", "layout"]
