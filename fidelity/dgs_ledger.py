"""Build fidelity/dartford-gravesham-swanley-facts.tsv, the fact ledger of the DGS transcription.

How the facts are listed (see dartford-gravesham-swanley-report.md):
- narrative chapters: every sentence or bullet of a `sections` body (bodies are the seed's text, re-flowed,
  nothing reworded) is one fact, class N-S, unless an override below says the fact (or its datum) is in a
  field (S) or is a datum left in prose (F);
- actions, risks, indicators, QIPP schemes, finance lines and table cells: one row per fact the seed states
  (title, date, status, figure, each sentence of a description), class S where a field means it, F where it
  is only in a description or note;
- the rows listed by hand (cover, drivers, providers, vision, governance and frameworks) follow the seed.
The `check` column is the string the coverage check looks for (see check_coverage_dgs.py).
Usage: python fidelity/dgs_ledger.py  (writes the TSV next to this file)."""
import os
import re
import yaml

here = os.path.dirname(os.path.abspath(__file__))
PLAN = os.path.join(here, '..', 'plans', 'dartford-gravesham-swanley-2015-16.yaml')
d = yaml.safe_load(open(PLAN, encoding='utf-8'))
rows = []


def add(sec, fact, cls, where, check='', gap=''):
    if check.startswith('id:'):
        _, key, val = check.split(':', 2)
        words = val.split()
        check = f"id:{key}:{' '.join(words[:-1]) if len(words) > 2 else val}"
    if check.startswith('line:') and len(check) > 60:
        check = check[5:]
    rows.append((sec, fact.replace('\t', ' ').replace('\n', ' ')[:160], cls, where, check, gap))


def short(s, n=45):
    s = re.sub(r'\*\*[^*]*\*\*\s*', '', s).strip()
    s = re.sub(r'\s+', ' ', s)
    return s[:n].rstrip(' ,;:.(')


def walk(secs, out):
    for s in secs:
        out[s['id']] = s
        walk(s.get('sections', []), out)
    return out


SEC = walk(d['sections'], {})
TAB = {t['id']: t for t in d['tables']}


def _n(x):
    return re.sub(r'[^a-z0-9]+', ' ', x.lower()).strip()


CORPUS = ' | '.join(_n(v.get('body') or '') for v in SEC.values())
CORPUS += ' | ' + ' | '.join(_n((r.get('description') or '') + ' ' + (r.get('mitigation') or '')) for r in d['risks'])
CORPUS += ' | ' + ' | '.join(_n(str(c)) for t in d['tables'] for row in t['rows'] for c in row.values())
EXTRA = {
    'urgent-ltc': [('subheading: Other projects that will impact urgent care activity or underpin delivery', 'S', 'actions UC-10, UC-12, UC-14, UC-15 category', 'Other projects that will impact urgent care', '')],
    'planned-care': [('subheading: Schemes expected to impact in 2015/16', 'S', 'actions PC-01..12 category', 'Schemes expected to impact in 2015/16', ''),
                     ('subheading: Reviews to commence in 2015/16 (start date of PC-13..15)', 'S', 'actions PC-13..15 start', ''),
                     ('...with impact expected in 2016/17 dependent on outcome of reviews', 'S', 'actions PC-13..15 category (the subheading in the source\'s words)', 'impact expected in 2016/17 dependent on outcome of reviews', '')],
    'mental-health': [('project: Neurodevelopmental Pathway (located in the Integrated Commissioning summary)', 'S', 'actions DEM-09 (one action for both mentions)', 'id:DEM-09:All age neurodevelopmental'),
                      ('...service redesign: transformation of ADHD & ASD services, all age care pathway', 'F', 'DEM-09 description', ''),
                      ('...to go live in 2016-17', 'S', 'DEM-09-M2 due 2016/17', 'All age care pathway to go live'),
                      ('"New for 2015-16" (start of MH-06, -07, -09..-12)', 'S', 'actions start 2015/16', ''),
                      ('MH-08 "New for 2015-16"', 'F', 'MH-08 description', '', 'a start that conflicts with an earlier phase (start 2015/16 but Phase 1 in 2014-15)')],
    'hi-primary-care': [('Total savings linked to all of the above initiatives -£184k', 'F', 'HI-05 description; programme-resources detail', '£184k', 'a saving attached to a group of actions (actions have no money field)')],
}


def sentences(text):
    res = []
    for para in re.split(r'\n\s*\n', text or ''):
        for line in para.split('\n'):
            line = line.strip()
            if not line or line.startswith('[') or line.startswith('*The source'):
                continue
            if line.startswith('**') and line.endswith('**'):
                continue
            line = re.sub(r'^- |^\d+\. ', '', line).replace('e.g. ', 'e.g.\u00a0')
            parts = re.split(r'(?<=[a-z0-9\)%])\. (?=[A-Z])|(?<=[a-z])\? ', line)
            res += [p.strip() for p in parts if p.strip() and len(p.strip()) > 3]
    return res


