//! Running the stages: every scanned page through load → prepare → ocr → pdf on a pool of
//! workers, each keeping its own Tesseract engine for the whole run. Pages are handed out
//! in document order and come back to the calling thread, so memory holds only the pages
//! in flight, however large the batch.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use rayon::prelude::*;

use super::plan::PlannedDocument;
use super::{Failure, IngestError, IngestOptions, Progress, Reason, StageSeconds};
use crate::load::pdf::PdfPageContent;
use crate::load::{self, Format};
use crate::page::{PreparedPage, RecognizedPage};
use crate::pdf::PdfPage;
use crate::record::{PageSummary, TextLayer};
use crate::{ocr, prepare};

/// What became of one scanned page: its output pages (a spread gives two), or why it
/// could not be used.
pub(super) type PageResult = Result<Vec<PageOutput>, Failure>;

/// Runs every page of `documents` through the stages on `options.jobs` workers and hands
/// each to `accept` on the calling thread as it comes back. Stops at the first error
/// `accept` returns.
pub(super) fn run_pages(
    documents: &[PlannedDocument],
    options: &IngestOptions,
    progress: &dyn Progress,
    mut accept: impl FnMut(PageJob, PageResult, StageSeconds) -> Result<(), IngestError>,
) -> Result<(), IngestError> {
    let jobs = page_jobs(documents);
    let pages_in_file: HashMap<PathBuf, usize> =
        documents.iter().flat_map(|d| &d.sources).map(|s| (s.path.clone(), s.pages)).collect();
    progress.start(jobs.len() as u64);
    let workers = options.jobs.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .thread_name(|i| format!("olke-worker-{i}"))
        .build()
        .expect("a thread pool can be built");
    // Bounded, so workers wait for the collector instead of piling up finished pages.
    let (sender, receiver) = mpsc::sync_channel(workers * 2);
    let stop = AtomicBool::new(false);
    let window = Window::new(workers * 4);
    let memory = MemoryRelease::new();
    let outcome = std::thread::scope(|scope| {
        let (stop, window, memory, pages_in_file) = (&stop, &window, &memory, &pages_in_file);
        scope.spawn(move || {
            pool.install(|| {
                jobs.into_iter().par_bridge().for_each_with(sender, |sender, job| {
                    window.wait_for(job.order);
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let (result, seconds) = process_page(&job, pages_in_file[&job.path], options);
                    memory.page_done();
                    let _ = sender.send((job, result, seconds));
                });
            });
            pool.broadcast(|_| {
                ocr::release();
                prepare::release();
            });
        });
        for (job, result, seconds) in receiver {
            progress.page_done();
            window.received(job.order);
            if let Err(e) = accept(job, result, seconds) {
                stop.store(true, Ordering::Relaxed);
                window.abandon();
                return Err(e);
            }
        }
        Ok(())
    });
    progress.finish();
    outcome
}

/// Every scanned page of the documents, in the order they are filed.
fn page_jobs(documents: &[PlannedDocument]) -> Vec<PageJob> {
    let mut jobs = Vec::new();
    for (d, document) in documents.iter().enumerate() {
        let mut seq = 0;
        for (s, source) in document.sources.iter().enumerate() {
            for index in 0..source.pages {
                jobs.push(PageJob {
                    order: jobs.len(),
                    document: d,
                    seq,
                    source: s,
                    path: source.path.clone(),
                    readable: source.readable().to_path_buf(),
                    format: source.format,
                    index,
                    models: document.models.clone(),
                });
                seq += 1;
            }
        }
    }
    jobs
}

/// One scanned page to process: which document, where in it, where from.
#[derive(Clone, Debug)]
pub(super) struct PageJob {
    /// Position in the whole run, in the order pages are filed.
    pub(super) order: usize,
    pub(super) document: usize,
    /// Position among the document's scanned pages.
    pub(super) seq: usize,
    pub(super) source: usize,
    /// The file, as named in messages.
    pub(super) path: PathBuf,
    /// Where its pages are read from (an encrypted PDF's decrypted copy).
    pub(super) readable: PathBuf,
    pub(super) format: Format,
    pub(super) index: usize,
    pub(super) models: String,
}

