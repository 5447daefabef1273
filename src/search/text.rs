//! Words from rendered pages: the text of a page's body split at its headings
//! (so a hit can point at the nearest heading's anchor), tokenized into lower-case
//! words, and folded so `aa`/`ae`/`oe` typed in a query find å/æ/ø.

use std::borrow::Cow;

use unicode_segmentation::UnicodeSegmentation;

/// A part of a page under one heading.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Segment {
    /// The heading's id (empty for the text before the first heading).
    pub anchor: String,
    pub heading: String,
    pub text: String,
}

/// Splits rendered body HTML into segments at headings with an id. The text of
/// tables, figure captions and chart descriptions is kept; drawings (`<svg>`),
/// scripts and styles are not, nor are heading anchor links.
pub fn segments(html: &str) -> Vec<Segment> {
    let mut out = vec![Segment::default()];
    let mut skip_depth = 0usize; // inside svg/script/style
    let mut in_heading = false;
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        push_text(&mut out, &rest[..lt], skip_depth == 0, in_heading);
        let Some(gt) = rest[lt..].find('>') else { break };
        let tag = &rest[lt + 1..lt + gt];
        rest = &rest[lt + gt + 1..];
        let closing = tag.starts_with('/');
        // The tag name, lower-cased in a buffer (longer names matter not).
        let raw = tag.trim_start_matches('/').as_bytes();
        let len = raw.iter().take_while(|b| b.is_ascii_alphanumeric()).count();
        let mut buf = [0u8; 12];
        let name = if len <= buf.len() {
            buf[..len].copy_from_slice(&raw[..len]);
            buf[..len].make_ascii_lowercase();
            std::str::from_utf8(&buf[..len]).unwrap_or_default()
        } else {
            ""
        };
        match name {
            "svg" | "script" | "style" | "title" if !closing && !tag.ends_with('/') => skip_depth += 1,
            "svg" | "script" | "style" | "title" if closing => skip_depth = skip_depth.saturating_sub(1),
            "h2" | "h3" | "h4" | "h5" | "h6" if !closing && skip_depth == 0 => {
                let anchor = attr(tag, "id").unwrap_or_default();
                out.push(Segment { anchor, heading: String::new(), text: String::new() });
                in_heading = true;
            }
            "h2" | "h3" | "h4" | "h5" | "h6" if closing => in_heading = false,
            // The `#` of a heading's anchor link is not text.
            "a" if !closing && tag.contains("heading-anchor") => {
                if let Some(end) = rest.find("</a>") {
                    rest = &rest[end + 4..];
                }
            }
            _ => {
                if !closing && is_block(name) {
                    push_text(&mut out, " ", skip_depth == 0, in_heading);
                }
            }
        }
    }
    push_text(&mut out, rest, skip_depth == 0, in_heading);
    for s in &mut out {
        s.text = squash(&s.text);
        s.heading = squash(&s.heading);
    }
    out
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "li"
            | "td"
            | "th"
            | "tr"
            | "div"
            | "br"
            | "dt"
            | "dd"
            | "figcaption"
            | "caption"
            | "summary"
            | "h1"
            | "blockquote"
            | "pre"
    )
}

fn push_text(out: &mut [Segment], raw: &str, visible: bool, heading: bool) {
    if !visible || raw.is_empty() {
        return;
    }
    let last = out.last_mut().expect("there is always a segment");
    unescape_into(if heading { &mut last.heading } else { &mut last.text }, raw);
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    Some(unescape(&tag[i..i + tag[i..].find('"')?]))
}

/// Undoes the HTML escapes innsyn writes (and numeric ones).
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    unescape_into(&mut out, s);
    out
}

/// [`unescape`], appending to `out`.
fn unescape_into(out: &mut String, s: &str) {
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let Some(end) = end else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" | "#39" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            e if e.starts_with("#x") || e.starts_with("#X") => {
                u32::from_str_radix(&e[2..], 16).ok().and_then(char::from_u32)
            }
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

/// `s` with its runs of whitespace made one space, and none at the ends.
fn squash(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Lower-case words of `text`. Numbers written with a space as thousands separator
/// (`2 045`, `1 234 567`) stay one word; e-mail addresses give their parts.
///
/// ```
/// use innsyn::search::text::words;
/// assert_eq!(words("Årsverk i 2 045, og sykefravær-tallene"), ["årsverk", "i", "2045", "og", "sykefravær", "tallene"]);
/// ```
pub fn words(text: &str) -> Vec<String> {
    let lowered = lower(text);
    let mut out = Vec::new();
    each_word(&lowered, |w| out.push(w.to_string()));
    out
}

/// `text` lower-cased, with thousands joined (`2 045` → `2045`): the words of
/// this string are the words of `text`, and borrowing them needs no allocation
/// per word. Text that is lower-case ASCII already is borrowed as it is.
pub fn lower(text: &str) -> Cow<'_, str> {
    let joined = join_thousands(text);
    if joined.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80) {
        Cow::Owned(joined.to_lowercase())
    } else {
        joined
    }
}

