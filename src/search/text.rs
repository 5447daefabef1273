//! Words from rendered pages: the text of a page's body split at its headings
//! (so a hit can point at the nearest heading's anchor), tokenized into lower-case
//! words, and folded so `aa`/`ae`/`oe` typed in a query find å/æ/ø.

use std::borrow::Cow;

use unicode_segmentation::UnicodeSegmentation;

use crate::html::{self, unescape, unescape_into, Sink};

/// A part of a page under one heading.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Segment {
    /// The heading's id (empty for the text before the first heading).
    pub anchor: String,
    /// The heading's text (empty for the text before the first heading).
    pub heading: String,
    /// The text under the heading that excerpts are taken from: its prose.
    pub text: String,
    /// Text under the heading that is searched but never shown as an excerpt:
    /// what figures hold (a chart's title, its table, its source).
    pub aside: String,
}

/// Splits rendered body HTML into segments at headings with an id. Drawings
/// (`<svg>`), scripts and styles are left out, and so are heading anchor links
/// and what innsyn's own markup marks as interface text (`data-search="skip"`:
/// a chart's «Beskrivelse og tall», its generated long description, download
/// links), and a figure's `<summary>` and table `<caption>`. The rest of a
/// `<figure>` (caption, table, source) and every `<table>` go to
/// [`Segment::aside`]: searched, but no excerpt is taken from them.
pub fn segments(html: &str) -> Vec<Segment> {
    let mut out = vec![Segment::default()];
    // Whether a space is owed before the next character of the last segment's
    // heading, text and aside: whitespace is squashed as it is copied, so the
    // text is written once.
    let mut space = [false; 3];
    let mut skip_depth = 0usize; // inside svg/script/style
                                 // The element being skipped (its name) and how deep in elements of that name.
    let mut skipping: Option<(String, usize)> = None;
    let mut figure_depth = 0usize;
    let mut in_heading = false;
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        let visible = skip_depth == 0 && skipping.is_none();
        push_text(&mut out, &mut space, &rest[..lt], visible, in_heading, figure_depth > 0);
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
        if let Some((skipped, depth)) = &mut skipping {
            if name == skipped.as_str() && !tag.ends_with('/') {
                if closing {
                    *depth -= 1;
                    if *depth == 0 {
                        skipping = None;
                    }
                } else {
                    *depth += 1;
                }
            }
            continue;
        }
        if !closing
            && !tag.ends_with('/')
            && !name.is_empty()
            && (tag.contains("data-search=\"skip\"") || (figure_depth > 0 && matches!(name, "summary" | "caption")))
        {
            skipping = Some((name.to_string(), 1));
            continue;
        }
        match name {
            "figure" | "table" if !closing => figure_depth += 1,
            "figure" | "table" => figure_depth = figure_depth.saturating_sub(1),
            "svg" | "script" | "style" | "title" if !closing && !tag.ends_with('/') => skip_depth += 1,
            "svg" | "script" | "style" | "title" if closing => skip_depth = skip_depth.saturating_sub(1),
            "h2" | "h3" | "h4" | "h5" | "h6" if !closing && skip_depth == 0 => {
                let anchor = attr(tag, "id").unwrap_or_default();
                out.push(Segment { anchor, ..Segment::default() });
                space = [false; 3];
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
                    push_text(&mut out, &mut space, " ", skip_depth == 0, in_heading, figure_depth > 0);
                }
            }
        }
    }
    push_text(&mut out, &mut space, rest, skip_depth == 0 && skipping.is_none(), in_heading, figure_depth > 0);
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

/// Appends the text `raw` (escaped, as in the HTML) to the heading, the text or
/// the aside of the last segment, squashed: runs of whitespace become one space,
/// and there is none at either end of a heading, text or aside.
fn push_text(out: &mut [Segment], space: &mut [bool; 3], raw: &str, visible: bool, heading: bool, aside: bool) {
    if !visible || raw.is_empty() {
        return;
    }
    let Some(last) = out.last_mut() else { return };
    let (out, space) = if heading {
        (&mut last.heading, &mut space[0])
    } else if aside {
        (&mut last.aside, &mut space[2])
    } else {
        (&mut last.text, &mut space[1])
    };
    unescape_into(&mut Squash { out, space }, raw);
}

/// The bytes that can start a whitespace character: whitespace beyond ASCII
/// starts with one of 0xC2, 0xE1, 0xE2, 0xE3, which never occur inside another
/// character's encoding. A table, as the loops that pass all other bytes test
/// every byte of the text.
const WHITESPACE_START: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = matches!(b as u8, b' ' | b'\t'..=b'\r' | 0xC2 | 0xE1 | 0xE2 | 0xE3);
        b += 1;
    }
    table
};

