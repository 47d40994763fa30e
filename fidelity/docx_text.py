"""Print all text of a .docx (paragraphs and table cells, in body order; the paragraphs of a cell joined by a space) for coverage checks."""
import sys
from docx import Document

def main(path):
    doc = Document(path)
    body = doc.element.body
    for child in body.iterchildren():
        tag = child.tag.split('}')[1]
        if tag == 'p':
            print(''.join(t.text or '' for t in child.iter() if t.tag.endswith('}t')))
        elif tag == 'tbl':
            for tr in child.iter():
                if tr.tag.endswith('}tr'):
                    cells = []
                    for tc in tr:
                        if tc.tag.endswith('}tc'):
                            cells.append(" ".join("".join(t.text or "" for t in p.iter() if t.tag.endswith("}t")) for p in tc if p.tag.endswith("}p")))
                    print(' | '.join(cells))
    for s in doc.sections:
        for part in (s.header, s.footer):
            for p in part.paragraphs:
                if p.text.strip():
                    print(p.text)

if __name__ == '__main__':
    main(sys.argv[1])
