//! The archive on disk. Files are the source of truth:
//!
//! ```text
//! archive/
//!   olke.toml                      library name and address, defaults
//!   documents/<id>/<id>.pdf        the searchable PDF
//!   documents/<id>/record.json     the document's record (what the catalogue caches)
//!   documents/<id>/pages/NNNN.json each page's words, boxes and confidences
//!   requests/NNNN.json             the request register: one file per delivery request
//!   catalog/                       sled: fast lookups, rebuildable from documents/ and requests/
//!   deliveries/                    copies made on the staff web pages (`olke serve`)
//!   cache/                         page images scaled down for the web, made again when missing
//!   .lock                          held by the one process that writes
//! ```
//!
//! Every file is written to a temporary name, synced and renamed into place, so a crash
//! never leaves a half-written file under its final name. A document's files change
//! together through [`crate::archive::staging`]: staged beside it, committed by its `record.json`.

pub(crate) mod files;
pub(crate) mod staging;
pub(crate) mod store;

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

/// The archive root and the places inside it.
#[derive(Clone, Debug)]
pub struct Archive {
    root: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("archive is in use by process {pid}; wait for it to finish (lock file {path})")]
    InUse { pid: String, path: PathBuf },
    #[error(transparent)]
    Io(#[from] crate::path_error::PathError),
}

pub(crate) fn io_at(path: &Path) -> impl FnOnce(io::Error) -> ArchiveError + '_ {
    move |source| ArchiveError::Io(crate::path_error::PathError { path: path.to_path_buf(), source })
}

impl Archive {
    pub fn new(root: impl Into<PathBuf>) -> Archive {
        Archive { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// True when the folder holds an archive (it has documents or a catalogue).
    pub fn exists(&self) -> bool {
        self.documents_dir().is_dir() || self.catalog_dir().is_dir()
    }

    /// Creates the folders of an empty archive.
    pub fn create_layout(&self) -> Result<(), ArchiveError> {
        let documents = self.documents_dir();
        fs::create_dir_all(&documents).map_err(io_at(&documents))
    }

    pub fn documents_dir(&self) -> PathBuf {
        self.root.join("documents")
    }

    pub fn catalog_dir(&self) -> PathBuf {
        self.root.join("catalog")
    }

    pub fn index_dir(&self) -> PathBuf {
        self.root.join("index")
    }

    pub fn requests_dir(&self) -> PathBuf {
        self.root.join("requests")
    }

    pub fn request_path(&self, number: u32) -> PathBuf {
        self.requests_dir().join(format!("{number:04}.json"))
    }

    /// What can be made again from the rest (page images scaled down for the web).
    pub fn cache_dir(&self) -> PathBuf {
        self.root.join("cache")
    }

    /// Copies made on the staff web pages, for staff to download and send.
    pub fn deliveries_dir(&self) -> PathBuf {
        self.root.join("deliveries")
    }

    pub fn config_path(&self) -> PathBuf {
        self.root.join("olke.toml")
    }

    pub fn document_dir(&self, id: &str) -> PathBuf {
        self.documents_dir().join(id)
    }

    /// PDF path relative to the root, as records store it.
    pub fn pdf_relative(id: &str) -> String {
        format!("documents/{id}/{id}.pdf")
    }

    pub fn pdf_path(&self, id: &str) -> PathBuf {
        self.root.join(Self::pdf_relative(id))
    }

    pub fn record_path(&self, id: &str) -> PathBuf {
        self.document_dir(id).join("record.json")
    }

    pub fn pages_dir(&self, id: &str) -> PathBuf {
        self.document_dir(id).join("pages")
    }

    pub fn page_path(&self, id: &str, number: u32) -> PathBuf {
        self.pages_dir(id).join(page_file_name(number))
    }

    /// Where a new version of a document's files waits until its record commits it.
    pub fn staging_dir(&self, id: &str) -> PathBuf {
        self.document_dir(id).join(".staging")
    }

    /// Names of the folders under `documents/`, whether or not they hold a complete
    /// document (names that are not UTF-8 are left out: olke never makes them).
    pub fn document_folders(&self) -> Result<Vec<String>, ArchiveError> {
        let dir = self.documents_dir();
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_at(&dir)(e)),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(io_at(&dir))?;
            if entry.file_type().map_err(io_at(&dir))?.is_dir() {
                if let Some(name) = entry.file_name().to_str() {
                    names.push(name.to_string());
                }
            }
        }
        names.sort_by(|a, b| natord::compare(a, b));
        Ok(names)
    }

    /// Ids of the documents on disk that have a record (complete documents).
    pub fn document_ids(&self) -> Result<Vec<String>, ArchiveError> {
        Ok(self.document_folders()?.into_iter().filter(|id| self.record_path(id).is_file()).collect())
    }

