//! Numbers as Norwegian and English exports write them, and as readers expect to see
//! them. Pure text ↔ `f64`; knows nothing about tables or files.

use crate::lang::Lang;

/// The largest magnitude a chart draws: ±10^15, far above any budget or
/// population in kroner or persons, and far below where an axis's arithmetic
/// (and the axis code's loops over its ticks) break down.
pub const LARGEST: f64 = 1e15;

/// The smallest magnitude but zero a chart draws.
pub const SMALLEST: f64 = 1e-9;

/// Characters used between groups of thousands besides `.` and `,`: space, no-break
/// space (U+00A0), narrow no-break space (U+202F) and thin space (U+2009).
const GROUP_SPACES: [char; 4] = [' ', '\u{a0}', '\u{202f}', '\u{2009}'];

/// What a cell without a number says, by SSB's table of symbols. Each kind is a
/// gap in a chart, never a zero, and is explained beside the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Missing {
    /// An empty cell.
    Empty,
    /// `.`: a figure cannot exist here (not applicable).
    NotApplicable,
    /// `..`: the figure is not available.
    NotAvailable,
    /// `...`: the figure is not published.
    NotPublished,
    /// `:`: withheld to protect confidentiality.
    Confidential,
}

impl Missing {
    /// The kind of missing value `s` marks, if it marks one.
    ///
    /// ```
    /// use innsyn::data::number::Missing;
    /// assert_eq!(Missing::of(" .. "), Some(Missing::NotAvailable));
    /// assert_eq!(Missing::of("-"), None); // SSB's zero
    /// assert_eq!(Missing::of("0"), None);
    /// ```
    pub fn of(s: &str) -> Option<Missing> {
        Some(match s.trim() {
            "" => Missing::Empty,
            "." => Missing::NotApplicable,
            ".." => Missing::NotAvailable,
            "..." => Missing::NotPublished,
            ":" => Missing::Confidential,
            _ => return None,
        })
    }

    /// The symbol, as SSB writes it (`""` for an empty cell).
    pub fn symbol(self) -> &'static str {
        match self {
            Missing::Empty => "",
            Missing::NotApplicable => ".",
            Missing::NotAvailable => "..",
            Missing::NotPublished => "...",
            Missing::Confidential => ":",
        }
    }

    /// What the symbol means, in words for readers (SSB's own wording in Norwegian).
    pub fn meaning(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Missing::Empty, Lang::En) => "No value",
            (Missing::Empty, _) => "Ingen verdi",
            (Missing::NotApplicable, Lang::Nb | Lang::Se) => "Lovlig umulig å føre opp tall",
            (Missing::NotApplicable, Lang::Nn) => "Lovleg umogleg å føre opp tal",
            (Missing::NotApplicable, Lang::En) => "Not applicable",
            (Missing::NotAvailable, Lang::Nb | Lang::Se) => "Tallgrunnlag mangler",
            (Missing::NotAvailable, Lang::Nn) => "Talgrunnlag manglar",
            (Missing::NotAvailable, Lang::En) => "Data not available",
            (Missing::NotPublished, Lang::Nb | Lang::Se) => "Tall kan ikke offentliggjøres",
            (Missing::NotPublished, Lang::Nn) => "Tal kan ikkje offentleggjerast",
            (Missing::NotPublished, Lang::En) => "Not for publication",
            (Missing::Confidential, Lang::Nb | Lang::Se) => "Vises ikke av konfidensialitetshensyn",
            (Missing::Confidential, Lang::Nn) => "Vert ikkje vist av omsyn til konfidensialitet",
            (Missing::Confidential, Lang::En) => "Confidential",
        }
    }
}

/// What a trailing `*` on a number means (`13,1*`), in words for readers.
pub fn provisional_meaning(lang: Lang) -> &'static str {
    match lang {
        Lang::Nb | Lang::Se => "Foreløpige tall",
        Lang::Nn => "Førebelse tal",
        Lang::En => "Provisional figures",
    }
}

/// Whether a cell says "no value": empty, or one of the marks SSB uses for missing,
/// confidential or not applicable figures (`.`, `..`, `...`, `:`); see [`Missing`].
///
/// ```
/// use innsyn::data::number::is_missing_mark;
/// assert!(is_missing_mark(" .. "));
/// assert!(!is_missing_mark("0"));
/// assert!(!is_missing_mark("-"));
/// ```
pub fn is_missing_mark(s: &str) -> bool {
    Missing::of(s).is_some()
}

