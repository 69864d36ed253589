#!/usr/bin/env python3
"""Turns the raw figures of bench/run.sh into the OCR section of BENCHMARKS.md.

usage: summarize.py OUT_DIR BENCHMARKS.md

Everything is measured in the same run on the same machine; the tables give ratios
against plain tesseract and OCRmyPDF beside the absolute figures, because the absolute
ones move with the machine's load.
"""
import datetime, glob, json, os, platform, re, statistics, subprocess, sys

out, target = sys.argv[1], sys.argv[2]
BEGIN, END = '<!-- ocr-bench:begin -->', '<!-- ocr-bench:end -->'
# Our own held-back pages (issue 21), after the OCR block, its subsection.
HELD_BEGIN, HELD_END = '<!-- ocr-heldout:begin -->', '<!-- ocr-heldout:end -->'

RUNS = [
    ('tesseract', 'plain tesseract (text output)'),
    ('ocrmypdf17', 'OCRmyPDF 17'),
    ('ocrmypdf17-prep', 'OCRmyPDF 17 --deskew --clean --rotate-pages'),
    ('ocrmypdf', "OCRmyPDF (Debian's)"),
    ('ocrmypdf-prep', "OCRmyPDF (Debian's) --deskew --clean --rotate-pages"),
    ('olke', "olke (defaults: the records' languages, preparation on)"),
    ('olke-same', 'olke, kaz+rus+eng on every page (as the anchors)'),
    ('olke-noprep', "olke --no-prepare (the records' languages)"),
]
# The runs timed again in every round, and how the rounds' table names them.
TIMED = [('olke', 'olke'), ('olke-same', 'olke kaz+rus+eng'), ('tesseract', 'tesseract'), ('ocrmypdf17', 'OCRmyPDF 17')]


def load(path):
    with open(path) as f:
        return json.load(f)


def version(command):
    try:
        text = subprocess.run(command, capture_output=True, text=True).stdout + subprocess.run(command, capture_output=True, text=True).stderr
        return text.strip().splitlines()[0]
    except (OSError, IndexError):
        return 'not found'


# The shared corpora, and the two halves of our own pages bench/run.sh renders into OUT/own.
MAIN_CORPORA = ['dev', 'dev2', 'komi-1939']
OWN_CORPORA = ['tune', 'heldout']


def corpus_dir(corpus):
    if corpus in OWN_CORPORA:
        return os.path.join(out, 'own', corpus)
    shared = os.environ.get('SHARED', os.path.join(os.path.dirname(os.path.abspath(target)), '..', 'shared'))
    return os.path.join(shared, 'corpus', corpus)


def manifest(corpus):
    return load(os.path.join(corpus_dir(corpus), 'manifest.json'))


def corpus_pages(corpus):
    return len(manifest(corpus))


def pdf_bytes(corpus, run):
    files = glob.glob(os.path.join(out, f'{corpus}.{run}', 'archive', 'documents', '*', '*.pdf'))
    files += glob.glob(os.path.join(out, f'{corpus}.{run}', 'txt', '*.pdf'))
    return sum(os.path.getsize(f) for f in files) if files else None


def pct(v):
    return f'{v * 100:.2f}%'


def table(rows, header):
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
    lines += ['| ' + ' | '.join(str(c) for c in row) + ' |' for row in rows]
    return '\n'.join(lines)


speed = {}