    /// Takes the archive's single-writer lock, failing at once if another process holds it.
    ///
    /// The lock file holds the writer's process id while it works and is emptied by
    /// [`WriterLock::release`] when it is done: a process id found there by the next
    /// writer means the last one was killed or failed halfway, and its work has to be
    /// finished or undone ([`WriterLock::previous_writer_unfinished`]).
    pub fn lock(&self) -> Result<WriterLock, ArchiveError> {
        fs::create_dir_all(&self.root).map_err(io_at(&self.root))?;
        let path = self.root.join(".lock");
        let mut file =
            OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(io_at(&path))?;
        // SAFETY: flock on a file descriptor we own; the lock is released when it closes.
        let locked = unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&file), libc::LOCK_EX | libc::LOCK_NB) } == 0;
        let mut previous = String::new();
        let _ = file.read_to_string(&mut previous);
        if !locked {
            let pid = if previous.trim().is_empty() { "unknown".to_string() } else { previous.trim().to_string() };
            return Err(ArchiveError::InUse { pid, path });
        }
        file.set_len(0).map_err(io_at(&path))?;
        file.rewind().map_err(io_at(&path))?;
        write!(file, "{}", std::process::id()).map_err(io_at(&path))?;
        file.sync_all().map_err(io_at(&path))?;
        Ok(WriterLock { file, path, previous_unfinished: !previous.trim().is_empty() })
    }
}

/// `NNNN.json`: the file of page `number` in a document's `pages/` folder.
pub fn page_file_name(number: u32) -> String {
    format!("{number:04}.json")
}

/// The page number of a `pages/` file name, if it is one.
pub fn page_number(file_name: &str) -> Option<u32> {
    let digits = file_name.strip_suffix(".json")?;
    (digits.len() >= 4 && digits.bytes().all(|b| b.is_ascii_digit())).then(|| digits.parse().ok()).flatten()
}

/// Held while a process writes to the archive; dropping it releases the lock.
pub struct WriterLock {
    file: File,
    path: PathBuf,
    previous_unfinished: bool,
}

impl WriterLock {
    /// True when the writer before this one did not finish (killed, or stopped by an
    /// error): its half-done work may still be in the archive.
    pub fn previous_writer_unfinished(&self) -> bool {
        self.previous_unfinished
    }

    /// Marks the archive as left in order and releases the lock. A writer that stops
    /// without calling this (an error, a kill) makes the next one check the archive.
    pub fn release(self) -> Result<(), ArchiveError> {
        self.file.set_len(0).map_err(io_at(&self.path))?;
        self.file.sync_all().map_err(io_at(&self.path))
    }
}

/// True for the temporary name [`AtomicFile`] writes under (`.NAME.tmp-PID-SERIAL`), and
/// for the `.NAME.tmp-PID` of releases before the serial.
pub fn is_temporary_file(name: &str) -> bool {
    let number = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    name.starts_with('.')
        && name.rsplit_once(".tmp-").is_some_and(|(_, suffix)| match suffix.split_once('-') {
            Some((pid, serial)) => number(pid) && number(serial),
            None => number(suffix),
        })
}

/// A file written under a temporary name and moved into place by [`AtomicFile::commit`].
/// Dropped without committing, it leaves nothing behind.
///
/// Only a regular file (or a new name) is replaced by renaming. A target that is something
/// else — `/dev/null`, `/dev/stdout`, a FIFO — or `-` (standard output) is written into, never
/// renamed over, once the whole content is ready: renaming over `/dev/null` would replace
/// the machine's `/dev/null` with a regular file.
pub struct AtomicFile {
    file: Option<File>,
    /// The temporary file's name beside the target; none for a target written into, whose
    /// content waits in an unnamed temporary file.
    temp: Option<PathBuf>,
    target: PathBuf,
}

