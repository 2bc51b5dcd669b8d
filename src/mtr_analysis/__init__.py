"""mtr-analysis: reproducible analytics for reviewing the ASCC Blueprint 2025.

Pipeline (one module per stage):
``sources`` → ``clean`` → ``store`` → ``gaps`` / ``trends`` → ``findings`` → ``plots``
→ notebooks → ``report``. ``registry`` and ``catalogue`` hold the reference data
(member states, Blueprint structure, indicators); ``paths`` is the only module that
knows the folder layout.
"""

__version__ = "0.1.0"
