"""Run: notebooks → shareable reports (``mtr run``).

In: the store, the notebooks' ``parameters`` cells and the method settings. Out: executed
notebooks rendered to self-contained HTML, the review tables, findings JSON, an index page
and ``manifest.json`` under ``outputs/<review>/``. :mod:`.runner` runs the steps (validate →
fingerprint → plan → execute → record); :mod:`.parameters` checks what notebooks declare,
:mod:`.execute` runs them in parallel, :mod:`.render` turns them into HTML,
:mod:`.products` writes the findings and review tables, :mod:`.cache` decides what can be
reused, :mod:`.index` writes the index page and the manifest, :mod:`.results` holds what a
run produced.
"""
