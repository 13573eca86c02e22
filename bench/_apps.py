"""The web apps of the per-request bench, each run by uvicorn in its own process.

``python -m bench._apps stub PORT LATENCY``: an OpenAI-compatible ``/v1/chat/completions`` stub that answers
after LATENCY seconds. ``python -m bench._apps chatroutes PORT CONFIG`` and ``... openai PORT CONFIG``: a
FastAPI app whose ``POST /chat`` builds a fresh model per request (``ChatChatRoutes`` bound to the user's
conversation, or ``ChatOpenAI`` against the stub) and returns its reply. CONFIG is a JSON file.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from fastapi import FastAPI


def stub_app(latency: float) -> FastAPI:
    app = FastAPI()

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/v1/chat/completions")
    async def completions(body: dict[str, Any]) -> dict[str, Any]:
        await asyncio.sleep(latency)
        text = str(body.get("messages", [{}])[-1].get("content", ""))
        return {
            "id": "chatcmpl-bench",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "stub"),
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": f"re: {text}"},
                }
            ],
            "usage": {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8},
        }

    return app


def chatroutes_app(config: dict[str, Any]) -> FastAPI:
    from langchain_chatroutes import ChatChatRoutes

    app = FastAPI()
    conversations: list[str] = config["conversations"]

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/chat")
    async def chat(body: dict[str, Any]) -> dict[str, str]:
        model = ChatChatRoutes(  # a fresh model per request, bound to the user's conversation
            api_key=config["api_key"],
            base_url=config["base_url"],
            conversation_id=conversations[int(body["user"]) % len(conversations)],
        )
        reply = await model.ainvoke(str(body["text"]))
        return {"text": str(reply.content)}

    return app


def openai_app(config: dict[str, Any]) -> FastAPI:
    from langchain_openai import ChatOpenAI

    app = FastAPI()

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/chat")
    async def chat(body: dict[str, Any]) -> dict[str, str]:
        model = ChatOpenAI(  # a fresh model per request, as the ChatRoutes app does
            base_url=config["base_url"], api_key=config["api_key"], model="gpt-stub", max_retries=0
        )
        reply = await model.ainvoke(str(body["text"]))
        return {"text": str(reply.content)}

    return app


def main(argv: list[str]) -> None:
    import uvicorn

    kind, port = argv[0], int(argv[1])
    if kind == "stub":
        app = stub_app(float(argv[2]))
    else:
        with open(argv[2], encoding="utf-8") as handle:
            config = json.load(handle)
        app = chatroutes_app(config) if kind == "chatroutes" else openai_app(config)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main(sys.argv[1:])
