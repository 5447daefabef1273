//! The status vocabulary of mandates, goals, milestones and reports: a stable key,
//! a label in each language, a colour and a symbol, so colour is never the only
//! carrier of meaning.

use serde::Serialize;

use crate::lang::Lang;

/// A status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Proposed, not yet decided (`proposed`).
    Proposed,
    /// Decided on and adopted (`adopted`).
    Adopted,
    /// Under way (`in-progress`).
    InProgress,
    /// Under way, but at risk (`at-risk`).
    AtRisk,
    /// Behind schedule (`delayed`).
    Delayed,
    /// Finished (`done`).
    Done,
    /// Stopped or closed (`stopped`).
    Stopped,
}

impl Status {
    /// Every status, in the same order as `KEYS`.
    pub const ALL: [Status; 7] = [
        Status::Proposed,
        Status::Adopted,
        Status::InProgress,
        Status::AtRisk,
        Status::Delayed,
        Status::Done,
        Status::Stopped,
    ];
    /// The keys written in front matter, in the order of the variants.
    pub const KEYS: [&'static str; 7] = ["proposed", "adopted", "in-progress", "at-risk", "delayed", "done", "stopped"];

    /// The key written in front matter (`in-progress`).
    pub fn key(self) -> &'static str {
        Status::KEYS[self as usize]
    }

    /// Reads a key as written in front matter; `None` when it is not a status.
    pub fn parse(key: &str) -> Option<Status> {
        Status::KEYS.iter().position(|k| *k == key.trim()).map(|i| Status::ALL[i])
    }

    /// What readers see.
    ///
    /// ```
    /// use innsyn::content::status::Status;
    /// use innsyn::lang::Lang;
    /// assert_eq!(Status::Proposed.label(Lang::Nb), "Foreslått");
    /// assert_eq!(Status::InProgress.label(Lang::Nn), "Pågår");
    /// ```
    pub fn label(self, lang: Lang) -> &'static str {
        let (nb, nn, en) = match self {
            Status::Proposed => ("Foreslått", "Føreslått", "Proposed"),
            Status::Adopted => ("Vedtatt", "Vedteken", "Adopted"),
            Status::InProgress => ("Pågår", "Pågår", "In progress"),
            Status::AtRisk => ("Risiko", "Risiko", "At risk"),
            Status::Delayed => ("Forsinket", "Forseinka", "Delayed"),
            Status::Done => ("Fullført", "Fullført", "Done"),
            Status::Stopped => ("Avsluttet", "Avslutta", "Stopped"),
        };
        match lang {
            Lang::Nb | Lang::Se => nb,
            Lang::Nn => nn,
            Lang::En => en,
        }
    }

    /// A symbol that carries the meaning without colour.
    pub fn symbol(self) -> &'static str {
        match self {
            Status::Proposed => "○",
            Status::Adopted => "●",
            Status::InProgress => "◐",
            Status::AtRisk => "▲",
            Status::Delayed => "◆",
            Status::Done => "✓",
            Status::Stopped => "■",
        }
    }

    /// Fill colour for drawings; dark enough for white text (4.5:1).
    pub fn colour(self) -> (u8, u8, u8) {
        match self {
            Status::Proposed => (0x51, 0x5E, 0x6E),
            Status::Adopted => (0x00, 0x62, 0xBA),
            Status::InProgress => (0x00, 0x5B, 0x8A),
            Status::AtRisk => (0x9A, 0x4A, 0x00),
            Status::Delayed => (0xB0, 0x1A, 0x1A),
            Status::Done => (0x06, 0x6E, 0x14),
            Status::Stopped => (0x1E, 0x2B, 0x3C),
        }
    }

    /// The pattern drawn on the status's fill in charts (0 solid, 1 diagonal,
    /// 2 dots, 3 cross, 4 horizontal, 5 back-diagonal), so the same status has the
    /// same colour, pattern and symbol in every chart of a site.
    pub fn pattern(self) -> u8 {
        match self {
            Status::Proposed => 2,
            Status::Adopted => 0,
            Status::InProgress => 1,
            Status::AtRisk => 3,
            Status::Delayed => 5,
            Status::Done => 4,
            Status::Stopped => 3,
        }
    }

    /// The view templates get: `{ key, label, symbol }`.
    pub fn view(self, lang: Lang) -> StatusView {
        StatusView { key: self.key(), label: self.label(lang), symbol: self.symbol() }
    }
}

/// A status as templates see it.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct StatusView {
    /// The key written in front matter, e.g. `in-progress`.
    pub key: &'static str,
    /// What readers see, in the page's language.
    pub label: &'static str,
    /// A symbol that carries the meaning without colour.
    pub symbol: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_round_trips() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.key()), Some(s));
        }
        assert_eq!(Status::parse("in progress"), None);
    }
}
