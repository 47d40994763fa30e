"""Ledger and coverage for the Thanet plan on a page (plans/thanet-2015-16.yaml).

Usage: python thanet_facts.py ledger            writes thanet-facts.tsv (one row per fact of the
                                                source, seed lines 3587-3764, with its class)
       python thanet_facts.py check OP POP DOCX OPRAW  checks every structured fact against the
                                                full PDF (pdftotext -layout, and plain pdftotext for
                                                titles that wrap), the plan on a page
                                                (pdftotext) and the Word annex (docx_text.py)
Classes: S structured (in a field that means it), F free text only, N not expressible."""
import collections, os, re, sys
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
PLAN = os.path.join(HERE, '..', 'plans', 'thanet-2015-16.yaml')
TSV = os.path.join(HERE, 'thanet-facts.tsv')
MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split()
SECTION = {'gp': 'GP services', 'ooh': 'Out of hospital care', 'hospital': 'Care in hospital',
           'mh': 'Mental health and wellbeing', 'children': "Children's services", 'bcf': 'Bottom band',
           'enablers': 'Bottom band', None: 'Measures below the vision'}


def when(v):
    v = str(v)
    m = re.fullmatch(r'(\d{4})-(\d{2})', v)
    return f'{MONTHS[int(m.group(2)) - 1]} {m.group(1)}' if m else v


def ledger():
    d = yaml.safe_load(open(PLAN, encoding='utf-8'))
    rows = [('Page', 'Organisation: NHS Thanet CCG', 'S', 'organisation.name', 'NHS Thanet CCG', ''),
            ('Page', 'Column "Priorities in 2015/16": the plan year', 'S', 'plan.period', '2015/16', ''),
            ('Page', 'Column heading "Strategic goals"', 'S', 'vision.statements label', 'Strategic goal', ''),
            ('Page', "Column heading \"Deliverables and Key Projects / The 'How'\"", 'N', 'YAML comment only', '',
             "the page's own names for its columns (opgen prints 'Action' and the description)"),
            ('Page', 'Column heading "Key Measures of Success / What will be achieved?"', 'N', 'YAML comment only', '',
             "the page's own names for its columns (opgen prints 'Performance')"),
            ('Page', 'Measures horizon "In 2015/16"', 'N', 'YAML comment only', '',
             'a measure of success with a horizon but no figure (a target needs a value)'),
            ('Page', 'Measures horizon "Longer-term Ambitions"', 'F', 'indicator source (4 measures)', '',
             'a measure of success with a horizon but no figure (a target needs a value)'),
            ('Page', 'Provider named: East Kent Hospitals University Foundation Trust', 'S', 'plan.providers EKHUFT',
             'East Kent Hospitals University Foundation Trust', ''),
            ('Page', 'Provider named: Kent and Medway Partnership Trust (KMPT)', 'S', 'plan.providers KMPT',
             'Kent and Medway Partnership Trust (KMPT)', ''),
            ('Page', 'Provider named: SPFT', 'S', 'plan.providers SPFT', 'SPFT', ''),
            ('Vision', 'Mission sentence 1: transform the health of people living and working in Thanet ...', 'S', 'vision.mission',
             'To transform the health of people living and working in Thanet', ''),
            ('Vision', 'Mission sentence 2: communities ambitious about their own health ...', 'S', 'vision.mission',
             'ambitious about their own health', '')]
    for st in d['vision']['statements']:
        rows.append(('Strategic goals', 'goal: ' + st['text'], 'S', 'vision.statements', st['text'], ''))
    for dom in d['domains']:
        rows.append((SECTION[dom['id']], 'priority group: ' + dom['title'], 'S', f"domains {dom['id']} title", dom['title'], ''))
        if dom.get('description'):
            what = 'Partnerships (6 partners)' if dom['id'] == 'bcf' else 'Enablers (7)'
            gap = 'the partners of the plan (no amounts, so not bcf.contributions)' if dom['id'] == 'bcf' else \
                  'enablers of the plan (a list with no field)'
            rows.append((SECTION[dom['id']], what, 'F', f"domains {dom['id']} description", '', gap))
    for a in d['actions']:
        sec = SECTION[a['domain']]
        rows.append((sec, 'priority: ' + a['title'], 'S', f"{a['id']} title", f"id:{a['id']}:{a['title'][:40]}", ''))
        if a.get('description'):
            for sent in [s for s in re.split(r'(?<=\.) ', a['description'].strip()) if s]:
                rows.append((sec, 'deliverable: ' + sent, 'F', f"{a['id']} description", '', ''))
        for k in ('start', 'due'):
            if k in a:
                rows.append((sec, f"{k} date of {a['id']}: {when(a[k])}", 'S', f"{a['id']} {k}", f"date:{a['id']}:{when(a[k])}", ''))
        for m in a.get('milestones') or []:
            rows.append((sec, f"milestone {m['title']}: {when(m['due'])}", 'S', f"{m['id']} due",
                         f"date:{m['id']}:{when(m['due'])}", ''))
    for i in d['indicators']:
        rows.append((SECTION[i.get('domain')] if i.get('domain') in SECTION else SECTION[None],
                     'measure: ' + i['title'], 'S', f"indicator {i['id']} title", f"id:{i['id']}:{i['title'][:40]}", ''))
        if i['id'] == 'IND-AE':
            rows.append((SECTION[None], 'figure: 95% (of patients seen within 4 hours)', 'F', 'IND-AE title', '',
                         'a target figure with no period (the page does not say for which year)'))
    with open(TSV, 'w', encoding='utf-8') as f:
        f.write('section\tfact\tclass\twhere\tcheck\tgap\n')
        for r in rows:
            f.write('\t'.join(r) + '\n')
    c = collections.Counter(r[2] for r in rows)
    print(f"{len(rows)} facts: S {c['S']}, F {c['F']}, N {c['N']}")


