"""Imported once by the render server (opgen.render_pool) before it forks a process for each task:
the work every task would otherwise start with, done once. The full plan's renderer is imported, its
stylesheets parsed, the fonts set up and one small page laid out and written (opgen.render.weasy.warm).
What only one task a build needs (the Word annex's library, the plan on a page's template) is left to
that task, so the server is ready sooner. A failure here is left for the task itself to meet and report."""

import importlib

try:
    # the tasks' functions, and the command line: a worker started from the `opgen` script runs that
    # script first (multiprocessing's rule for the main module), importing the command line
    for _module in ("opgen.outputs", "opgen.render.plan_parts", "opgen.render.merge", "opgen.cli.main"):
        importlib.import_module(_module)
    from opgen.render import weasy

    weasy.warm()
except Exception:  # noqa: BLE001 - the task that needs the failing piece reports it
    pass
