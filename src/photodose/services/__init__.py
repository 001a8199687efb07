"""Services: the jobs both faces (CLI and web) call — evaluate a device for a person, build the
claims context, tabulate the catalogue, keep the person's own devices (``own_devices``), log a
session or save a plan in the journal (``journal_log``). Services may do I/O (data files, caches,
databases) but know nothing of Typer, Rich or HTTP, and word their advice for no face in
particular (a :class:`~photodose.services.bottom_line.Hint` says what can be entered; each face
renders it); ``report/`` only renders what a service returns."""
