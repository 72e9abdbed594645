//! What a supervisor's review needs that is pure logic over intakes, with no storage or web:
//!
//! * [`packet`]: the certificate application packet for an eligible case, as data and as HTML.
//! * [`duplicates`]: normalised person keys and the scoring that finds the same person twice.
//! * [`history`]: every change of a case with the author the server recorded for it.

pub mod duplicates;
pub mod history;
pub mod packet;
