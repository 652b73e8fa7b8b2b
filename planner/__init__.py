"""AI data-centre capacity planner.

The pipeline runs one way, one module a stage:

``workbook`` (read + validate) -> ``sizing`` -> ``model`` (build) -> ``solve``
-> ``results`` -> ``report``.
"""

import importlib
import importlib.util
import sys
import types

__version__ = "0.1.0"


class _ImportedOnFirstUse(types.ModuleType):
    """Stands in ``sys.modules`` for a module until one of its attributes is first read, then imports it and
    reads on from it. (The standard library's LazyLoader loads a module as soon as an import statement names it,
    as Python 3.12 reads the module's spec there.)"""

    def __init__(self, name: str, spec: importlib.machinery.ModuleSpec):
        super().__init__(name)
        self.__spec__, self.__loader__, self.__file__ = spec, spec.loader, spec.origin
        self.__package__ = spec.parent
        if spec.submodule_search_locations is not None:  # a package: its submodules are found, and loaded once
            self.__path__ = list(spec.submodule_search_locations)

    def __getattr__(self, attribute: str):  # only for what the stand-in lacks
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), attribute)


# PuLP imports orloge at start-up, a reader of CBC's, CPLEX's, Gurobi's and CP-SAT's logs built on pydantic: 0.2 s
# of the planner's 0.6 s start-up, which a plan solved with HiGHS never uses (its solve statistics read no log)
if "orloge" not in sys.modules and (_spec := importlib.util.find_spec("orloge")) is not None:
    sys.modules["orloge"] = _ImportedOnFirstUse("orloge", _spec)
