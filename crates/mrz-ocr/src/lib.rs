//! Reading a machine-readable zone from a picture (issue 15).
//!
//! The pieces, each its own module and tested on its own:
//!
//! * [`cells`]: a rectified MRZ line (text level, roughly cropped) cut into
//!   its 30, 36 or 44 cells — OCR-B is set at a fixed pitch, so the cut is
//!   the pitch and offset whose cell boundaries cross the least ink — and
//!   each cell turned into features that keep both its shape and where its
//!   ink sits in the line (`<` is low and small; digits stand taller than
//!   letters).
//! * [`model`]: a small neural network (one hidden layer) giving each of
//!   the 37 symbols a probability, trained by `examples/train.rs` on
//!   [`synth`]'s renders of Debian's OCR-B; its file format's parser takes
//!   any bytes without panicking.
//! * [`decide`]: the reading offered only when every check holds — field
//!   types, check digits with guided correction from the next-best
//!   candidates — and never offered as sure when it might be wrong.
//!
//! Personal data: a picture and its reading live only as long as the
//! caller keeps them; nothing here logs or stores.

pub mod alphabet;
pub mod cells;
pub mod decide;
pub mod find;
pub mod geometry;
pub mod model;
pub mod page;
pub mod read;
pub mod synth;
pub mod vote;

pub use decide::Reading;
pub use find::{Found, Guidance, find};
pub use read::{Cells, ReadError, Seen, read_cells, read_frame, read_lines};
pub use vote::{Progress, Tracker};
