"""Intake: raw downloads and national workbooks → the tidy observation store.

In: files in any supported format (one reader per format in :mod:`.sources`, detected from
content; readers share only the text/CSV helpers of :mod:`.sources.text`). Out: ``observations.parquet`` (one row per accepted value, :mod:`.schema`),
``out_of_scope.parquet``, ``rejects.csv``, ``conflicts.csv``, ``revisions.csv`` and the
intake report (:mod:`.intake_report`), with every input record accounted for as accepted,
rejected with a reason or out of scope. :mod:`.clean` turns cell text into numbers,
:mod:`.store` chooses one value per key, :mod:`.build` drives it all (``mtr build``),
:mod:`.fetch` downloads from public APIs and :mod:`.demo` writes synthetic inputs.
"""
