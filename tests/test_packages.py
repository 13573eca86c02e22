"""The three import packages: curated exports, and chatroutes_core never importing a framework."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

PACKAGES = ["chatroutes_core", "langchain_chatroutes", "llama_index_chatroutes"]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_sorted_unique_and_every_name_resolves(name: str) -> None:
    package = importlib.import_module(name)
    exported = list(package.__all__)
    assert len(exported) == len(set(exported))
    public = [n for n in exported if not n.startswith("_")]
    assert public == sorted(public, key=lambda n: (not n.isupper(), n))  # ruff RUF022: constants first
    for item in exported:
        assert getattr(package, item) is not None


@pytest.mark.parametrize("name", PACKAGES)
def test_unknown_names_raise_attribute_error(name: str) -> None:
    with pytest.raises(AttributeError):
        _ = importlib.import_module(name).NoSuchThing


def test_core_and_its_server_and_cli_import_no_framework() -> None:
    code = (
        "import sys, chatroutes_core, chatroutes_core.mapper, chatroutes_core.autobranch, "
        "chatroutes_core.server, chatroutes_core.testing, chatroutes_core.cli\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'langchain_core', 'langchain', "
        "'llama_index', 'langgraph'})\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_a_missing_extra_names_the_extra_to_install() -> None:
    code = (
        "import sys\n"
        "sys.modules['langchain_core'] = None\n"  # as if the [langchain] extra were not installed
        "import langchain_chatroutes\n"
        "try:\n"
        "    langchain_chatroutes.ChatChatRoutes\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install -e '.[langchain]'" in out.stdout and "'langchain-core<2,>=1.8.1'" in out.stdout


@pytest.mark.parametrize("name", PACKAGES)
def test_every_exported_error_descends_from_chatroutes_error(name: str) -> None:
    from chatroutes_core import ChatRoutesError

    package = importlib.import_module(name)
    errors = [
        getattr(package, item) for item in package.__all__
        if isinstance(getattr(package, item), type) and issubclass(getattr(package, item), BaseException)
    ]  # fmt: skip
    assert errors
    assert [e.__name__ for e in errors if not issubclass(e, ChatRoutesError)] == []


@pytest.mark.parametrize("name", ["langchain_chatroutes", "llama_index_chatroutes"])
def test_each_adapter_exports_the_whole_core_error_tree_as_the_same_classes(name: str) -> None:
    from chatroutes_core import _exceptions

    package = importlib.import_module(name)
    assert set(_exceptions.__all__) <= set(package.__all__)
    for item in _exceptions.__all__:
        assert getattr(package, item) is getattr(_exceptions, item), item
