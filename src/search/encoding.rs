//! How postings and shard boundaries are written in the index files: postings
//! as strings of base-32 digits (no JSON number arrays), scores quantized to one
//! character, and the order terms are sorted in, which is JavaScript's (UTF-16
//! code units) so `search.js` can binary-search the shard list with `<`.
//! Knows nothing of pages or sites.

use std::borrow::Cow;
use std::cmp::Ordering;

/// The 64 digit characters. Values 0–31 are digits of a number that go on
/// (more digits follow), 32–63 its last digit; a score is one character, 0–63.
pub const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The score of quantized level 0 and the ratio between neighbouring levels:
/// level `q` stands for `SCORE_BASE × SCORE_STEP^q`, from 0.05 to about 48, so a
/// score is kept within ±5.5 %.
pub const SCORE_BASE: f64 = 0.05;
/// The ratio between neighbouring score levels.
pub const SCORE_STEP: f64 = 1.115;

/// One page's entry in a term's posting list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posting {
    /// Page id.
    pub page: u32,
    /// Quantized BM25 score, 0–63 (see [`quantize`]).
    pub score: u8,
    /// Index into the page's `h` list of the heading where the term weighs most.
    pub heading: u32,
}

/// The level 0–63 nearest to `score` on the logarithmic scale.
///
/// ```
/// use innsyn::search::encoding::{quantize, score_of};
/// assert_eq!(quantize(0.0), 0);
/// assert_eq!(quantize(1000.0), 63);
/// let q = quantize(3.2);
/// assert!((score_of(q) / 3.2 - 1.0).abs() < 0.06);
/// ```
pub fn quantize(score: f64) -> u8 {
    if score.is_nan() || score <= SCORE_BASE {
        return 0;
    }
    ((score / SCORE_BASE).ln() / SCORE_STEP.ln()).round().min(63.0) as u8
}

/// The score a quantized level stands for.
pub fn score_of(level: u8) -> f64 {
    SCORE_BASE * SCORE_STEP.powi(i32::from(level))
}

/// Appends `n` as big-endian base-32 digits, the last one from the upper half of
/// the alphabet: 0 → `g`, 31 → `_`, 32 → `Bg`.
pub fn push_number(out: &mut String, n: u32) {
    let mut digits = [0u8; 7];
    let mut len = 0;
    let mut rest = n;
    loop {
        digits[len] = (rest & 31) as u8;
        len += 1;
        rest >>= 5;
        if rest == 0 {
            break;
        }
    }
    for &d in digits[1..len].iter().rev() {
        out.push(char::from(ALPHABET[usize::from(d)]));
    }
    out.push(char::from(ALPHABET[32 + usize::from(digits[0])]));
}

/// A term's posting list, best first: the postings are sorted by score level,
/// highest first, then by page id, and written as one group per level: the
/// level as one character, the number of pages in the group, then for each
/// page the difference of its id from the previous page's in the group (the
/// first: the id itself) and its heading index. The pages a term scores best
/// on come first, so `search.js` picks a word's best pages without reading the
/// whole list.
///
/// ```
/// use innsyn::search::encoding::{encode, decode, Posting};
/// let list = [Posting { page: 3, score: 7, heading: 0 }, Posting { page: 40, score: 40, heading: 2 }];
/// assert_eq!(encode(&list), "ohBoiHhjg");
/// let best_first = [list[1], list[0]];
/// assert_eq!(decode("ohBoiHhjg").unwrap(), best_first);
/// ```
pub fn encode(postings: &[Posting]) -> String {
    let level = |p: &Posting| usize::from(p.score.min(63));
    let by_page: Cow<'_, [Posting]> = if postings.is_sorted_by_key(|p| p.page) {
        Cow::Borrowed(postings)
    } else {
        let mut sorted = postings.to_vec();
        sorted.sort_unstable_by_key(|p| p.page);
        Cow::Owned(sorted)
    };
    // A counting sort by level, highest first, which keeps each level's pages
    // in page order (the indexer's lists come in page order: no comparisons).
    let mut next = [0usize; 64];
    for p in by_page.iter() {
        next[level(p)] += 1;
    }
    let mut at = 0;
    for slot in next.iter_mut().rev() {
        (*slot, at) = (at, at + *slot);
    }
    let mut sorted = vec![Posting { page: 0, score: 0, heading: 0 }; by_page.len()];
    for p in by_page.iter() {
        sorted[next[level(p)]] = *p;
        next[level(p)] += 1;
    }
    let mut out = String::with_capacity(postings.len() * 3);
    for group in sorted.chunk_by(|a, b| level(a) == level(b)) {
        out.push(char::from(ALPHABET[usize::from(group[0].score.min(63))]));
        push_number(&mut out, group.len() as u32);
        let mut last = 0;
        for p in group {
            push_number(&mut out, p.page - last);
            push_number(&mut out, p.heading);
            last = p.page;
        }
    }
    out
}

