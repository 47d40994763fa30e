"""Shares per section of a fact ledger (fidelity/*-facts.tsv), counted two ways: strict (N-S is free
text) and by chapter (N-S, a narrative sentence in the chapter carrying the source's own title, is
structured-as-narrative). Also the same without headings.
Usage: python fidelity/shares.py LEDGER, e.g. python fidelity/shares.py dartford-gravesham-swanley-facts.tsv"""
import collections
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
ledger = sys.argv[1] if os.path.isabs(sys.argv[1]) or os.path.exists(sys.argv[1]) else os.path.join(here, sys.argv[1])
rows = [line.rstrip('\n').split('\t') for line in open(ledger, encoding='utf-8')][1:]


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
table([r for r in rows if not r[1].startswith(('heading:', 'chapter title:', 'subheading:', 'row label:', 'column heading:'))], 'Without chapter titles and headings')
