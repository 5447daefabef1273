//! innsyn: a static-site generator for public-sector transparency.
//!
//! The build runs one way: [`pipeline::build`] scans the site, parses content
//! ([`content`], [`shortcodes`], [`markdown`]), assembles it ([`site`]), renders it
//! ([`render`]) and writes it ([`output`]).

pub mod archive;
pub mod charts;
pub mod cli;
pub mod config;
pub mod content;
pub mod data;
pub mod dates;
pub mod dcat;
pub mod error;
pub mod external;
pub mod file;
pub mod fsx;
pub mod html;
pub mod http;
pub mod images;
pub mod import;
pub mod init;
pub mod lang;
pub mod lint;
pub mod markdown;
pub mod mime;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod scan;
pub mod search;
pub mod serve;
pub mod site;
pub mod theme;
pub mod unicode;
pub mod warc;