def corpus_section(corpus, title):
    """The tables of one corpus: speed, quality, the rounds' ratios, quality by damage level;
    None when this run left the corpus out."""
    if not os.path.exists(os.path.join(out, f'{corpus}.olke.score.json')):
        return None
    pages = corpus_pages(corpus)
    rows, quality = [], []
    for run, label in RUNS:
        time_file = os.path.join(out, f'{corpus}.{run}.time')
        score_file = os.path.join(out, f'{corpus}.{run}.score.json')
        if not os.path.exists(time_file) or not os.path.exists(score_file):
            continue
        t, s = load(time_file), load(score_file)
        per_minute = pages / t['wall'] * 60
        speed[(corpus, run)] = per_minute
        size = pdf_bytes(corpus, run)
        levels = [k for k in ('clean', 'mild', 'heavy', 'real') if k in s]
        rows.append([
            label, f"{t['wall']:.1f}", f'{per_minute:.1f}', f"{(t['user'] + t['sys']) / pages:.2f}",
            f"{t['max_rss_kib'] / 1024:.0f}", f'{size / pages / 1024:.0f}' if size else '–',
            pct(s['all']['cer']), pct(s['all']['bow_error']), pct(s['all']['word_recall']),
        ])
        quality.append([label] + [pct(s[k]['bow_error']) for k in levels])
    if not rows:
        return None
    base = {run: speed.get((corpus, run)) for run, _ in RUNS}
    ratio_rows = []
    for run, label in RUNS:
        if (corpus, run) in speed and run.startswith('olke'):
            r = speed[(corpus, run)]
            ratio_rows.append([label] + [f"{r / base[anchor]:.2f}×" if base.get(anchor) else '–'
                                         for anchor in ('tesseract', 'ocrmypdf17', 'ocrmypdf17-prep', 'ocrmypdf')])
    # Round 1 is the table above; later rounds time both olke runs, tesseract and OCRmyPDF again.
    round_rows, ratios = [], {(run, anchor): [] for run in ('olke', 'olke-same') for anchor in ('tesseract', 'ocrmypdf17')}
    for number in range(1, 100):
        name = '' if number == 1 else f'round{number}.'
        files = {run: os.path.join(out, f'{corpus}.{name}{run}.time') for run, _ in TIMED}
        if not all(os.path.exists(f) for f in files.values()):
            break
        wall = {run: load(f)['wall'] for run, f in files.items()}
        for (run, anchor), values in ratios.items():
            values.append(wall[anchor] / wall[run])
        round_rows.append([number] + [f'{wall[run]:.1f}' for run, _ in TIMED] + [f'{values[-1]:.2f}×' for values in ratios.values()])
    rounds = ''
    if len(round_rows) > 1:
        round_rows.append(['**median**'] + [''] * len(TIMED) + [f'**{statistics.median(values):.2f}×**' for values in ratios.values()])
        rounds = ("\n\nBoth olke runs, plain tesseract and OCRmyPDF timed again in rotated order; olke's "
                  "speed as a ratio in each round (the host's speed drifts within minutes, so the median "
                  'of the rounds is the figure to quote):\n\n'
                  + table(round_rows, ['round'] + [f'{label} wall s' for _, label in TIMED]
                          + ['olke vs tesseract', 'olke vs OCRmyPDF 17', 'olke kaz+rus+eng vs tesseract', 'olke kaz+rus+eng vs OCRmyPDF 17']))
    report_file = os.path.join(out, f'{corpus}.olke.report.json')
    share = ''
    if os.path.exists(report_file):
        stages = load(report_file)['stage_seconds']
        share = (f"\nolke's time per stage (worker seconds, all pages): load {stages['load']:.1f}, "
                 f"preparation {stages['prepare']:.1f}, OCR {stages['ocr']:.1f}, PDF {stages['pdf']:.1f} — "
                 f"**preparation is {stages['prepare'] / stages['ocr'] * 100:.1f}% of OCR time**.\n")
    levels = [k for k in ('clean', 'mild', 'heavy', 'real') if k in load(os.path.join(out, f'{corpus}.olke.score.json'))]
    return (
        f'### {title} ({pages} pages)\n\n'
        + table(rows, ['run', 'wall s', 'pages/min', 'CPU s/page', 'peak RSS MB', 'PDF KiB/page', 'CER', 'BoW error', 'word recall'])
        + '\n\nSpeed of olke as a ratio (pages per minute, round 1):\n\n'
        + table(ratio_rows, ['run', 'vs plain tesseract', 'vs OCRmyPDF 17', 'vs OCRmyPDF 17 --deskew --clean --rotate-pages', "vs Debian's OCRmyPDF"])
        + rounds
        + '\n\nBag-of-words error by damage level:\n\n'
        + table(quality, ['run'] + levels) + '\n' + share
    )


sections = [section for corpus in MAIN_CORPORA if (section := corpus_section(corpus, f'corpus/{corpus}'))]