def narrative(secname, sid, over=None, title=True):
    """N-S rows for a section's title and body; `over` maps sentence index -> list of rows
    (sec, fact, cls, where, check, gap) that replace the default N-S row ('' keeps it and adds)."""
    over = over or {}
    s = SEC[sid]
    if title:
        add(secname, 'heading: ' + s['title'], 'S', f'sections.{sid} title', 'line:' + s['title'])
    for i, x in enumerate(sentences(s.get('body'))):
        o = over.get(i)
        if o is None or o[0] == ('keep',):
            add(secname, x, 'N-S', f'sections.{sid} body', short(x))
            o = o[1:] if o else []
        for r in o:
            add(secname, *r)


# ---------------------------------------------------------------- cover (609-611)
C = 'Cover'
add(C, 'Organisation: NHS Dartford Gravesham and Swanley CCG', 'S', 'organisation.name', 'NHS Dartford Gravesham and Swanley CCG')
add(C, 'Title: Annual Operating Plan 2015/16', 'S', 'plan.title', 'Annual Operating Plan 2015/16')
add(C, 'Year two', 'S', 'plan.subtitle', 'Year two')
add(C, 'Plan year 2015/16', 'S', 'plan.period', 'Plan period&&2015/16')
add(C, 'Submitted to the Kent HWB of 18 March 2015 for endorsement (agenda item 5)', 'S', 'plan.approvals, plan.status', '18 Mar 2015||18 March 2015')
add(C, 'heading: The Executive Summary', 'S', 'sections.executive-summary title', 'line:The Executive Summary')

# ---------------------------------------------------------------- Introduction (615-642)
I = 'Introduction'
narrative(I, 'es-introduction', {
    0: [('Five Year Strategy and Two Year Operational Plan, 2014 to 2019 (parent strategy)', 'S', 'plan.refreshes', 'Five Year Strategy and Two Year Operational Plan')],
    1: [('keep',), ('Incorporates the views of the public (driver)', 'S', 'plan.drivers DRV-PUBLIC', 'The views of the public'),
        ('...and of our providers (driver)', 'S', 'plan.drivers DRV-PROVIDERS', 'The views of our providers'),
        ('...in line with the Kent Health and Wellbeing Strategy, to which the CCG contributed (driver)', 'S', 'plan.drivers DRV-KHWS', 'Kent Health and Wellbeing Strategy')],
    2: [('The CCG Vision', 'S', 'vision.mission', 'clinically led and innovative commissioning organisation')],
    4: [('Intentions reflect partnership forums and clinically led workshops with providers', 'S', 'plan.drivers DRV-PROVIDERS', 'partnership forums and clinically led workshops')],
    5: [('Our Aim', 'S', 'vision.statements Our Aim', 'Our Aim&&older and more vulnerable patients')],
})

# ---------------------------------------------------------------- Transformational change (644-748)
T = 'Transformational change'
tc = {
    1: [('Transformational change aim', 'S', 'vision.statements', 'Transformational change&&long-term sustainable health care system across DGS')],
    3: [('keep',), ('DGS CCG have applied to be a Vanguard pilot (action)', 'S', 'actions TC-06 title', "id:TC-06:Application to be a")],
    7: [('keep',), ('Five Year Forward View (driver)', 'S', 'plan.drivers DRV-FYFV', 'Five Year Forward View')],
    11: [('keep',), ('150 dwellings already completed', 'F', 'TC-03 description and chapter body', '', 'a context figure (housing, population) with no field'),
         ('a further 350 due for completion by the end of 2015', 'F', 'TC-03 description and chapter body', '', 'a context figure (housing, population) with no field')],
    12: [('keep',), ('capacity for 15,000 new homes', 'F', 'TC-03 description and chapter body', '', 'a context figure (housing, population) with no field')],
    13: [('keep',), ('by 2025 an increase in the overall population by 50,000', 'F', 'TC-03 description and chapter body', '', 'a context figure (housing, population) with no field')],
    16: [('keep',), ('Kings Fund work commissioned during 13/14 (driver, date)', 'S', 'plan.drivers DRV-KINGSFUND', 'Kings Fund whole system work (2013/14)')],
    22: [('By April 2016 (due of the five commitments)', 'S', 'TC-01..TC-05 due 2015/16 Q4', '2015/16 Q4')],
    23: [('Enhanced IDT model and IPCT network across DGS', 'S', 'actions TC-01 title', 'id:TC-01:Enhanced Integrated Discharge Team'),
         ('IPCTs include district nursing, mental health, social care, domiciliary care', 'F', 'TC-01 description')],
    24: [('Adult community services review, lead provider model', 'S', 'actions TC-02 title', 'id:TC-02:Adult community services review'),
         ('...implementing changes by April 2016, focus on integration model', 'F', 'TC-02 description')],
    25: [('Ebbsfleet Garden City model mobilised and implemented', 'S', 'actions TC-03 title', 'id:TC-03:Agreed model for the Ebbsfleet'),
         ('...including plans for an integrated health and social care hub', 'F', 'TC-03 description')],
    26: [('Integrated electronic patient care record system', 'S', 'actions TC-04 title', 'id:TC-04:Integrated electronic patient care'),
         ('...potentially including the local ambulance service', 'F', 'TC-04 description')],
    27: [('New urgent care model procured', 'S', 'actions TC-05 title', 'id:TC-05:New urgent care model procured'),
         ('...combining OOH, MIUs, walk-in centres and NHS 111, integrated with primary care and ambulance', 'F', 'TC-05 description')],
    29: [('keep',), ('joint strategic and operational commissioning group, reports into CCG and LA systems', 'S', 'governance.bodies jsocg', '', 'issue 9 governance (not rendered until the feature merges)')],
    31: [('keep',), ('North Kent ERIH developed with Medway and Swale CCGs (action, complete)', 'S', 'actions TC-07 title, status', 'id:TC-07:North Kent Education, Research')],
    35: [('Outcome: increase in the number of training practices', 'S', 'TC-07 milestone M1 (complete)', 'An increase in the number of training practices')],
    36: [('Outcome: appointment of practice nurse tutors', 'S', 'TC-07 milestone M2 (complete)', 'Appointment of practice nurse tutors')],
    37: [('Outcome: placement of paramedics within primary care', 'S', 'TC-07 milestone M3 (complete)', 'Placement of paramedics within primary care')],
}
narrative(T, 'es-transformational', tc)

