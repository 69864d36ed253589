//! Test support, compiled only for tests and with the `testkit` feature (never in the
//! release binary): pages of known text, the fuzz targets' entry points, the stemmer's
//! evaluation against a treebank, and synthetic newspaper pages to measure zoning on.

pub mod fixtures;
pub mod fuzzing;
pub mod kazakh_roots;
pub mod newspaper;
pub mod stem_eval;
pub mod zones_eval;
