"""Analysis: the store → numbers a reviewer defends.

In: tidy observations (from :mod:`mtr_analysis.intake.store`), the catalogue and the method
settings (:mod:`mtr_analysis.settings`). Out: tidy DataFrames — data availability and gaps
(:mod:`.gaps`), progress statuses (:mod:`.trends`, whose codes, order and groups live in
:mod:`.status`), regional aggregates (:mod:`.aggregates`) and people who benefited
(:mod:`.beneficiaries`); :mod:`.review` loads one review window and runs them all once. No
words, colours or files: those belong to reporting.
"""
