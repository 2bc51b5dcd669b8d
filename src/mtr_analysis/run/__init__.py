"""Run: notebooks → shareable reports (``mtr run``).

In: the store, the notebooks' ``parameters`` cells and the method settings. Out: executed
notebooks rendered to self-contained HTML, the review tables, findings JSON, an index page
and ``manifest.json`` under ``outputs/<review>/``. :mod:`.runner` plans and executes the
run in parallel, :mod:`.cache` decides what can be reused.
"""
