"""Reporting: analysis results → what a reader sees.

In: the DataFrames of :mod:`mtr_analysis.analysis` (a
:class:`~mtr_analysis.analysis.review.ReviewData`). Out: words in English and Vietnamese
(:mod:`.i18n`, from the catalogues ``words/en.yaml`` and ``words/vi.yaml``), colours and
figure style (:mod:`.style`), figures (:mod:`.figures`), report tables and the review CSV
files (:mod:`.tables`), rule-based findings (:mod:`.findings`, and the "Who benefited"
sentences in :mod:`.beneficiary_statements`), the HTML blocks the notebooks display
(:mod:`.html`), the annex (:mod:`.annex`) and the writers of the files a run keeps
(:mod:`.outputs`). Nothing here executes notebooks or decides what to re-run.
"""