# ---------------------------------------------------------------- Key commissioning intentions (750-763)
K = 'Key Commissioning intentions'
narrative(K, 'es-key-intentions', {
    1: [('keep',), ('CCG to appoint its own public health consultant (action)', 'S', 'actions TC-08 title', 'id:TC-08:CCG public health consultant')],
    2: [('Post supported and approved by the Faculty of Public Health (status)', 'S', 'TC-08 status, status_note', 'approved by the Faculty of Public Health')],
    3: [('Interim in post for the last year (status)', 'S', 'TC-08 status_note', 'an interim has been in post for the last year')],
})

# ---------------------------------------------------------------- Commissioning Intentions 2015/16 (765-781)
M = 'Commissioning Intentions 2015/16'
narrative(M, 'es-intentions-2015')
for r in TAB['mh-investment']['rows']:
    add(M, f"MH investment: {r['area']}", 'S', 'tables.mh-investment area', r['area'][:40])
    add(M, f"MH investment amount: {r['area'][:30]}: £{r['2015/16']}k", 'S', 'tables.mh-investment 2015/16', f"row:{r['area'][:25]}:{r['2015/16']}")

# ---------------------------------------------------------------- Finance context (783-817)
FC = 'Finance Context and delivering value'
narrative(FC, 'es-finance-context', {
    2: [('keep',), ('£6.0m distance from target', 'S', 'finance.lines AL-DFT', 'row:Distance from target:6.0')],
    5: [('Use of DFT funding: Adult Community Services Review', 'S', 'TC-02 description + AL-DFT note', 'Adult Community Services Review')],
    6: [('Use of DFT funding: Urgent Care Review', 'S', 'TC-05 description + AL-DFT note', 'Urgent Care Review')],
    7: [('Use of DFT funding: Vanguard Application', 'S', 'TC-06 description + AL-DFT note', 'Vanguard Application')],
    9: [('Use of DFT funding: Patient Transport tender', 'S', 'actions TC-09', 'id:TC-09:Patient Transport tender')],
    11: [('1.4% GDP growth (assumption)', 'S', 'finance.assumptions FA-ALLOCATION-GROWTH', 'Allocation growth (GDP growth)'),
         ('...of £3.9m', 'S', 'finance.lines AL-GROWTH', 'row:1.4% Growth:3.9'),
         ('winter resilience funding £1.5m', 'S', 'finance.lines AL-WINTER', 'row:Winter resilience:1.5'),
         ('Better Care Fund transfer £4.8m', 'S', 'finance.lines AL-BCF', 'row:Better Care Fund (from Local:4.8')],
    12: [('non-recurrent return of surplus £3.9m', 'S', 'finance.lines AL-SURPLUS', 'row:Return of Surplus:3.9')],
    13: [('Winter Resilience to fund the Integrated Discharge Team', 'S', 'finance.lines AL-WINTER note', 'use Winter Resilience to fund the Integrated Discharge Team')],
})
for ln in d['finance']['lines']:
    add(FC, f"Allocation line: {ln['title']}", 'S', f"finance.lines {ln['id']} title", ln['title'])
    add(FC, f"Allocation amount: {ln['title']} {ln['amounts']['2015/16']}", 'S', f"finance.lines {ln['id']} amounts", f"row:{ln['title'][:28]}:{ln['amounts']['2015/16']}")
