"""AI data-centre capacity planner.

The pipeline runs one way, one module a stage:

``workbook`` (read + validate) -> ``sizing`` -> ``model`` (build) -> ``solve``
-> ``results`` -> ``report``.
"""

__version__ = "0.1.0"