/// Whether a cell is SSB's zero: a dash on its own (`-`, `−`, `–`), «nothing to
/// report», which is a value of 0 and not a missing one.
pub fn is_zero_mark(s: &str) -> bool {
    matches!(s.trim(), "-" | "\u{2212}" | "\u{2013}")
}

/// Whether a number is marked provisional with a trailing `*`, as SSB does (`13,1*`).
///
/// ```
/// use innsyn::data::number::is_provisional;
/// assert!(is_provisional("13,1*"));
/// assert!(!is_provisional("13,1"));
/// assert!(!is_provisional("*"));
/// ```
pub fn is_provisional(s: &str) -> bool {
    s.trim().strip_suffix('*').is_some_and(|n| parse_number(n).is_some())
}

/// Reads a number as spreadsheets and SSB export it: decimal point or comma, thousands
/// grouped by space, no-break space, `.` or `,`, a minus sign (`-` or `−`), a leading
/// `+`, a trailing `%` (the number itself is returned: `12 %` → 12), a trailing `*`
/// (SSB's mark of a provisional figure), and an exponent as spreadsheets write very
/// large or small numbers (`1,5E+03`). Missing marks and anything else give `None`;
/// so does a number too large for `f64`.
///
/// When only one `.` or `,` appears it is the decimal separator (`1,234` is 1.234);
/// when it appears more than once, or both appear, the last kind is the decimals.
///
/// ```
/// use innsyn::data::number::parse_number;
/// assert_eq!(parse_number("1 234,5"), Some(1234.5));
/// assert_eq!(parse_number("1.234,5"), Some(1234.5));
/// assert_eq!(parse_number("−3,2"), Some(-3.2));
/// assert_eq!(parse_number("12 %"), Some(12.0));
/// assert_eq!(parse_number("13,1*"), Some(13.1));
/// assert_eq!(parse_number("1,5E+03"), Some(1500.0));
/// assert_eq!(parse_number(".."), None);
/// assert_eq!(parse_number("0301 Oslo"), None);
/// ```
pub fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    let s = s.strip_suffix('*').map_or(s, str::trim_end);
    if is_missing_mark(s) {
        return None;
    }
    let (negative, body) = if let Some(rest) = s.strip_prefix(['-', '\u{2212}']) {
        (true, rest)
    } else {
        (false, s.strip_prefix('+').unwrap_or(s))
    };
    let body = body.strip_suffix('%').map_or(body, str::trim_end);
    // An exponent (`E+03`, `e-5`) after the digits, as spreadsheets write it.
    let (body, exponent) = match body.rfind(['e', 'E']) {
        Some(i) => {
            let exp = &body[i + 1..];
            let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
            if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            (&body[..i], Some(exp))
        }
        None => (body, None),
    };
    let digits = plain_digits(body)?;
    let value: f64 = match exponent {
        Some(exp) => format!("{digits}e{exp}").parse().ok()?,
        None => digits.parse().ok()?,
    };
    if !value.is_finite() {
        return None;
    }
    Some(if negative { -value } else { value })
}

/// How many decimals a number is written with (`81,0 %` has one), so a table
/// shows it as the file does; `None` when `s` is no plain number.
///
/// ```
/// use innsyn::data::number::written_decimals;
/// assert_eq!(written_decimals("81,0 %"), Some(1));
/// assert_eq!(written_decimals("1 234"), Some(0));
/// assert_eq!(written_decimals("13,10*"), Some(2));
/// assert_eq!(written_decimals("1e5"), None);
/// ```
pub fn written_decimals(s: &str) -> Option<usize> {
    let s = s.trim();
    let s = s.strip_suffix('*').map_or(s, str::trim_end);
    let s = s.strip_prefix(['-', '\u{2212}', '+']).unwrap_or(s);
    let s = s.strip_suffix('%').map_or(s, str::trim_end);
    let digits = plain_digits(s)?;
    Some(digits.split_once('.').map_or(0, |(_, fraction)| fraction.len()))
}