add(FC, 'Total Recurrent Allocation 15-16 (label)', 'F', 'finance.note', 'Total Recurrent Allocation 15-16', 'a nested subtotal (one stated total per finance group)')
add(FC, 'Total Recurrent Allocation 15-16: 299.2', 'F', 'finance.note', '299.2', 'a nested subtotal (one stated total per finance group)')
add(FC, 'Total Allocation 15-16 (label)', 'S', 'finance.stated_totals allocation', 'Total')
add(FC, 'Total Allocation 15-16: 303.1', 'S', 'finance.stated_totals allocation', '303.1')
add(FC, 'Unit £m', 'S', 'finance.unit', '£m')

# ---------------------------------------------------------------- QIPP 2015/16 (819-843)
Q = 'QIPP 2015/16'
narrative(Q, 'es-qipp')
qs = TAB['qipp-summary']
for r in qs['rows']:
    add(Q, f"QIPP by programme: {r['programme']} (label)", 'S', 'tables.qipp-summary programme', r['programme'] if r['programme'] != 'Total' else 'row:Total:5,716.2')
    for c in ('saving', 'investment', 'net'):
        v = r[c]
        vs = f"{v:,.1f}"
        add(Q, f"QIPP by programme: {r['programme']} {c} {v}", 'S', f'tables.qipp-summary {c}', f"row:{r['programme']}:{vs}" if r['programme'] != '(blank)' else '0.0')
for c in ('Saving', 'Investment', 'Planned Net Saving 2015/16'):
    add(Q, f'column heading: {c}', 'S', 'tables.qipp-summary columns', c)

# ---------------------------------------------------------------- Financial risks (845-856)
R = 'Financial Risks'
narrative(R, 'es-financial-risks')
for r in d['risks'][:3]:
    add(R, f"Risk: {r['title']}", 'S', f"risks {r['id']} title", f"id:{r['id']}:{r['title'][:25]}")
    for x in sentences(r.get('description')):
        add(R, x, 'S', f"risks {r['id']} description", short(x, 40))
    if r.get('mitigation'):
        add(R, r['mitigation'], 'S', f"risks {r['id']} mitigation", short(r['mitigation'], 40))
add(R, 'contracts due to be signed on 11 March 2015 (date)', 'F', 'R-FIN-02 description', '', 'a date inside a risk (no field for a risk\'s key date)')

# ---------------------------------------------------------------- Triangulation (858-887)
TR = 'Triangulation of Planning Returns'
narrative(TR, 'es-triangulation', {2: [('keep',), ('Growth 1.5% for 2015/16 (assumption)', 'S', 'finance.assumptions FA-GROWTH', 'Growth (demographic and demand impact combined)')]})

# ---------------------------------------------------------------- Governance and delivery 2014/15 (889-921)
G = 'Governance and Delivery in 2014/15'
narrative(G, 'es-governance-2014', {
    0: [('keep',), ('Collaborative Boards at Executive and clinical operational levels (body)', 'S', 'governance.bodies collaborative-boards', '', 'issue 9 governance (not rendered until the feature merges)')],
    11: [('keep',), ('conversion c33% in Jan 2014', 'S', 'indicators KPI-CONV actuals 2014-01', 'row:KPI-CONV:33%'),
         ('conversion c24% by July 2014', 'S', 'indicators KPI-CONV actuals 2014-07', '24%'),
         ('...and this remains stable', 'S', 'KPI-CONV assessments no_change', 'No change'),
         ('c (approximately) on both figures', 'F', 'KPI-CONV source', '', 'an approximate figure ("c33%")')],
    13: [('keep',), ('95% 4 hour A&E waits standard (figure)', 'S', 'KPI-AE4 target at least 95', 'at least 95%')],
})

# ---------------------------------------------------------------- Quality and Safety (923-959)
QS = 'Quality and Safety'
narrative(QS, 'es-quality', {
    3: [('keep',), ('Provider: Dartford & Gravesham NHS Trust (D&G)', 'S', 'plan.providers DG', 'Dartford & Gravesham NHS Trust (D&G)'),
        ('Provider: Kent and Medway Partnership NHS Trust (KMPT)', 'S', 'plan.providers KMPT', 'Kent and Medway Partnership NHS Trust (KMPT)')],
    4: [('keep',), ('Provider: Kent Community Healthcare Trust (KCHT)', 'S', 'plan.providers KCHT', 'Kent Community Healthcare Trust (KCHT)'),
        ('Provider: South East Coast Ambulance Service (SECamb)', 'S', 'plan.providers SECAMB', 'South East Coast Ambulance Service (SECamb)')],
    6: [('keep',), ('CQRG meetings monitor D&G (body)', 'S', 'governance.bodies cqrg', '', 'issue 9 governance (not rendered until the feature merges)')],
    10: [('keep',), ('CQC chief inspector of hospitals inspection in March (date)', 'F', 'chapter body', '', 'a provider event date (no field)')],
})

