import cProfile, pstats, sys, tempfile
from pathlib import Path
from extractor.reader import read_document
from extractor.tables import find_tables
from extractor.segmenter import segment
src = Path('samples/004_3ff65f7921ff3963.txt').read_text(encoding='utf-8')
for k in (8, 1, 8):
    p = Path(tempfile.mkdtemp())/f'x{k}.txt'; p.write_text(src*k, encoding='utf-8')
    doc = read_document(p)
    pr = cProfile.Profile(); pr.enable(); t = find_tables(doc.lines); pr.disable()
    print(k, pstats.Stats(pr).total_calls, len(t), len(doc.lines))
