//! Words from rendered pages: the text of a page's body split at its headings
//! (so a hit can point at the nearest heading's anchor), tokenized into lower-case
//! words, and folded so `aa`/`ae`/`oe` typed in a query find å/æ/ø.

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
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match name.as_str() {
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
                if !closing && is_block(&name) {
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
    let text = unescape(raw);
    let last = out.last_mut().expect("there is always a segment");
    if heading {
        last.heading.push_str(&text);
    } else {
        last.text.push_str(&text);
    }
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    Some(unescape(&tag[i..i + tag[i..].find('"')?]))
}

/// Undoes the HTML escapes innsyn writes (and numeric ones).
pub fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
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
    out
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Lower-case words of `text`. Numbers written with a space as thousands separator
/// (`2 045`, `1 234 567`) stay one word; e-mail addresses give their parts.
///
/// ```
/// use innsyn::search::text::words;
/// assert_eq!(words("Årsverk i 2 045, og sykefravær-tallene"), ["årsverk", "i", "2045", "og", "sykefravær", "tallene"]);
/// ```
pub fn words(text: &str) -> Vec<String> {
    let joined = join_thousands(text);
    joined
        .unicode_words()
        .map(|w| {
            if w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
                w.to_string()
            } else {
                w.to_lowercase()
            }
        })
        .collect()
}

/// `2 045` → `2045` (space, no-break space or narrow no-break space between a digit
/// and exactly three digits).
fn join_thousands(text: &str) -> std::borrow::Cow<'_, str> {
    // Most text has no digit before a space: nothing to join.
    let may_join =
        text.as_bytes().windows(2).any(|w| w[0].is_ascii_digit() && (w[1] == b' ' || w[1] == 0xC2 || w[1] == 0xE2));
    if !may_join {
        return std::borrow::Cow::Borrowed(text);
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
    std::borrow::Cow::Owned(out)
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

/// The shard a folded term belongs to: its first two characters, written so the
/// name is safe in a file name on every system.
///
/// ```
/// assert_eq!(innsyn::search::text::shard("torg"), "to");
/// assert_eq!(innsyn::search::text::shard("2045"), "20");
/// assert_eq!(innsyn::search::text::shard("я"), "_44f");
/// ```
pub fn shard(term: &str) -> String {
    term.chars()
        .take(2)
        .map(|c| if c.is_ascii_lowercase() || c.is_ascii_digit() { c.to_string() } else { format!("_{:x}", c as u32) })
        .collect()
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
    fn entities_are_unescaped() {
        assert_eq!(unescape("&lt;script&gt; &#39;x&#39; &#x2F;"), "<script> 'x' /");
        assert_eq!(unescape("a & b"), "a & b");
    }
}