/// The first `i` at or after `from` where `stop[bytes[i]]`, or the end.
fn skip_to(bytes: &[u8], from: usize, stop: &[bool; 256]) -> usize {
    let mut i = from;
    while i < bytes.len() && !stop[usize::from(bytes[i])] {
        i += 1;
    }
    i
}

/// The length in bytes of the whitespace character (`char::is_whitespace`) at
/// byte `i` of `s`, or 0 when there is none (or `i` is past the end).
fn whitespace_at(s: &str, i: usize) -> usize {
    match s.as_bytes().get(i) {
        Some(b' ' | b'\t'..=b'\r') => 1,
        Some(0xC2 | 0xE1 | 0xE2 | 0xE3) => {
            s[i..].chars().next().filter(|c| c.is_whitespace()).map_or(0, char::len_utf8)
        }
        _ => 0,
    }
}

/// A string written with its whitespace squashed (as `split_whitespace` and a
/// join with `" "` would), `space` saying whether a space is owed before the
/// next character that is not whitespace.
struct Squash<'a> {
    out: &'a mut String,
    space: &'a mut bool,
}

impl Squash<'_> {
    fn push_run(&mut self, run: &str) {
        if run.is_empty() {
            return;
        }
        if *self.space && !self.out.is_empty() {
            self.out.push(' ');
        }
        *self.space = false;
        self.out.push_str(run);
    }
}

impl Sink for Squash<'_> {
    fn push_str(&mut self, s: &str) {
        let bytes = s.as_bytes();
        // `s[from..i]` is still to be written: text whose only whitespace is
        // single spaces between other characters, which stay as they are.
        let mut from = 0;
        let mut i = 0;
        loop {
            i = skip_to(bytes, i, &WHITESPACE_START);
            if i == bytes.len() {
                break;
            }
            let width = whitespace_at(s, i);
            let lone_space = width == 1
                && bytes[i] == b' '
                && i > from
                && bytes.get(i + 1).is_some_and(|&b| !WHITESPACE_START[usize::from(b)] || whitespace_at(s, i + 1) == 0);
            if width == 0 || lone_space {
                i += 1;
                continue;
            }
            self.push_run(&s[from..i]);
            *self.space = true;
            i += width;
            from = i;
        }
        self.push_run(&s[from..]);
    }

    fn push(&mut self, c: char) {
        if c.is_whitespace() {
            *self.space = true;
        } else {
            self.push_run(c.encode_utf8(&mut [0; 4]));
        }
    }
}

fn attr(tag: &str, name: &str) -> Option<String> {
    html::attr(tag, name).map(unescape)
}

/// Lower-case words of `text`. Numbers written with a space as thousands separator
/// (`2 045`, `1 234 567`) stay one word; e-mail addresses give their parts.
///
/// ```
/// use innsyn::search::text::words;
/// assert_eq!(words("Årsverk i 2 045, og sykefravær-tallene"), ["årsverk", "i", "2045", "og", "sykefravær", "tallene"]);
/// ```
pub fn words(text: &str) -> Vec<String> {
    let mut lowered = String::with_capacity(text.len());
    let known = lower_into(&mut lowered, text);
    let mut out = Vec::new();
    each_lowered_word(&lowered, known, |w| out.push(w.to_string()));
    out
}

