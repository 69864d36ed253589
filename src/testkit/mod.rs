//! Test support, compiled only for tests and with the `testkit` feature (never in the
//! release binary): pages of known text and the fuzz targets' entry points.

pub mod fixtures;
pub mod fuzzing;