/// Rewrites `1 234,5` / `1.234,5` / `1,234.5` as `1234.5`, checking that groups of
/// thousands really are groups of three, so `12 34` or `1.2.3` are not numbers.
fn plain_digits(body: &str) -> Option<String> {
    if body.is_empty() || !body.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',' || GROUP_SPACES.contains(&c))
    {
        return None;
    }
    let dots = body.matches('.').count();
    let commas = body.matches(',').count();
    let (decimal, group) = match (dots, commas) {
        (0, 0) => (None, None),
        (_, 0) if dots > 1 => (None, Some('.')),
        (0, _) if commas > 1 => (None, Some(',')),
        (1, 0) => (Some('.'), None),
        (0, 1) => (Some(','), None),
        _ => {
            let last_dot = body.rfind('.');
            let last_comma = body.rfind(',');
            if last_dot > last_comma {
                (Some('.'), Some(','))
            } else {
                (Some(','), Some('.'))
            }
        }
    };
    let (int_part, frac_part) = match decimal {
        Some(d) => {
            let (i, f) = body.split_once(d)?;
            if f.contains(d) {
                return None;
            }
            (i, f)
        }
        None => (body, ""),
    };
    if !frac_part.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let groups: Vec<&str> = int_part.split(|c: char| Some(c) == group || GROUP_SPACES.contains(&c)).collect();
    let int_digits = if let [only] = groups.as_slice() {
        if !only.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        only.to_string()
    } else {
        let first = groups[0];
        let first_ok = (1..=3).contains(&first.len()) && !first.starts_with('0');
        let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
        if !first_ok || !rest_ok || !groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit())) {
            return None;
        }
        groups.concat()
    };
    if int_digits.is_empty() && frac_part.is_empty() {
        return None;
    }
    let int_digits = if int_digits.is_empty() { "0" } else { &int_digits };
    Some(if frac_part.is_empty() { int_digits.to_string() } else { format!("{int_digits}.{frac_part}") })
}

