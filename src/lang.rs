//! The site's languages (bokmål, nynorsk, English) and the few words the engine
//! itself writes in them (dates). The theme's interface strings live in its `i18n/`.

use serde::Serialize;

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
}

impl Lang {
    /// Every language, bokmål first.
    pub const ALL: [Lang; 3] = [Lang::Nb, Lang::Nn, Lang::En];

    /// `nb`, `nn` or `en` (also `no` for bokmål, as some systems write it).
    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "nb" | "no" | "nb-no" => Some(Lang::Nb),
            "nn" | "nn-no" => Some(Lang::Nn),
            "en" | "en-gb" | "en-us" => Some(Lang::En),
            _ => None,
        }
    }

    /// The BCP 47 code used in `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nb => "nb",
            Lang::Nn => "nn",
            Lang::En => "en",
        }
    }

    /// A date as readers of this language write it: `5. mars 2024`, `5 March 2024`.
    ///
    /// ```
    /// use innsyn::lang::Lang;
    /// assert_eq!(Lang::Nn.format_date(2024, 3, 5), "5. mars 2024");
    /// assert_eq!(Lang::En.format_date(2024, 3, 5), "5 March 2024");
    /// ```
    pub fn format_date(self, year: i32, month: u8, day: u8) -> String {
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
        let m = usize::from(month.clamp(1, 12)) - 1;
        match self {
            Lang::Nb | Lang::Nn => format!("{day}. {} {year}", NO[m]),
            Lang::En => format!("{day} {} {year}", EN[m]),
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
