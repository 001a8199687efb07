"""Services: the jobs both faces (CLI and web) call — evaluate a device for a person, build the
claims context, tabulate the catalogue. Services may do I/O (data files, caches, databases) but
know nothing of Typer, Rich or HTTP; ``report/`` only renders what a service returns."""