/// Reads what [`encode`] wrote, best first; `None` when `s` is not such a list
/// (levels must fall from group to group, and pages rise within a group).
pub fn decode(s: &str) -> Option<Vec<Posting>> {
    let mut bytes = s.bytes();
    let mut out = Vec::new();
    let mut previous_level = 64;
    while bytes.len() > 0 {
        let level = digit(bytes.next()?)?;
        let count = read_number(&mut bytes)?;
        if level >= previous_level || count == 0 {
            return None;
        }
        previous_level = level;
        let mut page: u32 = 0;
        for i in 0..count {
            let delta = read_number(&mut bytes)?;
            if i > 0 && delta == 0 {
                return None;
            }
            page = page.checked_add(delta)?;
            let heading = read_number(&mut bytes)?;
            out.push(Posting { page, score: level as u8, heading });
        }
    }
    Some(out)
}

/// Sorted page ids (a filter value's pages): each id's difference from the
/// previous one (the first: the id itself), as numbers of [`push_number`].
///
/// ```
/// use innsyn::search::encoding::{encode_ids, decode_ids};
/// assert_eq!(encode_ids(&[1, 2, 40]), "hhBm");
/// assert_eq!(decode_ids("hhBm").unwrap(), [1, 2, 40]);
/// ```
pub fn encode_ids(ids: &[usize]) -> String {
    let mut out = String::with_capacity(ids.len() * 2);
    let mut last = 0;
    for &id in ids {
        push_number(&mut out, (id - last) as u32);
        last = id;
    }
    out
}

/// Reads what [`encode_ids`] wrote; `None` when `s` is not such a list.
pub fn decode_ids(s: &str) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    let mut bytes = s.bytes();
    let mut id: usize = 0;
    while bytes.len() > 0 {
        id = id.checked_add(read_number(&mut bytes)? as usize)?;
        out.push(id);
    }
    Some(out)
}

fn digit(b: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == b).map(|d| d as u32)
}

fn read_number(bytes: &mut std::str::Bytes<'_>) -> Option<u32> {
    let mut n: u32 = 0;
    loop {
        let d = digit(bytes.next()?)?;
        n = n.checked_mul(32)?.checked_add(d & 31)?;
        if d >= 32 {
            return Some(n);
        }
    }
}

/// Compares as JavaScript compares strings: by UTF-16 code units. This is the
/// order of the shard list and of the terms in the shards.
///
/// ```
/// use std::cmp::Ordering;
/// use innsyn::search::encoding::utf16_cmp;
/// assert_eq!(utf16_cmp("ab", "b"), Ordering::Less);
/// // U+1F600 is written with surrogates (0xD83D …), which sort before U+FF01.
/// assert_eq!(utf16_cmp("😀", "！"), Ordering::Less);
/// ```
pub fn utf16_cmp(a: &str, b: &str) -> Ordering {
    // Byte order is code point order, which is UTF-16 order as long as neither
    // string has a character beyond U+FFFF (a 4-byte sequence).
    if a.bytes().chain(b.bytes()).all(|x| x < 0xF0) {
        a.cmp(b)
    } else {
        a.encode_utf16().cmp(b.encode_utf16())
    }
}

/// The shortest start of `first` that sorts after `previous` (which sorts before
/// `first`): the shard boundary between two neighbouring terms.
///
/// ```
/// use innsyn::search::encoding::boundary;
/// assert_eq!(boundary("kommun", "kommunal"), "kommuna");
/// assert_eq!(boundary("barn", "torg"), "t");
/// ```
pub fn boundary<'a>(previous: &str, first: &'a str) -> &'a str {
    first
        .char_indices()
        .map(|(i, c)| &first[..i + c.len_utf8()])
        .find(|p| utf16_cmp(p, previous) == Ordering::Greater)
        .unwrap_or(first)
}

