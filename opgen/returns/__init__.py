"""Quarterly returns: `opgen return export` writes one workbook per lead (or domain) for a quarter
(export.py); `opgen return import` reads them back (read.py) and writes the accepted values into the
plan (apply.py). The workbook's sheets and columns are described once, in layout.py."""
