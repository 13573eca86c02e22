"""Helpers the LlamaIndex ecosystem examples share: read back what the server holds, write tool calls."""

from __future__ import annotations

from llama_index.core import Document

from llama_index_chatroutes import ChatRoutes

ESSAY = [  # a short stand-in for paul_graham_essay.txt (no download)
    Document(text="Growing up, Paul Graham wrote short stories and programmed an IBM 1401 in 9th grade."),
    Document(text="In college Paul Graham studied philosophy, then AI, and discovered Lisp."),
    Document(text="After Y Combinator, Paul Graham started painting and wrote essays."),
]


def conversations(llm: ChatRoutes) -> set[str]:
    return {c.id for c in llm.client.conversations.iter_all()}


def branch(llm: ChatRoutes, conversation_id: str) -> list[tuple[str, str]]:
    """What the server holds on a conversation's main branch: ``(role, content)`` pairs."""
    return [(str(m.role), m.content) for m in llm.client.messages.list(conversation_id)]


def tool_call(name: str, arguments: str) -> str:
    """A reply in the <tool_call> protocol the models behind ChatRoutes follow."""
    return f'<tool_call>\n{{"name": "{name}", "arguments": {arguments}}}\n</tool_call>'
