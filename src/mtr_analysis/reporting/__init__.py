"""Reporting: analysis results → what a reader sees.

In: the DataFrames of :mod:`mtr_analysis.analysis`. Out: words in English and Vietnamese
(:mod:`.i18n`), figures (:mod:`.figures`), tables and CSV files (:mod:`.tables`),
rule-based findings (:mod:`.findings`) and the HTML blocks the notebooks display
(:mod:`.review`). Nothing here executes notebooks or decides what to re-run.
"""
