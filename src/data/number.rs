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

/// Whether a cell says "no value": empty, or one of the marks SSB uses for missing,
/// confidential or not applicable figures (`.`, `..`, `...`, `:`), or a dash on its own
/// (`-`, `−`, `–`), which exports use for "nothing to report".
///
/// ```
/// use innsyn::data::number::is_missing_mark;
/// assert!(is_missing_mark(" .. "));
/// assert!(!is_missing_mark("0"));
/// ```
pub fn is_missing_mark(s: &str) -> bool {
    matches!(s.trim(), "" | "." | ".." | "..." | ":" | "-" | "\u{2212}" | "\u{2013}")
}

/// Reads a number as spreadsheets and SSB export it: decimal point or comma, thousands
/// grouped by space, no-break space, `.` or `,`, a minus sign (`-` or `−`), a leading
/// `+`, and a trailing `%` (the number itself is returned: `12 %` → 12). Missing marks
/// and anything else give `None`; so does a number too large for `f64`.
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
/// assert_eq!(parse_number(".."), None);
/// assert_eq!(parse_number("0301 Oslo"), None);
/// ```
pub fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    if is_missing_mark(s) {
        return None;
    }
    let (negative, body) = if let Some(rest) = s.strip_prefix(['-', '\u{2212}']) {
        (true, rest)
    } else {
        (false, s.strip_prefix('+').unwrap_or(s))
    };
    let body = body.strip_suffix('%').map_or(body, str::trim_end);
    let value: f64 = plain_digits(body)?.parse().ok()?;
    if !value.is_finite() {
        return None;
    }
    Some(if negative { -value } else { value })
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
        Lang::Nb | Lang::Nn => ('\u{a0}', ',', '\u{2212}'),
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
        for s in ["", " ", ".", "..", "...", ":", "-", "%", "−"] {
            assert_eq!(parse_number(s), None, "{s:?}");
        }
        for s in ["0301 Oslo", "12 34", "1.2.3,4,5", "1e5", "NaN", "inf", "- 3", "+-3", "1,2,3.4.5", "0 301", "abc"] {
            assert_eq!(parse_number(s), None, "{s:?}");
        }
        assert!(is_missing_mark(":") && is_missing_mark("...") && !is_missing_mark("x"));
        assert_eq!(parse_number(&"9".repeat(400)), None);
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
