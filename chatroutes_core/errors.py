"""The error tree of the package, as a public module (the classes are also exported by ``chatroutes_core``).

The tree is drawn in the docstring of the defining module; ``__all__`` lists every class, so an adapter can
re-export the whole tree with ``from chatroutes_core.errors import *``.
"""

from ._exceptions import *  # noqa: F403 - the whole tree, as its __all__ names it
from ._exceptions import __all__ as __all__
