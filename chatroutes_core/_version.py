"""The distribution version (used in the User-Agent)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("chatroutes-integrations")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