/// Appends `text` to `out` NFC-normalised and lower-cased, with thousands joined
/// (`2 045` → `2045`): the words of what is appended are the words of `text`.
/// Returns whether the fast path of [`each_word`] knows every character appended.
///
/// Normalising makes `å` written as `a` and a combining ring the same word as
/// `å`, as `search.js` normalises the query. Otherwise the same as
/// `str::to_lowercase` after the join, but one pass with no allocation of its
/// own for text already in NFC (nearly all): text is copied in runs and its
/// ASCII lower-cased in place; only capitals beyond ASCII are lower-cased one by one.
///
/// ```
/// use innsyn::search::text::lower_into;
/// let mut out = String::new();
/// assert!(lower_into(&mut out, "Årsverk: 2 045"));
/// assert_eq!(out, "årsverk: 2045");
/// out.clear();
/// lower_into(&mut out, "Mera\u{30a}ker");
/// assert_eq!(out, "meråker");
/// ```
pub fn lower_into(out: &mut String, text: &str) -> bool {
    let text: &str = &crate::unicode::nfc(text);
    /// Copies `run`, which has no capitals but ASCII ones, lower-cased.
    fn push_run(out: &mut String, run: &str) {
        let at = out.len();
        out.push_str(run);
        out[at..].make_ascii_lowercase();
    }
    let start = out.len();
    let bytes = text.as_bytes();
    let mut known = true;
    // `text[from..i]` is not yet copied: characters that are their own small
    // letter but for ASCII capitals, so most text is copied in one piece.
    let mut from = 0;
    let mut i = 0;
    loop {
        i = skip_to(bytes, i, &LOWER_STOP);
        if i == bytes.len() {
            break;
        }
        if bytes[i].is_ascii_digit() {
            i += 1;
            if bytes.get(i) == Some(&b' ') && thousands_gap(bytes, i, 1) {
                push_run(out, &text[from..i]);
                i += 1;
                from = i;
            }
            continue;
        }
        let Some(c) = text[i..].chars().next() else { break };
        let at = i;
        i += c.len_utf8();
        let lowered = match c {
            // Small Latin-1 letters (and ÷) are their own small letter.
            '\u{df}'..='\u{ff}' => continue,
            '\u{a0}' | '\u{202f}' if thousands_gap(bytes, at, c.len_utf8()) => None,
            // Capital Latin-1 letters (not ×) have their small letter 32 after them.
            '\u{c0}'..='\u{de}' if c != '\u{d7}' => char::from_u32(u32::from(c) + 32),
            // A capital sigma's small letter depends on the letters around it.
            '\u{3a3}' => {
                out.truncate(start);
                out.push_str(&join_thousands(text).to_lowercase());
                return out[start..].chars().all(|c| class(c).is_some());
            }
            _ => {
                let mut small = c.to_lowercase();
                if small.len() == 1 && small.next() == Some(c) {
                    known &= class(c).is_some();
                    continue;
                }
                push_run(out, &text[from..at]);
                from = i;
                for c in c.to_lowercase() {
                    known &= class(c).is_some();
                    out.push(c);
                }
                continue;
            }
        };
        push_run(out, &text[from..at]);
        from = i;
        out.extend(lowered);
    }
    push_run(out, &text[from..]);
    known
}

/// The bytes where [`lower_into`] looks closer: digits (a space after one may
/// join thousands) and the first bytes of characters beyond ASCII.
const LOWER_STOP: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = b >= 0x80 || (b as u8).is_ascii_digit();
        b += 1;
    }
    table
};

/// Whether the separator of `width` bytes at `at` in `text` stands between a
/// digit and exactly three digits, like the space in `2 045`.
fn thousands_gap(text: &[u8], at: usize, width: usize) -> bool {
    // A character before or after is a digit exactly when its (first) byte is.
    let after = &text[(at + width).min(text.len())..];
    at > 0
        && text[at - 1].is_ascii_digit()
        && after.len() >= 3
        && after[..3].iter().all(u8::is_ascii_digit)
        && after.get(3).is_none_or(|b| !b.is_ascii_digit())
}

/// The words of lower-cased text (as [`lower_into`] makes it), by Unicode word
/// boundaries (UAX #29), borrowed from it. Text of Latin letters, digits and
/// common punctuation is split by a fast path with the same result as
/// `unicode_segmentation`'s `unicode_words`, which splits everything else.
///
/// ```
/// use innsyn::search::text::each_word;
/// let mut found = Vec::new();
/// each_word("årsverk: 2,5 i asker.kommune.no – «ok»", |w| found.push(w));
/// assert_eq!(found, ["årsverk", "2,5", "i", "asker.kommune.no", "ok"]);
/// ```
pub fn each_word<'a>(lowered: &'a str, f: impl FnMut(&'a str)) {
    let known = lowered.is_ascii() || lowered.chars().all(|c| class(c).is_some());
    each_lowered_word(lowered, known, f);
}

