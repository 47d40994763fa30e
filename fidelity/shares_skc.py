"""Shares per section of south-kent-coast-2015-16-facts.tsv, counted two ways: strict (N-S is free text)
and by chapter (N-S, a narrative sentence in the chapter carrying the source's own title, is
structured-as-narrative). Also the same without headings. Usage: python shares_ac.py"""
import collections
import os

here = os.path.dirname(os.path.abspath(__file__))
rows = [line.rstrip('\n').split('\t') for line in open(os.path.join(here, 'south-kent-coast-2015-16-facts.tsv'), encoding='utf-8')][1:]


def table(rows, title):
    order, by = [], collections.defaultdict(collections.Counter)
    for sec, fact, cls, *_ in rows:
        if sec not in by:
            order.append(sec)
        by[sec][cls] += 1
    print(f'\n{title}\n| Section of the source | Facts | S | N-S | F | N | Strict structured | By chapter |')
    print('|---|--:|--:|--:|--:|--:|--:|--:|')
    tot = collections.Counter()
    for sec in order + ['**Total**']:
        c = tot if sec == '**Total**' else by[sec]
        n = sum(c.values())
        s, ns = c['S'], c['N-S']
        print(f"| {sec} | {n} | {s} | {ns} | {c['F']} | {c['N']} | {s} ({100*s/n:.1f}%) | {s+ns} ({100*(s+ns)/n:.1f}%) |")
        if sec != '**Total**':
            tot.update(c)


table(rows, 'All facts')
table([r for r in rows if not r[1].startswith(('heading:', 'chapter title:'))], 'Without chapter titles and headings')