# ---------------------------------------------------------------- NHS Constitution performance (961-965)
NC = 'NHS Constitution performance'
narrative(NC, 'es-constitution', {0: [('keep',),
    ('R1 and R2 not met year to date as at December 2014 (assessment)', 'S', 'KPI-AMB-R1/R2 assessments', 'Below target (Apr to Dec 2014)')]})

# ---------------------------------------------------------------- BCF level of ambition (967-995)
B = 'BCF level of ambition'
narrative(B, 'es-bcf-ambition', {7: [
    ('BCF metric: reduction in NEL admissions', 'S', 'bcf.metrics BCF-NEL title', 'Reduction in non-elective (NEL) admissions'),
    ('0.8% NEL admission reduction target', 'S', 'BCF-NEL targets 2015/16', '0.8%'),
    ('original ambition 3.5% (revised)', 'S', 'BCF-NEL revised_from value', 'revised from 3.5%'),
    ('revision agreed by the Kent HWBB with all Kent CCGs', 'S', 'BCF-NEL revised_from by', 'Kent Health and Wellbeing Board'),
    ('reason: not achievable due to current significant demand on the acute system', 'S', 'BCF-NEL revised_from reason', 'current significant demand on the acute system'),
    ('Reference: DGS Strategic Commissioning strategy for BCF investment', 'F', 'BCF-NEL source', 'Strategic Commissioning strategy for BCF investment', '')]})

# ---------------------------------------------------------------- Assurance process (997-1016)
A = 'Overview of assurance process'
narrative(A, 'es-assurance', {
    1: [('keep',), ('Executive Programme Board (body)', 'S', 'governance.bodies epb', '', 'issue 9 governance (not rendered until the feature merges)')],
    3: [('keep',), ('Redesign jointly commissioned through the Kings Fund and Oaks Group (driver)', 'S', 'plan.drivers DRV-KINGSFUND note', 'Kings Fund and Oaks Group')],
    5: [('keep',), ("Providers' 5 year plans, e.g. Darenth Valley Hospital Trust Clinical Strategy (driver)", 'S', 'plan.drivers DRV-PROVIDER-PLANS', "Providers' 5 year plans")],
    7: [('keep',), ('clinical interface group, reports into CCG and Trust Boards (body)', 'S', 'governance.bodies cig', '', 'issue 9 governance (not rendered until the feature merges)')],
})

# ---------------------------------------------------------------- Appendix A (1017)
add('Appendix A', 'heading: Appendix A DGS CCG Plan on a Page 2014/16 (a graphic; only its title is in the seed)', 'S', 'sections.appendix-a title', 'DGS CCG Plan on a Page 2014/16')

# ---------------------------------------------------------------- Appendix B (1018-1190)
AB = 'Appendix B'
add(AB, 'heading: Appendix B Details of the QIPP key projects', 'S', 'sections.appendix-b title', 'Details of the QIPP key projects')
for s in d['qipp']['schemes']:
    add(AB, f"{s['id']}: programme area {s['title']}", 'S', 'qipp.schemes title/domain', f"id:{s['id']}:{s['title'][:20]}")
    add(AB, f"{s['id']}: point of delivery {s['point_of_delivery']}", 'S', 'qipp.schemes point_of_delivery; tables.appendix-b-detail pod', s['point_of_delivery'])
    v = (s.get('savings') or s.get('investment'))['2015/16']
    add(AB, f"{s['id']}: finance 15/16 {v}", 'S', 'qipp.schemes savings/investment', f"row:{s['id']}:{v:,}")
    m = re.search(r'activity change 15/16: ([-+0-9,]+)', s.get('note', ''))
    if m:
        act = int(m.group(1).replace(',', '').replace('+', ''))
        add(AB, f"{s['id']}: activity change {m.group(1)}", 'S', 'tables.appendix-b-detail activity (also the scheme note)', f"row:{s['id']}:{act:,}")
for t, amount, act in [('Integrated Care - Dementia and carers', '827,271', '1,552'), ('Mental Health', '1,369,807', '489'),
                       ('Planned Care', '741,703', '4,758'), ('Prescribing', '1,000,000', None),
                       ('Urgent Care', '1,142,838', '1,173'), ('Other Investment', '250,000', None)]:
    add(AB, f'programme total (finance): {t} ({amount})', 'S', 'tables.appendix-b-detail total row', '-' + amount)
    if act:
        add(AB, f'programme total (activity): {t} ({act})', 'S', 'tables.appendix-b-detail total row', '-' + act)