/// The words of text that [`lower`] has prepared, by Unicode word boundaries
/// (UAX #29), borrowed from it. Text of Latin letters, digits and common
/// punctuation is split by a fast path with the same result as
/// `unicode_segmentation`'s `unicode_words`, which splits everything else.
///
/// ```
/// use innsyn::search::text::each_word;
/// let mut found = Vec::new();
/// each_word("årsverk: 2,5 i asker.kommune.no – «ok»", |w| found.push(w));
/// assert_eq!(found, ["årsverk", "2,5", "i", "asker.kommune.no", "ok"]);
/// ```
pub fn each_word<'a>(lowered: &'a str, mut f: impl FnMut(&'a str)) {
    let simple = lowered.is_ascii() || lowered.chars().all(|c| class(c).is_some());
    if !simple {
        lowered.unicode_words().for_each(f);
        return;
    }
    // The word under way: where it began, whether it has a letter or digit, the
    // class of its last character, and a middle character (`.` `,` `:` `'`…)
    // that joins only if the next character fits.
    let mut start: Option<usize> = None;
    let mut alnum = false;
    let mut last = Class::Other;
    let mut pending: Option<(usize, Class)> = None;
    for (i, c) in lowered.char_indices() {
        let k = class(c).unwrap_or(Class::Other);
        if let Some((at, mid)) = pending.take() {
            let joins = match mid {
                Class::MidLetter => last == Class::Letter && k == Class::Letter,
                Class::MidNumLet => (last == Class::Letter || last == Class::Number) && k == last,
                _ => last == Class::Number && k == Class::Number,
            };
            if !joins {
                if let (Some(s), true) = (start.take(), alnum) {
                    f(&lowered[s..at]);
                }
                start = None;
            }
        }
        match k {
            Class::Letter | Class::Number | Class::Join => {
                if start.is_none() {
                    start = Some(i);
                    alnum = false;
                }
                alnum |= k != Class::Join;
                last = k;
            }
            Class::MidLetter | Class::MidNumLet | Class::MidNum if start.is_some() && last != Class::Join => {
                pending = Some((i, k));
            }
            _ => {
                if let (Some(s), true) = (start.take(), alnum) {
                    f(&lowered[s..i]);
                }
            }
        }
    }
    let end = pending.map_or(lowered.len(), |(at, _)| at);
    if let (Some(s), true) = (start, alnum) {
        f(&lowered[s..end]);
    }
}

/// Word-boundary classes (UAX #29) of the characters the fast path of
/// [`each_word`] knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Letter,
    Number,
    /// ExtendNumLet (`_`): joins letters and digits on both sides.
    Join,
    MidLetter,
    MidNumLet,
    MidNum,
    Other,
}

/// The class of `c`, or `None` when the fast path does not know it.
fn class(c: char) -> Option<Class> {
    Some(match c {
        'a'..='z' | 'A'..='Z' => Class::Letter,
        '0'..='9' => Class::Number,
        '_' => Class::Join,
        ':' => Class::MidLetter,
        '.' | '\'' | '\u{2018}' | '\u{2019}' => Class::MidNumLet,
        ',' | ';' => Class::MidNum,
        '\u{0}'..='\u{7f}' => Class::Other,
        // Latin-1 and Latin Extended-A letters, but not × and ÷.
        '\u{c0}'..='\u{17f}' if c != '\u{d7}' && c != '\u{f7}' => Class::Letter,
        // No-break space, §, «, °, », ×, ÷, dashes, quotes, bullet, ellipsis, €.
        '\u{a0}' | '\u{a7}' | '\u{ab}' | '\u{b0}' | '\u{bb}' | '\u{d7}' | '\u{f7}' | '\u{2013}' | '\u{2014}'
        | '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{2022}' | '\u{2026}' | '\u{20ac}' => Class::Other,
        _ => return None,
    })
}

