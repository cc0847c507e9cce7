//! mitid-assist, the desktop app: the iced UI and the command line. Domain
//! logic lives in `mitid-core`; this crate routes messages and draws.

pub mod app;
pub mod camera;
pub mod chip_read;
pub mod cli;
pub mod i18n;
pub mod logging;
pub mod screen;
pub mod service;
pub mod theme;
pub mod widget;