def rss_by_tenth(path):
    """The highest resident memory (MB) in each tenth of a run, from bench/run.sh's samples."""
    if not os.path.exists(path):
        return '–'
    samples = [tuple(int(v) for v in line.split()) for line in open(path) if len(line.split()) == 2]
    if len(samples) < 10:
        return '–'
    end = samples[-1][0] + 1
    tenths = [0] * 10
    for seconds, rss in samples:
        tenth = min(9, seconds * 10 // end)
        tenths[tenth] = max(tenths[tenth], rss)
    return ' '.join(f'{v / 1024:.0f}' if v else '·' for v in tenths)


scale = []
for n in (10, 100, 1000):
    time_file = os.path.join(out, f'scale-{n}.time')
    if os.path.exists(time_file):
        t = load(time_file)
        scale.append([n, f"{t['wall']:.1f}", f"{n / t['wall'] * 60:.1f}", f"{t['max_rss_kib'] / 1024:.0f}",
                      rss_by_tenth(os.path.join(out, f'scale-{n}.rss'))])
if scale:
    sections.append('### Scale: single-page dev scans repeated (each copy a distinct file)\n\n'
                    + table(scale, ['pages', 'wall s', 'pages/min', 'peak RSS MB', 'highest RSS MB in each tenth of the run (sampled every 2 s)']) + '\n')

cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), platform.processor())
header = (
    f"Measured by `make bench` on {datetime.date.today().isoformat()}: {os.cpu_count()} cores ({cpu}), "
    f"{version(['tesseract', '--version'])}, OCRmyPDF {version([os.path.join(os.environ.get('OLKE_VENV', '/opt/olke-venv'), 'bin', 'ocrmypdf'), '--version'])} "
    f"(and Debian's {version(['ocrmypdf', '--version'])}), "
    f"{version([os.path.join('target', 'release', 'olke'), '--version'])}. Every run uses 2 workers. Plain tesseract and "
    "OCRmyPDF read every page in kaz+rus+eng. olke (defaults) reads each page in the language its record states "
    "(a batch.csv made from the corpus manifest), with that language's model first, then kaz+rus+eng; on komi-1939 "
    "`kpv`, which Tesseract has no model for, so the archive's olke.toml names the Cyrillic script model "
    "(`[ocr.models] kpv = \"Cyrillic\"`). 'olke, kaz+rus+eng' is given no records and reads as the anchors do. "
    "Text layers are read back with `pdftotext -raw` and scored by `../shared/tools/score.py`; "
    "plain tesseract is scored on its text output. The machine is shared and noisy: compare ratios within a run, "
    "not seconds across runs.\n\n"
)


# The anchors of issue 21's targets, and olke, as the side-by-side tables show them.
SIDE = [('tesseract', 'plain tesseract'), ('ocrmypdf17-prep', 'OCRmyPDF 17 --deskew --clean --rotate-pages'),
        ('ocrmypdf17', 'OCRmyPDF 17'), ('olke', 'olke (defaults)'), ('olke-same', 'olke kaz+rus+eng')]
PAGE_LINE = re.compile(r'^(\S+)\s+CER\s+([\d.]+)%\s+word recall\s+([\d.]+)%\s+BoW error\s+([\d.]+)%')


def score(corpus, run):
    path = os.path.join(out, f'{corpus}.{run}.score.json')
    return load(path) if os.path.exists(path) else None


def per_page(corpus, run):
    """{page: (CER, word recall, BoW error)} in percent, from score.py's own per-page lines."""
    path = os.path.join(out, f'{corpus}.{run}.pages.txt')
    if not os.path.exists(path):
        return {}
    return {m[1]: tuple(float(v) for v in m.groups()[1:]) for m in map(PAGE_LINE.match, open(path)) if m}


def side_by_side(corpora):
    """BoW error of the anchors and olke, each corpus and damage level a row."""
    rows = []
    for corpus in corpora:
        scores = {run: score(corpus, run) for run, _ in SIDE}
        for level in ('all', 'clean', 'mild', 'heavy', 'real'):
            if any(s and level in s for s in scores.values()):
                rows.append([corpus, level] + [pct(s[level]['bow_error']) if s and level in s else '–' for s in scores.values()])
    return table(rows, ['corpus', 'level'] + [label for _, label in SIDE])


def by_damage(corpora):
    """Our own pages' BoW error by kind of damage (the mean of its pages: one mild, one heavy per half)."""
    rows = []
    for corpus in corpora:
        pages = {run: per_page(corpus, run) for run, _ in SIDE}
        damages = {}
        for entry in manifest(corpus):
            damages.setdefault(entry.get('damage', '–'), []).append(entry['gt'][:-len('.gt.txt')])
        for damage, names in damages.items():
            cells = []
            for run, _ in SIDE:
                values = [pages[run][n][2] for n in names if n in pages[run]]
                cells.append(f'{statistics.mean(values):.2f}%' if values else '–')
            rows.append([corpus, damage, len(names)] + cells)
    return table(rows, ['half', 'damage', 'pages'] + [label for _, label in SIDE])


def recall_losses(corpora):
    """Every page where olke's word recall is more than 1 point below plain tesseract's."""
    rows = []
    for corpus in corpora:
        tesseract = per_page(corpus, 'tesseract')
        entries = {m['gt'][:-len('.gt.txt')]: m for m in manifest(corpus)}
        for run, label in (('olke', 'olke (defaults)'), ('olke-same', 'olke kaz+rus+eng')):
            for name, (_, recall, _) in sorted(per_page(corpus, run).items()):
                if name in tesseract and recall < tesseract[name][1] - 1.0:
                    entry = entries.get(name, {})
                    rows.append([corpus, name, entry.get('damage', entry.get('level', '')), label,
                                 f'{recall:.2f}%', f'{tesseract[name][1]:.2f}%', f'{recall - tesseract[name][1]:+.2f}'])
    if not rows:
        return 'No page where olke\'s word recall is more than 1 point below plain tesseract\'s.\n'
    return table(rows, ['corpus', 'page', 'damage', 'run', 'olke word recall', 'tesseract word recall', 'points']) + '\n'