add(AB, 'column headings: Point of delivery impacted, Sum of 15/16 Planned Activity Changes, Sum of Planned Finance Reduction 15/16', 'S', 'tables.appendix-b-detail columns', 'planned activity changes')
add(AB, 'Grand Total finance (5,500,036)', 'S', 'qipp.stated_total', '5,500,036')
add(AB, 'Grand Total activity (8,039)', 'F', 'tables.appendix-b-detail note', '8,039', 'a grand total after subtotals (a total row sums the rows since the previous total)')
for r in TAB['qipp-key-projects']['rows']:
    add(AB, f"key project: {r['project'][:60]}", 'S', 'tables.qipp-key-projects (+ action ' + r['action'] + ')', r['project'][:35])
narrative(AB, 'b-prescribing', title=True)

# ---------------------------------------------------------------- Appendix C (1192-1302)
AC = 'Appendix C'
add(AC, 'heading: Appendix C NHS DGS CCG Constitutional Performance and actions', 'S', 'sections.appendix-c title', 'Constitutional Performance and actions')
narrative(AC, 'c-ae', {
    0: [('A&E YTD 95.20%', 'S', 'KPI-AE4 actuals Apr-Dec 2014', 'row:KPI-AE4:95.2%'), ('A&E Q3 94.5%', 'S', 'KPI-AE4 baseline/actual Q3', 'row:KPI-AE4:94.5%')],
    1: [('keep',), ('D&G failed the 4 hour target in Q3 2014/15 (assessment)', 'S', 'KPI-AE4 assessments', 'Below target (2014/15 Q3)')],
    2: [('keep',), ('8th highest rate of any provider in the country, SITREP 8 Feb 2015', 'F', 'KPI-AE4 source', '', 'a rank without its field count (the benchmark rank of issue 9 needs "of")')],
    3: [('Expected to sustain achievement to end 2014/15 (assessment)', 'S', 'KPI-AE4 assessments', 'On target (2014/15)')],
    4: [('keep',), ('Oversight and challenge of A&E performance (action)', 'S', 'actions C-AE title', 'id:C-AE:Oversight and challenge'),
        ('weekly PMO (body, frequency)', 'S', 'governance.bodies pmo', '', 'issue 9 governance (not rendered until the feature merges)')],
    6: [('A&E target achieved in 15/16 (target)', 'S', 'KPI-AE4 targets 2015/16', 'at least 95%')],
})
narrative(AC, 'c-rtt', {
    0: [('keep',), ('RTT admitted YTD 89.95%', 'S', 'KPI-RTT-ADM actuals', 'row:KPI-RTT-ADM:89.95%'), ('90% standard', 'S', 'KPI-RTT-ADM target at least 90', 'at least 90%'),
        ('fractionally below the standard YTD (assessment)', 'S', 'KPI-RTT-ADM assessments Apr-Dec 2014', 'Below target (Apr to Dec 2014)')],
    1: [('Dec admitted 92.4%', 'S', 'KPI-RTT-ADM actuals 2014-12', 'row:KPI-RTT-ADM:92.4%'), ('Dec non-admitted 97%', 'S', 'KPI-RTT-NONADM actuals', 'row:KPI-RTT-NONADM:97%'),
        ('Dec incomplete 95%', 'S', 'KPI-RTT-INC actuals', 'row:KPI-RTT-INC:95%'), ('meeting all standards (assessment)', 'S', 'RTT assessments 2014-12 on_target', 'On target (Dec 2014)')],
    2: [('Q1 achieved, Q2 not, Q3 achieved (assessments)', 'S', 'KPI-RTT-ADM assessments', 'Below target (2014/15 Q2)')],
    5: [('keep',), ('84.49% at D&G in August (printed 2015)', 'F', 'KPI-RTT-ADM source', '84.49%', 'a provider-level figure for a month the seed misprints (issue 9 areas would hold it, with a month)')],
    6: [('keep',), ('Telephone follow up expansion in 15/16 (action)', 'S', 'actions PC-03', 'id:PC-03:Roll-out of telephone follow-up')],
    9: [('Trajectory 15/16: compliance with the standard (target)', 'S', 'KPI-RTT-ADM targets 2015/16', 'at least 90%')],
})
narrative(AC, 'c-ambulance', {
    0: [('Red 1 expected to be met in 2014/15 (assessment)', 'S', 'KPI-AMB-R1 assessments', 'On target (2014/15)'),
        ('Red 2 expected to marginally fail at over 74% for 2014/15 (assessment)', 'S', 'KPI-AMB-R2 assessments', 'Expected to marginally fail at over 74%'),
        ('...achieved each month since October (printed 2015) except December', 'F', 'KPI-AMB-R2 source; Dec assessment', '', 'monthly achievement pattern (assessments per month would need six rows; Dec is in)'),
        ('...performance should be maintained into 2015/16', 'N-S', 'sections.c-ambulance body', 'performance should be maintained')],
    1: [('reported at Kent and Medway level', 'F', 'KPI-AMB source; chapter body', 'reported at a Kent and Medway level', 'the geography a measure is reported at (issue 9 areas: an area, no figure)')],
    4: [('keep',), ('Revised system improvement plan: handover trajectories (action)', 'S', 'actions C-AMB', 'id:C-AMB:Revised system improvement plan')],
    7: [('Red 1 and 2 achieved in 2015/16 (target, no figure)', 'F', 'KPI-AMB-R1/R2 source', '', 'a target stated as "the standard will be achieved" with no figure')],
})
narrative(AC, 'c-cancer', {
    0: [('31 day radiotherapy YTD (to Dec) 94.77%', 'S', 'KPI-CAN-31-RT actuals', 'row:KPI-CAN-31-RT:94.77%'), ('...Q3 92.19%', 'S', 'KPI-CAN-31-RT baseline Q3', 'row:KPI-CAN-31-RT:92.19%'),
        ('Indicator: Cancer 31 day subsequent treatment (Radiotherapy)', 'S', 'indicators KPI-CAN-31-RT title', 'Cancer 31 day subsequent treatment')],
    1: [('62 day urgent YTD 86.09%', 'S', 'KPI-CAN-62 actuals', 'row:KPI-CAN-62:86.09%'), ('...Q3 83.76%', 'S', 'KPI-CAN-62 baseline Q3', 'row:KPI-CAN-62:83.76%'),
        ('Indicator: Cancer 62 day urgent referral to first treatment', 'S', 'indicators KPI-CAN-62 title', '62 day urgent referral to first treatment')],
    2: [('62 day screening YTD 93.33%', 'S', 'KPI-CAN-62-SCR actuals', 'row:KPI-CAN-62-SCR:93.33%'), ('...Q3 88%', 'S', 'KPI-CAN-62-SCR baseline Q3', 'row:KPI-CAN-62-SCR:88%'),
        ('Indicator: Cancer 62 day screening referral to first treatment', 'S', 'indicators KPI-CAN-62-SCR title', '62 day screening referral')],
    3: [('December: standard not met (assessment)', 'S', 'KPI-CAN-31-RT assessments 2014-12', 'Below target (Dec 2014)'),
        ('42 out of 46 patients within 31 days', 'S', 'KPI-CAN-31-RT actuals 2014-12 numerator/denominator', '42 of 46')],
    5: [('keep',), ('monitor at monthly performance and contracting meetings (action)', 'S', 'actions C-CAN', 'id:C-CAN:Monitoring of the cancer')],
    6: [('Cancer targets achieved in 2015/16 (target, no figure)', 'F', 'KPI-CAN source', '', 'a target stated as "the standard will be achieved" with no figure')],
})
for t in ('A&E 4 Hour wait', '18 week referral to treatment (RTT) for admitted pathways', 'Ambulance Cat A Red 1 and Red 2', 'Cancer Access Targets'):
    pass  # the titles are counted by narrative(): one heading row each
