"""The one Jinja2 environment of the package: ``planner/templates``, autoescaped, compiled once.

The report's page (:mod:`planner.report`, which adds its number filters) and the charts
(:mod:`planner.svg`) render through it.
"""

from __future__ import annotations

import contextlib

import jinja2


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Compiled templates in a private per-user folder under the system's temp folder, keyed by
    each template's source: compiling them all costs 0.08 s, a third of a small report. A cache
    that cannot be written is skipped, never an error."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _compiled_templates() -> jinja2.BytecodeCache | None:
    try:
        return _CompiledTemplates()
    except (OSError, RuntimeError):  # no private temp folder to be had: compile every time
        return None


_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(jinja2.Environment):
    """Reads ``row.name`` of a plain dict as its key straight away. Jinja2 tries the attribute first, which a dict
    has only for the names of its methods: the lookup fails, and the exception costs more than the rest of the
    read, in tables of thousands of cells. The result is Jinja2's own."""

    def getattr(self, obj: object, attribute: str) -> object:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


TEMPLATES = _Environment(
    loader=jinja2.PackageLoader("planner", "templates"),
    bytecode_cache=_compiled_templates(),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
"""The package's templates, every value escaped unless marked safe."""
