"""mtr-analysis: reproducible analytics for reviewing the ASCC Blueprint 2025.

The package is laid out by pipeline stage; each stage imports only from the stages before
it (checked by the import contract in ``pyproject.toml``)::

    reference  →  intake  →  analysis  →  reporting  →  run  →  cli
    (what is      (files →    (store →     (results →    (notebooks →
     reviewed)     store)      statuses)    words, HTML)  reports)

``paths`` (the folder layout and every file name), ``settings`` (method thresholds, from
``config/methods.yaml``) and ``provenance`` (hashes and versions) sit underneath and may be
imported by every stage. ``ARCHITECTURE.md`` at the project root is the map.
"""

__version__ = "0.1.0"