/// `2 045` → `2045` (space, no-break space or narrow no-break space between a digit
/// and exactly three digits).
fn join_thousands(text: &str) -> Cow<'_, str> {
    // Most text has no digit before a space: nothing to join.
    let may_join =
        text.as_bytes().windows(2).any(|w| w[0].is_ascii_digit() && (w[1] == b' ' || w[1] == 0xC2 || w[1] == 0xE2));
    if !may_join {
        return Cow::Borrowed(text);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let is_sep = matches!(c, ' ' | '\u{a0}' | '\u{202f}');
        if is_sep && i > 0 && chars[i - 1].is_ascii_digit() {
            let next: Vec<&char> = chars[i + 1..].iter().take(4).collect();
            let three = next.len() >= 3 && next[..3].iter().all(|c| c.is_ascii_digit());
            let ends = next.len() == 3 || next.get(3).is_none_or(|c| !c.is_ascii_digit());
            if three && ends {
                continue;
            }
        }
        out.push(c);
    }
    Cow::Owned(out)
}

/// Folds a lower-case word so Norwegian letters and their two-letter spellings
/// meet: `å`→`aa`, `æ`→`ae`, `ø`→`oe`; other accents are dropped.
///
/// ```
/// assert_eq!(innsyn::search::text::fold("sykefravær"), "sykefravaer");
/// assert_eq!(innsyn::search::text::fold("årsverk"), "aarsverk");
/// ```
pub fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len() + 2);
    for c in word.chars() {
        match c {
            'å' => out.push_str("aa"),
            'æ' | 'ä' => out.push_str("ae"),
            'ø' | 'ö' => out.push_str("oe"),
            'á' | 'à' | 'â' | 'ã' => out.push('a'),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'í' | 'ì' | 'î' | 'ï' => out.push('i'),
            'ó' | 'ò' | 'ô' | 'õ' => out.push('o'),
            'ú' | 'ù' | 'û' | 'ü' => out.push('u'),
            'ç' | 'č' => out.push('c'),
            'š' => out.push('s'),
            'ž' => out.push('z'),
            'đ' => out.push('d'),
            'ŋ' | 'ñ' => out.push('n'),
            'ŧ' => out.push('t'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_split_the_text_and_drawings_are_left_out() {
        let html = "<p>Innledning &amp; mer.</p>\n<h2 id=\"mal\">Mål <a class=\"heading-anchor\" href=\"#mal\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h2>\n<p>Tekst</p><figure><svg><title>T</title><text>2012</text></svg><figcaption>Figur</figcaption><table><tr><td>48</td></tr></table></figure>";
        let s = segments(html);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].text, "Innledning & mer.");
        assert_eq!((s[1].anchor.as_str(), s[1].heading.as_str()), ("mal", "Mål"));
        assert_eq!(s[1].text, "Tekst Figur 48");
    }

    #[test]
    fn hyphens_emails_and_numbers_tokenize_as_readers_expect() {
        assert_eq!(words("post@asker.kommune.no"), ["post", "asker.kommune.no"]);
        assert_eq!(words("1 234 567 kroner, 12 %"), ["1234567", "kroner", "12"]);
        assert_eq!(words("2012 2020 2040"), ["2012", "2020", "2040"], "years in a row stay apart");
        assert_eq!(words("Helse- og omsorg"), ["helse", "og", "omsorg"]);
    }

    #[test]
    fn the_fast_path_splits_words_as_unicode_does() {
        for text in [
            "a:b a.b a'b a’b 1,2 1;2 1.2 a;b 1:2 a_b __ _a a_1 1'2 a--b a..b 1.a a.1",
            "årsverk: 2,5 – «sykefravær» i asker.kommune.no … 3° § 1€ x × y",
            "slutt. ",
            "a.",
            "1,",
            "_",
            "a_.b",
        ] {
            let mut fast = Vec::new();
            each_word(text, |w| fast.push(w));
            assert_eq!(fast, text.unicode_words().collect::<Vec<_>>(), "{text:?}");
        }
        // Every character the fast path knows, between letters and between digits.
        for c in (0..0x2100).filter_map(char::from_u32).filter(|&c| class(c).is_some()) {
            for text in [format!("a{c}b"), format!("1{c}2"), format!("{c}"), format!("{c}{c}a")] {
                let mut fast = Vec::new();
                each_word(&text, |w| fast.push(w));
                assert_eq!(fast, text.unicode_words().collect::<Vec<_>>(), "{text:?}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn the_fast_path_agrees_with_unicode_segmentation(text in "[abzæøåéA0-9.,:;'’_ \\-«»–…\u{a0}/@\n]{0,24}") {
            let mut fast = Vec::new();
            each_word(&text, |w| fast.push(w));
            proptest::prop_assert_eq!(fast, text.unicode_words().collect::<Vec<_>>());
        }
    }

    #[test]
    fn entities_are_unescaped() {
        assert_eq!(unescape("&lt;script&gt; &#39;x&#39; &#x2F;"), "<script> 'x' /");
        assert_eq!(unescape("a & b"), "a & b");
    }
}