def norm(s):
    s = s.replace('\u00ad', '').replace('\u2019', "'").replace('\u2018', "'")
    return re.sub(r'\s+', ' ', s).lower()


def check(op, pop, docx, opraw):
    texts = {'PDF': open(op, encoding='utf-8').read(), 'Word': open(docx, encoding='utf-8').read(),
             'PDF (plain)': open(opraw, encoding='utf-8').read()}
    popt = norm(open(pop, encoding='utf-8').read())
    rows = [l.rstrip('\n').split('\t') for l in open(TSV, encoding='utf-8')][1:]
    miss = collections.defaultdict(list); n = 0; on_pop = 0
    for sec, fact, cls, where, chk, gap in rows:
        if cls != 'S':
            continue
        n += 1
        for name, raw in texts.items():
            t = norm(raw); lines = [norm(l) for l in raw.splitlines()]
            if chk.startswith(('id:', 'date:')):
                kind, ident, rest = chk.split(':', 2)
                rest = norm(rest)
                # the id and the words on one line, or (a title that wraps, a date under its card)
                # the words within 600 characters after the id
                ok = any(ident.lower() + ' ' in l and rest in l for l in lines) or \
                     any(rest in t[m.start():m.start() + 600] for m in re.finditer(re.escape(ident.lower() + ' '), t))
            else:
                ok = norm(chk) in t
            if not ok:
                miss[name].append(fact)
        probe = norm(chk.split(':', 2)[-1] if chk.startswith('id:') else chk)
        on_pop += bool(probe) and probe in popt
    miss['PDF'] = [f for f in miss['PDF'] if f in miss.pop('PDF (plain)', [])]
    print(f"structured facts: {n}; in PDF: {n - len(miss['PDF'])}; in Word: {n - len(miss['Word'])}; on the plan on a page: {on_pop}")
    for name in miss:
        print(f'missing from {name}:', *miss[name], sep='\n  ')


if __name__ == '__main__':
    ledger() if sys.argv[1] == 'ledger' else check(*sys.argv[2:6])
