//! olke turns a library's scanner output into a searchable local-history archive.
//!
//! The ingest pipeline is a chain of plain stages, one module each:
//!
//! ```text
//! load ──► prepare ──► ocr ──► pdf ──► catalog
//! SourcePage  PreparedPage  RecognizedPage  (searchable PDF + record)
//! ```
//!
//! [`pipeline`] drives the stages over a batch; everything downstream reads the
//! [`archive`] that they write. The `olke` binary is a thin layer in [`cli`].

pub mod archive;
pub mod backup;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod deliver;
pub mod fixtures;
pub mod index;
pub mod fuzzing;
pub mod language;
pub mod load;
pub mod ocr;
pub mod page;
pub mod pdf;
pub mod pipeline;
pub mod prepare;
pub mod publish;
pub mod record;
pub mod report;
pub mod staging;
pub mod store;
pub mod verify;
pub mod web;
