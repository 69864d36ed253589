//! olke turns a library's scanner output into a searchable local-history archive.
//!
//! The ingest pipeline is a chain of plain stages, one module each:
//!
//! ```text
//! load ──► prepare ──► ocr ──► pdf ──► archive, catalog, index
//! SourcePage  PreparedPage  RecognizedPage  (searchable PDF + record)
//! ```
//!
//! The modules, from the bottom layer up:
//! - the data model: [`page`], [`language`], [`config`], [`record`];
//! - the stages: [`load`], [`prepare`], [`ocr`], [`pdf`], driven over a batch by [`ingest`];
//! - the archive on disk ([`archive`]: the files are the source of truth) and the stores
//!   derived from it, [`catalog`] and [`index`]; [`integrity`] verifies and backs it up;
//! - what is made of it: [`deliver`], [`publish`], [`report`], [`export`], [`web`];
//! - the `olke` binary is a thin layer in [`cli`].

#![warn(unreachable_pub)]

pub mod archive;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod correct;
pub(crate) mod deliver;
pub mod export;
pub mod index;
pub(crate) mod ingest;
pub mod integrity;
pub mod language;
pub mod load;
pub mod ocr;
pub mod page;
pub mod path_error;
pub mod pdf;
pub(crate) mod prepare;
pub(crate) mod publish;
pub mod record;
pub(crate) mod report;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
pub mod web;
pub mod zones;
