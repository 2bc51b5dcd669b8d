"""Run: notebooks → shareable reports (``mtr run``).

In: the store, the notebooks' ``parameters`` cells and the method settings. Out: executed
notebooks rendered to self-contained HTML, the review tables, findings JSON, an index page
and ``manifest.json`` under ``outputs/<review>/``. :mod:`.runner` validates, fingerprints,
plans, executes (:mod:`.execute`, in parallel) and records a run; :mod:`.parameters` checks
notebook parameters; :mod:`.render` turns executed notebooks into HTML; :mod:`.products`
writes the tables and findings from the library; :mod:`.cache` decides what can be reused;
:mod:`.index` writes the index page and the manifest; :mod:`.results` holds their records.
"""

import sys

# jsonschema (imported by nbformat, hence by papermill and nbconvert) imports rfc3987-syntax
# when it is installed, to check "iri" string formats, and that compiles a Lark grammar at
# import: ~3 CPU-s in the runner and in every worker. Notebook schemas use no such format.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
