"""`opgen pack`: a Health and Wellbeing Board's review of many plans side by side.

spec.py (the pack file, or the command line's plans and title, as a PackSpec) -> view.py (every plan's
model and diagnostics made into a PackView: the summary across plans, the framework matrix, common
indicators, what changed since, the glossary; every text through opgen.display) -> render (the pack's
PDF in parts, merged by opgen.render.merge; the Word pack) -> build.py (which parts are out of date,
workers, atomic writes, the cache under build/packs/<pack>/)."""
