//! Test support, compiled only for tests and with the `testkit` feature (never in the
//! release binary): pages of known text, the fuzz targets' entry points, and the stemmer's evaluation
//! against a treebank.

pub mod fixtures;
pub mod fuzzing;
pub mod kazakh_roots;
pub mod stem_eval;
