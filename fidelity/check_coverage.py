"""Check every structured fact of west-kent-facts.tsv appears in the built PDF and Word annex.

Usage: python check_coverage.py BUILD_DIR   (BUILD_DIR holds op.txt/op-raw.txt from pdftotext,
pop-raw.txt, annex.txt from docx_text.py). Indicator rows are checked row by row: the code, the
title and the target must be on one line of the table (Word) or one layout line (PDF)."""
import re, sys, os
d = sys.argv[1]
def norm(s):
    s = s.replace('\u00ad', '').replace('\u2011', '-').replace('\u2019', "'").replace('\u2212', '-')
    return re.sub(r'\s+', ' ', s).lower()
op = norm(open(os.path.join(d, 'op-raw.txt')).read())
pop = norm(open(os.path.join(d, 'pop-raw.txt')).read())
dx = norm(open(os.path.join(d, 'annex.txt')).read())
op_lines = [norm(l) for l in open(os.path.join(d, 'op.txt'))]
dx_lines = [norm(l) for l in open(os.path.join(d, 'annex.txt'))]
here = os.path.dirname(os.path.abspath(__file__))
rows = [l.rstrip('\n').split('\t') for l in open(os.path.join(here, 'west-kent-facts.tsv'))][1:]
n = 0; miss_pdf = []; miss_dx = []; on_pop = 0
for sec, fact, cls, where, chk, *_ in rows:
    if cls != 'S':
        continue
    n += 1
    m = re.match(r'(code|commitment) (.*?)(?:: (.*))?$', fact)
    if fact.startswith('code: '):
        code = fact[6:].lower()
        f_pdf = any(l.strip().startswith(code + ' ') for l in op_lines)
        f_dx = any(l.startswith(code + ' |') for l in dx_lines)
    elif fact.startswith('commitment '):
        name, val = fact[11:].rsplit(': ', 1)
        key = norm(name)[:18]
        v = val.lower()
        f_pdf = any(key in l and re.search(r'(^|\s)' + re.escape(v) + r'(\s|$)', l) for l in op_lines)
        f_dx = any(key in l and ('| ' + v + ' |') in l for l in dx_lines)
    else:
        alts = [norm(a) for a in chk.split('||')]
        f_pdf = any(a in op for a in alts)
        f_dx = any(a in dx for a in alts)
    if any(norm(a) in pop for a in chk.split('||')) and not fact.startswith(('code', 'commitment')):
        on_pop += 1
    if not f_pdf: miss_pdf.append((sec, fact, chk))
    if not f_dx: miss_dx.append((sec, fact, chk))
print(f'structured facts: {n}; in PDF: {n-len(miss_pdf)}; in Word: {n-len(miss_dx)}')
print('missing from PDF:'); [print('  ', m) for m in miss_pdf]
print('missing from Word:'); [print('  ', m) for m in miss_dx]
