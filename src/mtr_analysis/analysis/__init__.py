"""Analysis: the store → numbers a reviewer defends.

In: tidy observations (from :mod:`mtr_analysis.intake.store`), the catalogue and the method
settings (:mod:`mtr_analysis.settings`). Out: tidy DataFrames — data availability and gaps
(:mod:`.gaps`), progress statuses (:mod:`.trends`, vocabulary in :mod:`.status`), regional
aggregates (:mod:`.aggregates`) and people who benefited (:mod:`.beneficiaries`). No words,
colours or files: those belong to reporting.
"""
