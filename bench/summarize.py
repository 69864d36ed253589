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


def corpus_pages(corpus):
    shared = os.environ.get('SHARED', os.path.join(os.path.dirname(os.path.abspath(target)), '..', 'shared'))
    return len(load(os.path.join(shared, 'corpus', corpus, 'manifest.json')))


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


sections = []
speed = {}
for corpus in ['dev', 'dev2', 'komi-1939']:
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
        continue
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
    sections.append(
        f'### corpus/{corpus} ({pages} pages)\n\n'
        + table(rows, ['run', 'wall s', 'pages/min', 'CPU s/page', 'peak RSS MB', 'PDF KiB/page', 'CER', 'BoW error', 'word recall'])
        + '\n\nSpeed of olke as a ratio (pages per minute, round 1):\n\n'
        + table(ratio_rows, ['run', 'vs plain tesseract', 'vs OCRmyPDF 17', 'vs OCRmyPDF 17 --deskew --clean --rotate-pages', "vs Debian's OCRmyPDF"])
        + rounds
        + '\n\nBag-of-words error by damage level:\n\n'
        + table(quality, ['run'] + levels) + '\n' + share
    )

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
body = BEGIN + '\n## OCR: olke, plain tesseract and OCRmyPDF on the same pages\n\n' + header + '\n'.join(sections) + END

text = open(target).read() if os.path.exists(target) else '# Benchmarks\n\n'
if BEGIN in text:
    text = re.sub(re.escape(BEGIN) + '.*?' + re.escape(END), lambda _: body, text, flags=re.S)
else:
    text = text.rstrip() + '\n\n' + body + '\n'
open(target, 'w').write(text)