/// Writes a number for readers: in bokmål and nynorsk `1 234,5` (no-break space between
/// thousands, decimal comma, `−` U+2212 as minus); in English `1,234.5` with `-`.
///
/// `decimals`: `None` rounds to at most two decimals and drops trailing zeros;
/// `Some(n)` always shows `n`. Not-a-number gives an empty string, infinities `∞`/`−∞`.
///
/// ```
/// use innsyn::data::number::format_number;
/// use innsyn::lang::Lang;
/// assert_eq!(format_number(-1234.5, Lang::Nb, None), "\u{2212}1\u{a0}234,5");
/// assert_eq!(format_number(1234.5, Lang::En, Some(2)), "1,234.50");
/// assert_eq!(format_number(48.0, Lang::Nn, None), "48");
/// ```
pub fn format_number(v: f64, lang: Lang, decimals: Option<usize>) -> String {
    let (group, point, minus) = match lang {
        Lang::Nb | Lang::Se | Lang::Nn => ('\u{a0}', ',', '\u{2212}'),
        Lang::En => (',', '.', '-'),
    };
    if v.is_nan() {
        return String::new();
    }
    if v.is_infinite() {
        return if v < 0.0 { format!("{minus}∞") } else { "∞".to_string() };
    }
    // f64 has at most 17 significant digits; more decimals would only print noise.
    let places = decimals.unwrap_or(2).min(17);
    let text = format!("{:.*}", places, v.abs());
    let (int_part, frac_part) = text.split_once('.').unwrap_or((&text, ""));
    let frac_part = if decimals.is_none() { frac_part.trim_end_matches('0') } else { frac_part };
    let is_zero = int_part.bytes().all(|b| b == b'0') && frac_part.bytes().all(|b| b == b'0');

    let mut out = String::with_capacity(text.len() + 8);
    if v < 0.0 && !is_zero {
        out.push(minus);
    }
    let digits = int_part.len();
    for (i, d) in int_part.chars().enumerate() {
        if i > 0 && (digits - i) % 3 == 0 {
            out.push(group);
        }
        out.push(d);
    }
    if !frac_part.is_empty() {
        out.push(point);
        out.push_str(frac_part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_decimal_numbers_are_read() {
        assert_eq!(parse_number("1234.5"), Some(1234.5));
        assert_eq!(parse_number("1234,5"), Some(1234.5));
        assert_eq!(parse_number("2012"), Some(2012.0));
        assert_eq!(parse_number(" 48 "), Some(48.0));
        assert_eq!(parse_number("+4"), Some(4.0));
        assert_eq!(parse_number("-3,2"), Some(-3.2));
        assert_eq!(parse_number("\u{2212}3,2"), Some(-3.2));
        assert_eq!(parse_number(",5"), Some(0.5));
    }

    #[test]
    fn thousands_separators_of_every_kind_are_read() {
        assert_eq!(parse_number("1 234,5"), Some(1234.5));
        assert_eq!(parse_number("1\u{a0}234,5"), Some(1234.5));
        assert_eq!(parse_number("1\u{202f}234\u{202f}567"), Some(1_234_567.0));
        assert_eq!(parse_number("1.234,5"), Some(1234.5));
        assert_eq!(parse_number("1,234.5"), Some(1234.5));
        assert_eq!(parse_number("1.234.567"), Some(1_234_567.0));
    }

    #[test]
    fn percentages_keep_their_number() {
        assert_eq!(parse_number("12 %"), Some(12.0));
        assert_eq!(parse_number("12%"), Some(12.0));
        assert_eq!(parse_number("12,5\u{a0}%"), Some(12.5));
    }

    #[test]
    fn missing_marks_and_text_are_not_numbers() {
        for s in ["", " ", ".", "..", "...", ":", "-", "%", "−", "*", ".. *"] {
            assert_eq!(parse_number(s), None, "{s:?}");
        }
        for s in [
            "0301 Oslo",
            "12 34",
            "1.2.3,4,5",
            "e5",
            "1e",
            "1e+",
            "1e5x",
            "1e309",
            "NaN",
            "inf",
            "- 3",
            "+-3",
            "1,2,3.4.5",
            "0 301",
            "abc",
        ] {
            assert_eq!(parse_number(s), None, "{s:?}");
        }
        assert!(is_missing_mark(":") && is_missing_mark("...") && !is_missing_mark("x"));
        assert_eq!(parse_number(&"9".repeat(400)), None);
    }

    #[test]
    fn ssb_symbols_keep_their_meanings() {
        assert!(is_zero_mark("-") && is_zero_mark(" – ") && !is_zero_mark("0"));
        let kinds: Vec<Option<Missing>> =
            ["", ".", "..", "...", ":", "-", "13,1*"].iter().map(|s| Missing::of(s)).collect();
        assert_eq!(
            kinds,
            [
                Some(Missing::Empty),
                Some(Missing::NotApplicable),
                Some(Missing::NotAvailable),
                Some(Missing::NotPublished),
                Some(Missing::Confidential),
                None,
                None
            ]
        );
        assert_eq!(parse_number("13,1*"), Some(13.1));
        assert_eq!(parse_number("1 234,5 *"), Some(1234.5));
        assert!(is_provisional("13,1*") && !is_provisional("13,1") && !is_provisional("..*"));
    }

    #[test]
    fn exponents_as_spreadsheets_write_them_are_read() {
        assert_eq!(parse_number("1e5"), Some(100_000.0));
        assert_eq!(parse_number("1,5E+03"), Some(1500.0));
        assert_eq!(parse_number("2.5e-3"), Some(0.0025));
        assert_eq!(parse_number("-4E2"), Some(-400.0));
        assert_eq!(parse_number("1e308"), Some(1e308));
    }

    #[test]
    fn norwegian_formatting_uses_no_break_space_comma_and_real_minus() {
        assert_eq!(format_number(1234.5, Lang::Nb, None), "1\u{a0}234,5");
        assert_eq!(format_number(-1234567.891, Lang::Nn, None), "\u{2212}1\u{a0}234\u{a0}567,89");
        assert_eq!(format_number(0.5, Lang::Nb, Some(1)), "0,5");
        assert_eq!(format_number(65.0, Lang::Nb, Some(2)), "65,00");
        assert_eq!(format_number(999.0, Lang::Nb, None), "999");
    }

    #[test]
    fn english_formatting_uses_commas_and_a_point() {
        assert_eq!(format_number(1234.5, Lang::En, None), "1,234.5");
        assert_eq!(format_number(-3.2, Lang::En, None), "-3.2");
        assert_eq!(format_number(1234.567, Lang::En, Some(0)), "1,235");
        assert_eq!(format_number(2.0, Lang::En, Some(1)), "2.0");
    }

    #[test]
    fn rounding_to_zero_drops_the_minus_sign() {
        assert_eq!(format_number(-0.001, Lang::Nb, None), "0");
        assert_eq!(format_number(-0.0, Lang::En, Some(1)), "0.0");
        assert_eq!(format_number(f64::NAN, Lang::En, None), "");
    }

    #[test]
    fn formatted_numbers_read_back_to_the_same_value() {
        for v in [0.0, 1.5, -12.25, 1234.5, 1_234_567.0, -0.75] {
            for lang in Lang::ALL {
                assert_eq!(parse_number(&format_number(v, lang, None)), Some(v), "{v} {lang:?}");
            }
        }
    }
}