for lab in ('Current position', 'Diagnosis', 'Action', 'Trajectory for 15/16', 'Investment'):
    add(AC, f'row label: {lab} (repeated per standard)', 'S', 'bold labels in appendix-c bodies', lab)

# ---------------------------------------------------------------- Appendix D (1304-2069)
progs = [('d-urgent-care', 'urgent-ltc', 'UC'), ('d-planned-care', 'planned-care', 'PC'), ('d-mental-health', 'mental-health', 'MH'),
         ('d-dementia-ld', 'dementia-ld', 'DEM'), ('d-children', 'children', 'CYP'), ('d-health-inequalities', 'hi-primary-care', 'HI'),
         ('d-prescribing', 'prescribing', 'PR')]
doms = {x['id']: x for x in d['domains']}
add('Appendix D', 'heading: Appendix D Programme Summaries', 'S', 'sections.programme-summaries title', 'Programme Summaries')
for sid, dom, pre in progs:
    sec = 'Appendix D: ' + SEC[sid]['title'].replace('Programme Area: ', '')
    narrative(sec, sid)
    add(sec, f'programme (domain) title: {doms[dom]["title"]}', 'S', f'domains {dom} title', doms[dom]['title'])
    desc = doms[dom].get('description', '')
    obj = desc.split('**Objective**', 1)[1] if '**Objective**' in desc else ''
    obj = re.split(r'\n\s*\n(?:QIPP programme|A range of projects|The key projects|Medicines form)', obj)[0] if dom not in ('prescribing', 'dementia-ld') else obj
    for x in sentences(re.sub(r'^\s*\(\d+-\d+\)', '', obj)):
        if x.startswith(('QIPP programme', 'The key projects')):
            continue
        add(sec, 'objective: ' + x, 'F', f'domains {dom} description', short(x, 40), '')
    for a in d['actions']:
        if a.get('domain') != dom or a['id'].startswith('C-') or (a.get('description') or '').startswith('Appendix B key project'):
            continue
        add(sec, f"project: {a['title'][:80]}", 'S', f"actions {a['id']} title", f"id:{a['id']}:{a['title'][:25]}")
        for k in ('start', 'due'):
            if k in a:
                add(sec, f"{a['id']} {k} {a[k]}", 'S', f"actions {a['id']} {k}", '')
        if a.get('status'):
            add(sec, f"{a['id']} status {a['status']}: {a.get('status_note', '')}", 'S', f"actions {a['id']} status", '')
        for m in a.get('milestones', []):
            add(sec, f"milestone {m['id']}: {m['title']}", 'S', f"actions {a['id']} milestones", m['title'][:30])
            if 'due' in m:
                add(sec, f"milestone {m['id']} due {m['due']}", 'S', f"{m['id']} due", '')
        for x in sentences(a.get('description')):
            w = _n(x).split()
            if (len(w) > 5 and ' '.join(w[1:7]) in CORPUS) or x.startswith('Impact expected in 2016/17'):
                continue
            if re.match(r'(Appendix B|Appendix C:|One of the other projects|Also listed|The mental health programme summary|Investment in Liaison|ASD investment|Total savings linked|New for 2015-16|Quality|Innovation|Productivity|Prevention)', x):
                continue
            if a['id'].startswith(('TC-', 'C-')):
                continue
            add(sec, x, 'F', f"actions {a['id']} description", short(x, 40))
    for r in d['risks']:
        if r.get('domain') != dom:
            continue
        add(sec, f"risk: {r['title']}", 'S', f"risks {r['id']} title", f"id:{r['id']}:{r['title'][:25]}")
        for x in sentences(r.get('description')):
            if x.rstrip('.') == r['title'].rstrip('.'):
                continue
            add(sec, x, 'S', f"risks {r['id']} description", short(x, 40))
        for x in sentences(r.get('mitigation')):
            add(sec, 'mitigation: ' + x, 'S', f"risks {r['id']} mitigation", short(x, 40))
    for t in d['tables']:
        for row in t['rows']:
            prog = row.get('programme', '')
            if t['id'] == 'programme-kpis' and prog == doms[dom]['title']:
                add(sec, 'KPI: ' + row['kpi'][:80], 'S', 'tables.programme-kpis', row['kpi'][:35])
            if t['id'] == 'programme-resources' and prog == doms[dom]['title']:
                add(sec, f"resource implications: year {row['year']}", 'S', 'tables.programme-resources year', f"row:{prog.split()[0]}:{row['year']}")
                add(sec, f"resource implications: planned net savings {row['savings']}", 'S', 'tables.programme-resources savings', (f"{row['savings']:,}" if row['savings'] != 'tbc' else 'TBC'))
                for x in sentences(row.get('detail')):
                    add(sec, 'resource detail: ' + x, 'S', 'tables.programme-resources detail', short(x, 35))
            if t['id'] == 'planned-care-savings' and dom == 'planned-care':
                pass
    if dom == 'planned-care':
        for row in TAB['planned-care-savings']['rows']:
            add(sec, f"potential saving: {row['project'][:50]} {row['saving']}", 'S', 'tables.planned-care-savings', (f"{abs(row['saving']):,}" if row['saving'] != 'tbc' else 'TBC'))
    if dom == 'prescribing':
        for row in TAB['prescribing-projects']['rows']:
            add(sec, f"saving: {row['action']} {row['saving']}", 'S', 'tables.prescribing-projects saving', f"row:{row['action']}:{row['saving']:,}")
    for h in ('Key Drivers for Change', 'What did our providers and GPs tell us?', 'What did our patients and local population tell us?', 'Workforce implications'):
        add(sec, 'subheading: ' + h, 'S', f'sections.{sid} body heading', h)
    add(sec, 'subheading: Objective', 'S', f'domains {dom} description heading', 'Objective')
    for x in EXTRA.get(dom, []):
        add(sec, *x)

# transformational-change and Appendix C actions' descriptions restate chapter text already counted;
# framework items (issue 9) and the remaining governance bodies:
for it in d['frameworks'][0]['items']:
    pass  # the aims are counted once, as KPI table cells (tables.programme-kpis); the framework and `aligns` restate them

with open(os.path.join(here, 'dartford-gravesham-swanley-facts.tsv'), 'w', encoding='utf-8') as f:
    f.write('section\tfact\tclass\twhere\tcheck\tgap\n')
    for r in rows:
        f.write('\t'.join(r) + '\n')
print(len(rows), 'facts')