/// Keeps workers from running far ahead of the oldest page not yet back: finished pages
/// wait in memory until the pages before them are filed, so a slow page would otherwise
/// let the others pile up behind it.
struct Window {
    size: usize,
    /// Pages back in one run from the start (`low`), and those back beyond it.
    state: std::sync::Mutex<(usize, std::collections::BTreeSet<usize>)>,
    moved: std::sync::Condvar,
    /// Set when the run stops early: nobody waits any more.
    abandoned: std::sync::atomic::AtomicBool,
}

impl Window {
    fn new(size: usize) -> Window {
        Window {
            size,
            state: std::sync::Mutex::new((0, Default::default())),
            moved: std::sync::Condvar::new(),
            abandoned: Default::default(),
        }
    }

    /// Blocks until page `order` is within the window. The oldest page out is always
    /// within it, so the run never stalls.
    fn wait_for(&self, order: usize) {
        let mut state = self.state.lock().expect("window lock");
        while order >= state.0 + self.size && !self.abandoned.load(std::sync::atomic::Ordering::Relaxed) {
            state = self.moved.wait(state).expect("window lock");
        }
    }

    fn received(&self, order: usize) {
        let mut state = self.state.lock().expect("window lock");
        let (low, beyond) = &mut *state;
        beyond.insert(order);
        while beyond.remove(low) {
            *low += 1;
        }
        self.moved.notify_all();
    }

    fn abandon(&self) {
        let _state = self.state.lock().expect("window lock");
        self.abandoned.store(true, std::sync::atomic::Ordering::Relaxed);
        self.moved.notify_all();
    }
}

/// How a page gets into the archived PDF.
pub(super) enum ArchivedPage {
    /// Made by olke: the page image and the text layer laid over it.
    Made(PdfPage),
    /// The source PDF's page, copied as it is (its `PageSummary` names it).
    Kept,
}

/// A recognized output page (a spread gives two).
pub(super) struct PageOutput {
    pub(super) pdf: ArchivedPage,
    pub(super) recognized: RecognizedPage,
    pub(super) summary: PageSummary,
}

/// Runs one scanned page through load → prepare → ocr → pdf, timing each stage.
fn process_page(
    job: &PageJob,
    pages_in_file: usize,
    options: &IngestOptions,
) -> (Result<Vec<PageOutput>, Failure>, StageSeconds) {
    let mut seconds = StageSeconds::default();
    let result = run_stages(job, pages_in_file, options, &mut seconds);
    tracing::debug!(file = %job.path.display(), page = job.index + 1, ?seconds, "page done");
    (result, seconds)
}

fn run_stages(
    job: &PageJob,
    pages_in_file: usize,
    options: &IngestOptions,
    seconds: &mut StageSeconds,
) -> Result<Vec<PageOutput>, Failure> {
    let fail =
        |reason: Reason| Failure { path: job.path.clone(), page: (pages_in_file > 1).then_some(job.index + 1), reason };
    let timer = Instant::now();
    let (source, text_layer) = match job.format {
        Format::Pdf => match load::pdf::read_page(&job.readable, job.index, options.pdf_ocr, &options.load)
            .map_err(|e| fail(e.into()))?
        {
            PdfPageContent::Text(recognized) => {
                seconds.load += timer.elapsed().as_secs_f64();
                let summary = PageSummary::of(&recognized, job.source, job.index, Default::default(), TextLayer::Kept);
                return Ok(vec![PageOutput { pdf: ArchivedPage::Kept, recognized, summary }]);
            }
            PdfPageContent::Scan(source, text_layer) => (source, text_layer),
        },
        _ => (
            load::decode_page(&job.readable, job.format, job.index, &options.load).map_err(|e| fail(e.into()))?,
            TextLayer::Ocr,
        ),
    };
    seconds.load += timer.elapsed().as_secs_f64();
    let timer = Instant::now();
    let pages = prepare::prepare(source, &options.prepare);
    seconds.prepare += timer.elapsed().as_secs_f64();
    pages
        .into_iter()
        .map(|page| {
            let (page, recognized) =
                recognize_prepared(page, &job.models, &options.prepare, seconds).map_err(|e| fail(e.into()))?;
            let timer = Instant::now();
            let summary = PageSummary::of(&recognized, job.source, job.index, page.preparation.clone(), text_layer);
            let pdf = ArchivedPage::Made(PdfPage::new(&page.archive, &recognized, options.jpeg_quality));
            seconds.pdf += timer.elapsed().as_secs_f64();
            Ok(PageOutput { pdf, recognized, summary })
        })
        .collect()
}

