//! The site's languages (bokmål, nynorsk, English, Northern Sámi) and the few
//! words the engine itself writes in them (dates). The theme's interface strings
//! live in its `i18n/`.

use serde::Serialize;

pub mod names;

/// A language pages can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Lang {
    /// Norwegian bokmål (`nb`).
    #[serde(rename = "nb")]
    Nb,
    /// Norwegian nynorsk (`nn`).
    #[serde(rename = "nn")]
    Nn,
    /// English (`en`).
    #[serde(rename = "en")]
    En,
    /// Northern Sámi (`se`): the theme's interface strings and dates. What the
    /// engine writes itself (chart descriptions, status labels) is in bokmål,
    /// and search does not stem it (see [`Lang::engine`]).
    #[serde(rename = "se")]
    Se,
}

impl Lang {
    /// Every language, bokmål first.
    pub const ALL: [Lang; 4] = [Lang::Nb, Lang::Nn, Lang::En, Lang::Se];

    /// The codes [`Lang::parse`] knows, for hints.
    pub const KNOWN: &'static str = "`nb` (bokmål), `nn` (nynorsk), `en` (English) or `se` (davvisámegiella)";

    /// `nb`, `nn`, `en` or `se` (also `no` for bokmål, as some systems write it).
    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "nb" | "no" | "nb-no" => Some(Lang::Nb),
            "nn" | "nn-no" => Some(Lang::Nn),
            "en" | "en-gb" | "en-us" => Some(Lang::En),
            "se" | "se-no" => Some(Lang::Se),
            _ => None,
        }
    }

    /// The BCP 47 code used in `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nb => "nb",
            Lang::Nn => "nn",
            Lang::En => "en",
            Lang::Se => "se",
        }
    }

    /// The language's name in itself, as a language switcher shows it.
    pub fn autonym(self) -> &'static str {
        match self {
            Lang::Nb => "Norsk bokmål",
            Lang::Nn => "Norsk nynorsk",
            Lang::En => "English",
            Lang::Se => "Davvisámegiella",
        }
    }

    /// The language the engine's own sentences (chart descriptions, status
    /// labels, table captions) are written in for a page in this one: itself,
    /// or bokmål for Northern Sámi, which has the theme's strings only.
    pub fn engine(self) -> Lang {
        match self {
            Lang::Se => Lang::Nb,
            lang => lang,
        }
    }

    /// A date as readers of this language write it: `5. mars 2024`, `5 March 2024`.
    ///
    /// ```
    /// use innsyn::lang::Lang;
    /// assert_eq!(Lang::Nn.format_date(2024, 3, 5), "5. mars 2024");
    /// assert_eq!(Lang::En.format_date(2024, 3, 5), "5 March 2024");
    /// assert_eq!(Lang::Se.format_date(2024, 3, 5), "5.3.2024");
    /// ```
    pub fn format_date(self, year: i32, month: u8, day: u8) -> String {
        match self {
            Lang::Nb | Lang::Nn => format!("{day}. {} {year}", self.month_name(month)),
            Lang::En => format!("{day} {} {year}", self.month_name(month)),
            // Written with numbers, as Sámi texts also do: the month names
            // would need their case endings, which are not kept here.
            Lang::Se => format!("{day}.{}.{year}", month.clamp(1, 12)),
        }
    }

    /// The name of a month (1–12) in this language, as a date in running text
    /// or a `%B` in a template writes it.
    pub fn month_name(self, month: u8) -> &'static str {
        const NO: [&str; 12] = [
            "januar",
            "februar",
            "mars",
            "april",
            "mai",
            "juni",
            "juli",
            "august",
            "september",
            "oktober",
            "november",
            "desember",
        ];
        const EN: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        const SE: [&str; 12] = [
            "ođđajagemánnu",
            "guovvamánnu",
            "njukčamánnu",
            "cuoŋománnu",
            "miessemánnu",
            "geassemánnu",
            "suoidnemánnu",
            "borgemánnu",
            "čakčamánnu",
            "golggotmánnu",
            "skábmamánnu",
            "juovlamánnu",
        ];
        let m = usize::from(month.clamp(1, 12)) - 1;
        match self {
            Lang::Nb | Lang::Nn => NO[m],
            Lang::En => EN[m],
            Lang::Se => SE[m],
        }
    }
}
/// A key that sorts text in Norwegian alphabetical order (… z æ ø å), ignoring case.
pub fn collation_key(s: &str) -> Vec<u32> {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'æ' | 'ä' => 'z' as u32 + 1,
            'ø' | 'ö' => 'z' as u32 + 2,
            'å' => 'z' as u32 + 3,
            c => c as u32,
        })
        .collect()
}
