"""Check every structured fact of south-kent-coast-2015-16-facts.tsv (class S, and the chapter narrative,
class N-S) appears in the built full PDF and Word annex; count those on the plan on a page.

Adapted from check_coverage.py (West Kent). Usage: python check_coverage_ac.py BUILD_DIR [--pop], where
BUILD_DIR holds op.txt (pdftotext -layout), op-raw.txt (pdftotext -raw), pop-raw.txt and annex.txt
(docx_text.py). Check strings: alternatives split by '||'; 'A&&B' needs both; 'line:TEXT' a whole line (heading numbers
ignored); 'row:KEY:VALUE' needs KEY and VALUE on
one layout line (PDF) or one table row (Word); 'id:ID:TITLE' the same for an action's id and title."""
import os
import re
import sys

d = sys.argv[1]


def norm(s):
    s = s.replace('\u00ad', '').replace('\u2011', '-').replace('\u2019', "'").replace('\u2018', "'")
    s = s.replace('\u2212', '-').replace('\u201c', '"').replace('\u201d', '"')
    return re.sub(r'\s+', ' ', s).strip().lower()


def read(name):
    return open(os.path.join(d, name), encoding='utf-8').read()


op, pop, dx = norm(read('op-raw.txt')), norm(read('pop-raw.txt')), norm(read('annex.txt'))
op_lines = [norm(line) for line in read('op.txt').splitlines()]
dx_lines = [norm(line) for line in read('annex.txt').splitlines()]
here = os.path.dirname(os.path.abspath(__file__))
rows = [line.rstrip('\n').split('\t') for line in open(os.path.join(here, 'south-kent-coast-2015-16-facts.tsv'), encoding='utf-8')][1:]


def heading(line):
    return re.sub(r'^[0-9]+(\.[0-9]+)*\s+', '', line)


def found(chk):
    """(in PDF, in Word, on the plan on a page) for one check string; parts joined by '&&' must all
    be found."""
    if '&&' in chk:
        parts = [found(part) for part in chk.split('&&')]
        return all(p[0] for p in parts), all(p[1] for p in parts), all(p[2] for p in parts)
    in_pdf = in_dx = on_pop = False
    for alt in chk.split('||'):
        if alt.startswith(('row:', 'id:')):
            _, key, val = alt.split(':', 2)
            key, val = norm(key), norm(val)
            tok = re.compile(r'(^|[\s|])' + re.escape(val) + r'($|[\s|%])')
            in_pdf |= any(key in line and tok.search(line.replace(key, ' ', 1)) for line in op_lines)
            in_dx |= any(key in line and tok.search(line.replace(key, ' ', 1)) for line in dx_lines)
        elif alt.startswith('line:'):
            want = norm(alt[5:])
            in_pdf |= any(heading(line) == want for line in op_lines)
            in_dx |= any(heading(line) == want for line in dx_lines)
        else:
            a = norm(alt)
            in_pdf |= a in op
            in_dx |= a in dx
            on_pop |= a in pop
    return in_pdf, in_dx, on_pop


for cls in ('S', 'N-S'):
    todo = [r for r in rows if r[2] == cls]
    miss_pdf, miss_dx, on_pop = [], [], 0
    p2 = [r for r in todo if r[4].startswith('p2:')]
    todo = [r for r in todo if not r[4].startswith('p2:')]
    print(f'class {cls}: {len(p2)} facts in part-2 fields (not rendered before the merge), not checked')
    for sec, fact, _, where, chk, *_ in todo:
        if not chk:
            miss_pdf.append((sec, fact, '(no check string)'))
            continue
        p, w, pp = found(chk)
        on_pop += pp
        if pp and '--pop' in sys.argv:
            print('   on the plan on a page:', fact)
        if not p:
            miss_pdf.append((sec, fact, chk))
        if not w:
            miss_dx.append((sec, fact, chk))
    n = len(todo)
    print(f'class {cls}: {n} facts; in PDF: {n - len(miss_pdf)}; in Word: {n - len(miss_dx)}; '
          f'check string on the plan on a page: {on_pop}')
    for m in miss_pdf:
        print('   missing from PDF: ', m)
    for m in miss_dx:
        print('   missing from Word:', m)