/// Recognizes a prepared page as ingest does: read, turned upright when the reading says
/// it may be on its side or upside down, and checked against the scan for lines missed
/// (as `options` allow). `olke zones` reads its pages with it too, so its zones are drawn
/// on the page ingest archives.
pub(crate) fn recognize_prepared(
    page: PreparedPage,
    models: &str,
    options: &prepare::PrepareOptions,
    seconds: &mut StageSeconds,
) -> Result<(PreparedPage, RecognizedPage), ocr::OcrError> {
    let timer = Instant::now();
    let mut recognized = ocr::recognize(&page, models)?;
    seconds.ocr += timer.elapsed().as_secs_f64();
    // A poor first reading may be an upside-down page, and one that ran down the page a
    // page on its side: only then is orientation worth its cost. A page preparation
    // turned wrongly (a picture's hatching looks like lines) reads poorly or sideways
    // too, and turning it back is among the turns then tried.
    let mut page = page;
    let sideways = recognized.reads_sideways();
    let doubtful = recognized.mean_conf < prepare::DOUBTFUL_CONFIDENCE || sideways;
    if options.orient && doubtful {
        let timer = Instant::now();
        let turns = prepare::upright_turns(&page, sideways);
        seconds.prepare += timer.elapsed().as_secs_f64();
        let mut best = None::<(PreparedPage, RecognizedPage)>;
        for turn in turns {
            let turned = prepare::turned(&page, turn);
            let timer = Instant::now();
            let again = ocr::recognize(&turned, models)?;
            seconds.ocr += timer.elapsed().as_secs_f64();
            // A turn is taken for a reading that is not doubtful and at least doubles
            // the text read upright: two poor readings (a picture's hatching read as
            // letters) differ by chance.
            let to_beat = best.as_ref().map_or(2.0 * recognized.upright_text(), |(_, r)| r.upright_text());
            if again.mean_conf >= prepare::DOUBTFUL_CONFIDENCE && again.upright_text() > to_beat {
                best = Some((turned, again));
            }
        }
        if let Some(better) = best {
            (page, recognized) = better;
        }
    }
    if options.guard {
        let timer = Instant::now();
        prepare::guard::guard(&mut page, &mut recognized, models)?;
        seconds.guard += timer.elapsed().as_secs_f64();
    }
    Ok((page, recognized))
}

/// How far resident memory may grow past what it was after the last release before
/// workers hand freed memory back to the system.
const RESIDENT_GROWTH: u64 = 200 << 20;

/// Hands memory that finished pages freed back to the system, once resident memory has
/// grown [`RESIDENT_GROWTH`] past what it was after the last release. glibc keeps freed
/// memory in each thread's arena, where a page's images (tens of megabytes each) left
/// resident memory creeping up through a batch (sampled on 200 pages with one worker: about
/// 430 MB where the live heap was under 190 MB). Releasing after every page held it at
/// about 185 MB but cost 3–5 % more CPU on corpus/dev, as the next pages faulted the same
/// memory back in; releasing on growth bounds resident memory by the pages in flight plus
/// the allowance, with half the page faults.
struct MemoryRelease {
    /// Resident bytes right after the last release; 0 before the first.
    after_last: std::sync::atomic::AtomicU64,
}

impl MemoryRelease {
    fn new() -> MemoryRelease {
        MemoryRelease { after_last: Default::default() }
    }

    /// Called by a worker after each page.
    fn page_done(&self) {
        use std::sync::atomic::Ordering::Relaxed;
        // Where resident memory cannot be read, release every time: the bound matters more.
        let grown = resident_bytes().is_none_or(|now| now >= self.after_last.load(Relaxed) + RESIDENT_GROWTH);
        if grown {
            release_freed_memory();
            self.after_last.store(resident_bytes().unwrap_or(0), Relaxed);
        }
    }
}

/// This process's resident memory, from /proc/self/statm.
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let page_size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    Some(pages * u64::try_from(page_size).ok()?)
}

fn release_freed_memory() {
    #[cfg(target_env = "gnu")]
    // SAFETY: malloc_trim only returns free memory to the system; nothing is freed or moved.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn resident_memory_includes_a_block_being_held() {
        let block = std::hint::black_box(vec![1u8; 32 << 20]);
        let resident = resident_bytes().expect("resident memory is readable on Linux");
        assert!(resident >= block.len() as u64, "{resident} bytes resident while holding {}", block.len());
        assert!(resident < 1 << 40, "{resident} bytes resident is not plausible");
    }
}
