"""The memory of replies (text copy -> sealed ref): one lock guards it, shared by ``bind()`` copies."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from llama_index.core.llms import ChatMessage

from chatroutes_core.mapper import TreeRef
from llama_index_chatroutes import _convert
from llama_index_chatroutes._replies import ReplyMemory
from llama_index_chatroutes.llm import ChatRoutes


class OverlapDetector(OrderedDict[str, Any]):
    """An OrderedDict that counts writers inside it at the same time (it sleeps to widen the window)."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = 0
        self.overlaps = 0
        self._count = threading.Lock()

    def __setitem__(self, key: str, value: Any) -> None:
        with self._count:
            self.inside += 1
            self.overlaps += self.inside > 1
        time.sleep(0.0005)  # a writer holds the entries for a moment; a second writer must wait for it
        super().__setitem__(key, value)
        with self._count:
            self.inside -= 1


def test_threads_writing_through_a_bound_copy_and_the_original_never_overlap() -> None:
    llm = ChatRoutes(api_key="k")
    detector = OverlapDetector()
    llm._replies._entries = detector
    bound = llm.bind("conv_1")
    start = threading.Barrier(4)

    def write(model: ChatRoutes, name: str) -> None:
        start.wait()
        for i in range(40):
            model._replies.remember(f"{name} {i}", TreeRef("conv_1", "br", f"msg_{name}_{i}"))

    threads = [
        threading.Thread(target=write, args=(model, f"{n}"))
        for n, model in enumerate([llm, bound, llm, bound])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert detector.overlaps == 0
    assert len(llm._replies) == len(bound._replies) == 160
    assert bound._replies.lookup(_convert.reply_digest("0 3")) == TreeRef("conv_1", "br", "msg_0_3")


def test_a_text_copy_gets_the_sealed_ref_of_the_reply_back() -> None:
    memory = ReplyMemory(maxsize=2)
    refs = [TreeRef("c", "b", f"m{i}", digest=f"d{i}") for i in range(3)]
    for i, ref in enumerate(refs):
        memory.remember(f"reply {i}", ref)
    copy = ChatMessage(role="assistant", content="reply 2")
    lookup = memory.lookup
    assert _convert.ref_of(_convert.reattach([copy], lookup)[0]) == refs[2]
    assert memory.lookup(_convert.reply_digest("reply 0")) is None  # evicted beyond maxsize
    assert memory.lookup(_convert.reply_digest("reply 2"), "other-conversation") is None


def test_account_replies_are_per_base_url_and_key() -> None:
    from chatroutes_core import ChatRoutesClient
    from llama_index_chatroutes._replies import account_replies

    url = "http://127.0.0.1:9/api/v1"
    one = account_replies(ChatRoutesClient(api_key="cr_key_one_000000000000", base_url=url))
    assert one is account_replies(ChatRoutesClient(api_key="cr_key_one_000000000000", base_url=url))
    assert one is not account_replies(ChatRoutesClient(api_key="cr_key_two_000000000000", base_url=url))
    assert one is not account_replies(ChatRoutesClient(api_key="cr_key_one_000000000000", base_url=url + "x"))
    assert one is not account_replies(
        ChatRoutesClient(api_key="cr_key_one_000000000000", base_url=url), side=True
    )