/// The shard a term belongs to, given each shard's boundary (the first is
/// `""`): the last shard whose boundary sorts at or before the term.
///
/// ```
/// use innsyn::search::encoding::shard_of;
/// let starts = ["", "h", "kommuna", "t"];
/// assert_eq!(shard_of(&starts, "barn"), 0);
/// assert_eq!(shard_of(&starts, "kommun"), 1);
/// assert_eq!(shard_of(&starts, "kommunal"), 2);
/// assert_eq!(shard_of(&starts, "torg"), 3);
/// ```
pub fn shard_of<S: AsRef<str>>(starts: &[S], term: &str) -> usize {
    starts.partition_point(|s| utf16_cmp(s.as_ref(), term) != Ordering::Greater).saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn small_numbers_take_one_character_and_large_ones_more() {
        let mut s = String::new();
        for n in [0, 31, 32, 1023, 1024, u32::MAX] {
            s.clear();
            push_number(&mut s, n);
            let expected = match n {
                0..=31 => 1,
                32..=1023 => 2,
                1024..=32767 => 3,
                _ => 7,
            };
            assert_eq!(s.len(), expected, "{n} as {s}");
        }
    }

    #[test]
    fn quantized_scores_keep_their_order_and_stay_close() {
        let mut last = 0;
        for i in 1..400 {
            let score = f64::from(i) * 0.1;
            let q = quantize(score);
            assert!(q >= last, "{score} went down to level {q}");
            last = q;
            if score < 45.0 {
                assert!((score_of(q) / score - 1.0).abs() < 0.06, "{score} → {q} → {}", score_of(q));
            }
        }
    }

    #[test]
    fn text_that_is_no_posting_list_is_refused() {
        assert_eq!(decode(""), Some(Vec::new()));
        assert_eq!(decode("A"), None, "no count");
        assert_eq!(decode("Ah"), None, "a group without its page");
        assert_eq!(decode("Ahg"), None, "no heading");
        assert_eq!(decode("AhA"), None, "a number that does not end");
        assert_eq!(decode("Ah!g"), None, "not a digit");
        assert_eq!(decode("Ag"), None, "an empty group");
        assert_eq!(decode("Aihggg"), None, "the same page twice in a group");
        assert_eq!(decode("AhggAhhg"), None, "the same level twice");
        assert_eq!(decode("AhggBhhg"), None, "a level higher than the one before");
        assert_eq!(decode("BhggAhhg").map(|l| l.len()), Some(2));
    }

    proptest! {
        #[test]
        fn postings_survive_encoding_best_first(mut raw in proptest::collection::vec((0u32..5_000_000, 0u8..64, 0u32..3000), 0..60)) {
            raw.sort_by_key(|r| r.0);
            raw.dedup_by_key(|r| r.0);
            let list: Vec<Posting> = raw.iter().map(|&(page, score, heading)| Posting { page, score, heading }).collect();
            let text = encode(&list);
            prop_assert!(text.bytes().all(|b| ALPHABET.contains(&b)));
            let mut best_first = list.clone();
            best_first.sort_by_key(|p| (std::cmp::Reverse(p.score), p.page));
            prop_assert_eq!(decode(&text), Some(best_first));
            let mut reversed = list.clone();
            reversed.reverse();
            prop_assert_eq!(encode(&reversed), text, "the order of the postings given does not matter");
        }

        #[test]
        fn shard_of_agrees_with_sorting(mut terms in proptest::collection::vec("[a-zæøå😀！0-9]{1,6}", 2..40), cut in 1usize..10) {
            terms.sort_by(|a, b| utf16_cmp(a, b));
            terms.dedup();
            let mut starts = vec![String::new()];
            let mut owner = vec![0];
            for i in 1..terms.len() {
                if i % cut == 0 {
                    starts.push(boundary(&terms[i - 1], &terms[i]).to_string());
                }
                owner.push(starts.len() - 1);
            }
            for (t, &o) in terms.iter().zip(&owner) {
                prop_assert_eq!(shard_of(&starts, t), o, "{} in {:?}", t, starts);
            }
        }
    }
}
