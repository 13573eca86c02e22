"""The sync resource classes are the async ones through the unasync rules, and the files say so."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import chatroutes_core.resources._unasync as twins
from chatroutes_core.resources import Messages


def test_every_sync_twin_is_up_to_date() -> None:
    script = Path(twins.__file__)
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def test_a_stale_twin_is_found(tmp_path: Path) -> None:
    source = Path(twins.__file__).with_name("checkpoints.py").read_text()
    edited = source.replace('"""Delete a checkpoint."""', '"""Delete a checkpoint (edited)."""', 1)
    assert edited != source and twins.render(edited) != edited


def test_the_rules() -> None:
    code = '''class AsyncThings(AsyncAPIResource):
    """Things (asynchronous)."""

    async def get(self) -> AsyncIterator[int]:
        """Use ``await things.get()`` or ``async for``."""
        for item in pages.items(await self._transport.send(call)):
            yield item
        return await arun(_async_stream(self), SimpleNamespace(x=self))
'''
    assert (
        twins.unasync(code)
        == '''class Things(SyncAPIResource):
    """Things (synchronous)."""

    def get(self) -> Iterator[int]:
        """Use ``await things.get()`` or ``async for``."""
        yield from pages.items(self._transport.send(call))
        return run(_sync_stream(self), SimpleNamespace(x=self))
'''
    )


def test_go_to_definition_lands_on_the_method_that_sends() -> None:
    source = inspect.getsource(Messages.send)
    assert source.lstrip().startswith("def send(self, conversation_id: str")
    assert "return self._transport.send(send(" in source