/// The folder a file is in; `.` for a bare file name (whose parent is the empty path).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// True for `-` and for what exists and is neither a regular file nor a folder.
fn is_written_into(target: &Path) -> bool {
    target == Path::new("-") || fs::metadata(target).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

impl AtomicFile {
    pub fn create(target: &Path) -> io::Result<AtomicFile> {
        if is_written_into(target) {
            let file = tempfile::tempfile()?;
            return Ok(AtomicFile { file: Some(file), temp: None, target: target.to_path_buf() });
        }
        // Unique per process and per file, so threads writing the same target never share
        // a temporary file.
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let dir = folder_of(target);
        fs::create_dir_all(dir)?;
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let serial = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let temp = dir.join(format!(".{name}.tmp-{}-{serial}", std::process::id()));
        let file = File::create(&temp)?;
        Ok(AtomicFile { file: Some(file), temp: Some(temp), target: target.to_path_buf() })
    }

    pub fn file(&mut self) -> &mut File {
        self.file.as_mut().expect("present until commit")
    }

    /// Syncs the data, renames the file into place and syncs the folder (or, for a target
    /// that is not a regular file, writes the content into it).
    pub fn commit(mut self) -> io::Result<()> {
        let file = self.file.take().expect("present until commit");
        let Some(temp) = &self.temp else { return write_into(file, &self.target) };
        file.sync_all()?;
        drop(file);
        fs::rename(temp, &self.target)?;
        sync_dir(folder_of(&self.target))
    }

    /// Like [`AtomicFile::commit`], but only when no file has the name yet: returns false
    /// (and leaves nothing behind) when one has. A hard link is made atomically or not at
    /// all, so of two writers claiming one name exactly one succeeds.
    pub fn commit_new(mut self) -> io::Result<bool> {
        let file = self.file.take().expect("present until commit");
        let Some(temp) = &self.temp else { return write_into(file, &self.target).map(|()| true) };
        file.sync_all()?;
        drop(file);
        let linked = fs::hard_link(temp, &self.target);
        fs::remove_file(temp)?;
        match linked {
            Ok(()) => File::open(folder_of(&self.target))?.sync_all().map(|()| true),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// Copies the finished content into `target` (standard output for `-`).
fn write_into(mut content: File, target: &Path) -> io::Result<()> {
    content.seek(io::SeekFrom::Start(0))?;
    if target == Path::new("-") {
        let mut out = io::stdout().lock();
        io::copy(&mut content, &mut out)?;
        return out.flush();
    }
    let mut out = fs::OpenOptions::new().write(true).open(target)?;
    io::copy(&mut content, &mut out)?;
    out.flush()
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file().write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file().flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if let (Some(_), Some(temp)) = (self.file.take(), &self.temp) {
            let _ = fs::remove_file(temp);
        }
    }
}

/// Makes the entries of a folder (files created, renamed or removed in it) durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// SHA-256 (hex) and size of a file, read in large blocks.
pub fn sha256_file(path: &Path) -> io::Result<(String, u64)> {
    use sha2::{Digest, Sha256};
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        total += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), total))
}

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes)?;
    file.commit()
}

/// The characters of the ids olke has ever given (letters and digits of any script, `-`,
/// `_`, `.`): what [`is_document_id`] accepts, so ids already archived stay readable.
fn is_id_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// The characters [`sanitize_id`] keeps: those of [`is_id_char`] that XML names take too, as
/// METS and ALTO build their IDs from document ids. Letters below U+00C0 (`ª`, `º`) and
/// digits outside ASCII (`²`, `①`) are not name characters there.
fn is_new_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') || (c >= '\u{C0}' && c.is_alphabetic())
}

/// The longest id, in bytes. A file name may have 255; the names olke derives from an id
/// add at most about 40 (`.<id>.pdf.tmp-<pid>-<serial>`, `.partial-<id>-<key>-<pid>`).
pub const MAX_ID_BYTES: usize = 200;

/// Whether `id` is a name olke could have given a document (what [`sanitize_id`] makes):
/// no separators, no dot first, so it is safe as a folder name. Ids from outside (a web
/// address) are checked with this before they reach the file system.
pub fn is_document_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_ID_BYTES && !id.starts_with('.') && id.chars().all(is_id_char)
}

/// Makes a string safe as a document id and folder name: ASCII letters and digits, letters
/// from U+00C0 on (Kazakh and Russian as they are), `-`, `_` and `.` are kept; anything
/// else becomes `_`. Never empty, never `.`/`..`, never longer than [`MAX_ID_BYTES`].
pub fn sanitize_id(raw: &str) -> String {
    let id: String = raw.trim().chars().map(|c| if is_new_id_char(c) { c } else { '_' }).collect();
    match id.trim_start_matches('.') {
        "" => "document".to_string(),
        id => shortened(id),
    }
}

