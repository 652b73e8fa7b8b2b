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


TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("planner", "templates"),
    bytecode_cache=_compiled_templates(),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
"""The package's templates, every value escaped unless marked safe."""
