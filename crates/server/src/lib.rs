//! `mitid-assist-server`: the shared service of a site's desks — one caller
//! directory, one P-code store, one audit log — over HTTPS on PostgreSQL.
//! The desks reach it through `mitid_remote::RemoteDesk`, behind the same
//! `DeskService` as the embedded SQLite desk.

#![warn(missing_docs)]

pub mod chain;
pub mod class;
pub mod config;
pub mod db;
pub mod error;
pub mod http;
pub mod identity;
pub mod import;
pub mod mitid_side;
pub mod records;
pub mod search;
pub mod serve;
pub mod trust;
