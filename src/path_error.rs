//! The one I/O error olke reports about a file: what went wrong, and where.

use std::io;
use std::path::{Path, PathBuf};

/// An I/O error with the path it happened at.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct PathError {
    pub path: PathBuf,
    pub source: io::Error,
}

/// For `map_err`: the error at `path`.
pub(crate) fn at(path: &Path) -> impl FnOnce(io::Error) -> PathError + '_ {
    move |source| PathError { path: path.to_path_buf(), source }
}