/// [`each_word`], told by `known` whether its fast path knows every character
/// of `lowered` (as [`lower_into`] tells).
pub fn each_lowered_word<'a>(lowered: &'a str, known: bool, mut f: impl FnMut(&'a str)) {
    if !known {
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
    let bytes = lowered.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // ASCII by table; other characters decoded (`i` is always at the start
        // of one).
        let (k, mut width) = match bytes[i] {
            b @ 0..=0x7f => (ASCII_CLASSES[usize::from(b)], 1),
            _ => match lowered[i..].chars().next() {
                Some(c) => (class(c).unwrap_or(Class::Other), c.len_utf8()),
                None => break,
            },
        };
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
                // The rest of a run of ASCII letters or digits changes nothing but
                // where the word ends.
                let rest = bytes[i + width..].iter();
                width += match k {
                    Class::Letter => rest.take_while(|b| b.is_ascii_alphabetic()).count(),
                    Class::Number => rest.take_while(|b| b.is_ascii_digit()).count(),
                    _ => 0,
                };
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
        i += width;
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

/// The classes of the ASCII characters, looked up rather than matched: most
/// characters of most pages are ASCII.
const ASCII_CLASSES: [Class; 128] = {
    let mut table = [Class::Other; 128];
    let mut b = 0u8;
    while b < 128 {
        if let Some(k) = class(b as char) {
            table[b as usize] = k;
        }
        b += 1;
    }
    table
};

/// The class of `c`, or `None` when the fast path does not know it.
const fn class(c: char) -> Option<Class> {
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
        assert_eq!(s[1].text, "Tekst");
        assert_eq!(s[1].aside, "Figur 48");
    }

    #[test]
    fn interface_text_is_skipped_and_figures_are_searched_but_not_excerpted() {
        let html = "<p>Før</p><figure class=\"chart\"><figcaption>Årsverk i Meråker</figcaption>\
            <details class=\"chart-details\"><summary>Beskrivelse og tall</summary>\
            <p data-search=\"skip\">Diagrammet viser <b>noe</b> <p>mer</p></p>\
            <table><caption>Tallene i diagrammet: Årsverk</caption><tr><th>Pleie</th><td>48</td></tr></table></details>\
            <ul data-search=\"skip\"><li><ul><li>Last ned</li></ul></li><li>dataene</li></ul>\
            <p class=\"data-source\">Kilde: KRD</p></figure><p>Etter <span data-search=\"skip\">ikke</span>dette</p>";
        let s = segments(html);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].text, "Før Etter dette");
        assert_eq!(s[0].aside, "Årsverk i Meråker Pleie 48 Kilde: KRD");
    }

    #[test]
    fn decomposed_letters_give_the_words_of_composed_ones() {
        assert_eq!(words("Mera\u{30a}ker og A\u{30a}S kafe\u{301}"), words("Meråker og ÅS kafé"));
        assert_eq!(words("A\u{30a}rsverk"), ["årsverk"]);
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

    proptest::proptest! {
        #[test]
        fn text_is_squashed_as_split_whitespace_joins_it(
            parts in proptest::collection::vec("[ab æ\t\n\u{a0}\u{2003}\u{b}]{0,6}|&nbsp;|&#32;|&amp;", 0..8)
        ) {
            let html = parts.concat();
            let expected = unescape(&html).split_whitespace().collect::<Vec<_>>().join(" ");
            let (mut out, mut space) = (String::new(), false);
            for part in &parts {
                unescape_into(&mut Squash { out: &mut out, space: &mut space }, part);
            }
            proptest::prop_assert_eq!(&out, &expected);
            // In one piece, as well as in several.
            let (mut whole, mut space) = (String::new(), false);
            unescape_into(&mut Squash { out: &mut whole, space: &mut space }, &html);
            proptest::prop_assert_eq!(whole, expected);
        }

        #[test]
        fn lowering_is_to_lowercase_after_the_thousands_are_joined(
            text in "[aZæÆØÅÀÞßÿ×÷ΣσİẞΩ0-9 \u{a0}\u{202f}.,]{0,24}"
        ) {
            let mut out = String::from("kept ");
            let known = lower_into(&mut out, &text);
            let expected = join_thousands(&text).to_lowercase();
            proptest::prop_assert_eq!(&out[5..], expected.as_str());
            proptest::prop_assert_eq!(known, expected.chars().all(|c| class(c).is_some()));
        }
    }

    #[test]
    fn a_space_before_a_tag_is_not_kept_at_the_end_of_a_heading() {
        let s = segments("<h2 id=\"a\">Bakgrunn <a class=\"heading-anchor\" href=\"#a\">#</a></h2><p> x  y </p>");
        assert_eq!((s[1].heading.as_str(), s[1].text.as_str()), ("Bakgrunn", "x y"));
    }

    #[test]
    fn entities_are_unescaped() {
        assert_eq!(unescape("&lt;script&gt; &#39;x&#39; &#x2F;"), "<script> 'x' /");
        assert_eq!(unescape("a & b"), "a & b");
    }
}