def targets(corpora):
    """Issue 21's targets, met or not, for olke's defaults on each corpus."""
    lines = []
    for corpus in corpora:
        olke, tesseract, prep, plain = (score(corpus, run) for run in ('olke', 'tesseract', 'ocrmypdf17-prep', 'ocrmypdf17'))
        if not (olke and tesseract and prep and plain):
            continue
        better = min(tesseract['all']['bow_error'], prep['all']['bow_error'])
        verdict = lambda ok: '**met**' if ok else '**not met**'
        line = (f"- {corpus}: BoW error {pct(olke['all']['bow_error'])} against 0.8 × {pct(better)} = {pct(0.8 * better)}: "
                f"{verdict(olke['all']['bow_error'] <= 0.8 * better)}")
        if 'heavy' in olke and 'heavy' in plain:
            limit = 0.7 * plain['heavy']['bow_error']
            line += (f"; heavy pages {pct(olke['heavy']['bow_error'])} against 0.7 × OCRmyPDF 17's "
                     f"{pct(plain['heavy']['bow_error'])} = {pct(limit)}: {verdict(olke['heavy']['bow_error'] <= limit)}")
        below = [n for n, (_, r, _) in per_page(corpus, 'olke').items()
                 if n in per_page(corpus, 'tesseract') and r < per_page(corpus, 'tesseract')[n][1] - 1.0]
        line += f"; pages more than 1 point below tesseract's word recall: {len(below)} ({verdict(not below)})"
        lines.append(line)
    return '\n'.join(lines) + '\n'


def replace_block(text, begin, end, body, after=None):
    """Puts body between the markers, or appends it (after the marker `after` when given)."""
    block = begin + '\n' + body + end
    if begin in text:
        return re.sub(re.escape(begin) + '.*?' + re.escape(end), lambda _: block, text, flags=re.S)
    if after and after in text:
        return text.replace(after, after + '\n\n' + block, 1)
    return text.rstrip() + '\n\n' + block + '\n'


text = open(target).read() if os.path.exists(target) else '# Benchmarks\n\n'
# A run of only some corpora (CORPORA=...) leaves the other block as the last full run wrote it.
if sections:
    text = replace_block(text, BEGIN, END, '## OCR: olke, plain tesseract and OCRmyPDF on the same pages\n\n' + header + '\n'.join(sections))
own = [corpus for corpus in OWN_CORPORA if score(corpus, 'olke')]
if own:
    present = [corpus for corpus in MAIN_CORPORA + OWN_CORPORA if score(corpus, 'olke')]
    made = ('Rendered by `examples/heldout_pages.rs` each run (the same pages from the same seeds): Kazakh (sentences of the '
            'UD Kazakh treebank KTB, CC BY-SA 4.0) and Russian book pages and newspaper columns with some English words, '
            'in typefaces neither dev nor dev2 uses, each checked to carry ә ғ қ ң ө ұ ү һ і; the damage dev has not got — '
            'uneven lighting, JPEG artefacts, halftone photographs beside the text, pencil marks, a curled page edge, pages '
            'turned 90°/270° and 180°, very faint ink, a sensor\'s grain (heavy at 200 dpi) — each at a mild and a heavy '
            'level. Every kind and level is rendered from two seeds: the even one makes the `tune` half, the odd one the '
            '`heldout` half; the halves share no '
            'typeface and no Kazakh sentence. Only `heldout` answers whether the targets are met.\n\n')
    held = ('### Held-back pages of our own\n\n' + made + header
            + "Bag-of-words error side by side, every corpus of this run and damage level:\n\n" + side_by_side(present)
            + "\n\nIssue 21's targets (olke's defaults):\n\n" + targets(present)
            + '\nOur own pages by kind of damage (bag-of-words error, mean over the pages):\n\n' + by_damage(own)
            + "\n\nPages where olke's word recall is more than 1 point below plain tesseract's:\n\n" + recall_losses(present)
            + '\n' + '\n'.join(corpus_section(corpus, f'Our own pages, the {corpus} half') for corpus in own))
    text = replace_block(text, HELD_BEGIN, HELD_END, held, after=END)
open(target, 'w').write(text)
