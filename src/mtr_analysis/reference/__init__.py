"""Reference: what is being reviewed.

In: the configuration files under ``config/`` (member states, the Blueprint's
characteristics and elements, the review calendar, the indicator catalogue, auxiliary
series, denominators). Out: validated Python objects — :mod:`.registry` (member states,
name/code → ISO3) and :mod:`.catalogue` (indicators, structure, review windows) — that
every later stage reads. Nothing here reads data files or knows about reports.
"""