/// `id` cut to [`MAX_ID_BYTES`] at a character boundary when longer, ending in a hash of
/// the whole of it, so two long names that begin alike still make two ids.
fn shortened(id: &str) -> String {
    use sha2::{Digest, Sha256};
    if id.len() <= MAX_ID_BYTES {
        return id.to_string();
    }
    let hash = &hex::encode(Sha256::digest(id.as_bytes()))[..8];
    let mut end = MAX_ID_BYTES - hash.len() - 1;
    while !id.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}-{hash}", &id[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_keep_kazakh_letters_and_drop_path_tricks() {
        assert_eq!(sanitize_id("Қала тарихы 1"), "Қала_тарихы_1");
        assert_eq!(sanitize_id("../etc/passwd"), "_etc_passwd");
        assert_eq!(sanitize_id(".."), "document");
        for raw in ["Қала тарихы 1", "../etc/passwd", "..", "a/b\\c", " пульс-2019.28 "] {
            assert!(is_document_id(&sanitize_id(raw)), "{raw}");
        }
        for outside in ["", ".hidden", "../x", "a/b", "a\\b", "a b", "a\0b"] {
            assert!(!is_document_id(outside), "{outside:?}");
        }
    }

    #[test]
    fn ids_keep_only_characters_xml_names_take() {
        assert_eq!(sanitize_id("issueª2"), "issue_2");
        assert_eq!(sanitize_id("artª²"), "art__");
        assert_eq!(sanitize_id("Өлке-Ёж_Ä.1"), "Өлке-Ёж_Ä.1");
        // Ids archived before keep being read.
        assert!(is_document_id("issueª2"));
    }

    #[test]
    fn long_names_make_ids_that_fit_and_stay_apart() {
        let name = "Қарағанды-облысы-".repeat(7) + "тарих";
        let id = sanitize_id(&name);
        assert!(id.len() <= MAX_ID_BYTES && is_document_id(&id), "{} bytes: {id}", id.len());
        assert!(name.starts_with(id.rsplit_once('-').unwrap().0), "{id}");
        let other = sanitize_id(&("Қарағанды-облысы-".repeat(7) + "әдебиеті"));
        assert_ne!(id, other);
        assert_eq!(sanitize_id(&name), id, "the same name makes the same id");
        assert_eq!(sanitize_id(&"a".repeat(MAX_ID_BYTES)), "a".repeat(MAX_ID_BYTES));
    }

    #[test]
    fn atomic_file_appears_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.pdf");
        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(b"partial").unwrap();
        assert!(!target.exists());
        drop(f);
        assert!(!target.exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "temporary file removed");
        write_atomic(&target, b"whole").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"whole");
    }

    #[test]
    fn commit_new_never_replaces_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("0001.json");
        let mut first = AtomicFile::create(&target).unwrap();
        first.write_all(b"first").unwrap();
        let mut second = AtomicFile::create(&target).unwrap();
        second.write_all(b"second").unwrap();
        assert!(first.commit_new().unwrap());
        assert!(!second.commit_new().unwrap(), "the name is taken");
        assert_eq!(fs::read(&target).unwrap(), b"first");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
    }

    #[test]
    fn a_bare_file_name_is_in_the_current_folder() {
        assert_eq!(folder_of(Path::new("catalogue.xml")), Path::new("."));
        assert_eq!(folder_of(Path::new("out/catalogue.xml")), Path::new("out"));
    }

    #[test]
    fn second_writer_is_refused_with_the_holder_pid() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::new(dir.path());
        let _held = archive.lock().unwrap();
        // flock locks belong to the open file description, so a second open in the same
        // process conflicts just as another process would.
        match archive.lock() {
            Err(ArchiveError::InUse { pid, .. }) => assert_eq!(pid, std::process::id().to_string()),
            Err(e) => panic!("unexpected error {e}"),
            Ok(_) => panic!("second lock taken"),
        }
    }

    #[test]
    fn a_writer_that_does_not_release_leaves_the_next_one_warned() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::new(dir.path());
        let first = archive.lock().unwrap();
        assert!(!first.previous_writer_unfinished(), "a new archive");
        first.release().unwrap();
        drop(archive.lock().unwrap()); // a writer stopped halfway
        let lock = archive.lock().unwrap();
        assert!(lock.previous_writer_unfinished());
        lock.release().unwrap();
        assert!(!archive.lock().unwrap().previous_writer_unfinished());
    }

    #[test]
    fn temporary_and_page_file_names() {
        assert!(is_temporary_file(".record.json.tmp-4242"));
        assert!(is_temporary_file(".a.pdf.tmp-7"));
        assert!(is_temporary_file(".record.json.tmp-9853-8"));
        assert!(!is_temporary_file(".record.json.tmp-9853-"));
        assert!(!is_temporary_file(".record.json.tmp-98-5-3"));
        assert!(!is_temporary_file("record.json"));
        assert!(!is_temporary_file(".staging"));
        assert!(!is_temporary_file(".x.tmp-"));
        assert_eq!(page_number(&page_file_name(7)), Some(7));
        assert_eq!(page_number("12345.json"), Some(12345));
        assert_eq!(page_number("7.json"), None);
        assert_eq!(page_number(".0001.json.tmp-3"), None);
    }
}
