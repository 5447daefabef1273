//! `check --external`: asks each host the site links to whether the addresses
//! still answer. The only module that goes on the network, and only when asked:
//! hosts are asked side by side, each host's addresses one after another (so no
//! host gets a burst), and each host within a time limit of its own, so one slow
//! host neither holds up the others nor the check for long. What it finds are
//! warnings at the `file:line` of each link.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::{clip, Diagnostic};
use crate::lint::ExternalLink;

/// How long the check may spend on one host, and how many hosts it asks at once.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The time all requests to one host may take together.
    pub per_host: Duration,
    /// Hosts asked at the same time.
    pub hosts_at_once: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { per_host: Duration::from_secs(10), hosts_at_once: 8 }
    }
}

/// What asking for an address gave.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    /// A status below 400 (after following redirects).
    Fine,
    /// An error status, with its reason phrase.
    Status(u16, String),
    /// No answer within the host's time.
    TimedOut,
    /// The host could not be reached or spoke no HTTP.
    Unreachable(String),
    /// The host's time was used up by its other addresses.
    NotAsked,
}

/// Checks every link and returns a warning for each place that links to an
/// address that does not answer well.
pub fn check(links: &[ExternalLink], limits: Limits) -> Vec<Diagnostic> {
    // Addresses by host, in address order.
    let mut by_host: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, link) in links.iter().enumerate() {
        by_host.entry(host(&link.url)).or_default().push(i);
    }
    let hosts: Vec<(String, Vec<usize>)> = by_host.into_iter().collect();
    let answers: Mutex<Vec<Option<Answer>>> = Mutex::new(vec![None; links.len()]);
    let next = AtomicUsize::new(0);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(10)
        .user_agent(concat!("innsyn/", env!("CARGO_PKG_VERSION"), " (link check)"))
        .build()
        .into();
    std::thread::scope(|scope| {
        for _ in 0..limits.hosts_at_once.clamp(1, hosts.len().max(1)) {
            scope.spawn(|| loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some((_, list)) = hosts.get(n) else { break };
                let deadline = Instant::now() + limits.per_host;
                for &i in list {
                    let answer = match deadline.checked_duration_since(Instant::now()) {
                        Some(left) if !left.is_zero() => ask(&agent, &links[i].url, left),
                        _ => Answer::NotAsked,
                    };
                    answers.lock().unwrap_or_else(std::sync::PoisonError::into_inner)[i] = Some(answer);
                }
            });
        }
    });
    let answers = answers.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    let secs = limits.per_host.as_secs_f64();
    let mut out = Vec::new();
    for (link, answer) in links.iter().zip(answers) {
        let url = clip(&link.url);
        let (message, hint) = match answer.unwrap_or(Answer::NotAsked) {
            Answer::Fine => continue,
            Answer::Status(code, reason) => (
                format!("the link `{url}` answers {code} {reason}"),
                "the page may have moved or been removed: find its new address, or link to an archived copy",
            ),
            Answer::TimedOut => (
                format!("the link `{url}` did not answer within {secs} s"),
                "the host may be slow or down: open the link yourself, or check again later",
            ),
            Answer::Unreachable(why) => (
                format!("the link `{url}` could not be reached: {why}"),
                "check the address for typing errors; the host may be down or gone",
            ),
            Answer::NotAsked => (
                format!("the link `{url}` was not checked: its host used up its {secs} s on other links"),
                "check again later, or open the link yourself",
            ),
        };
        for (file, line) in &link.places {
            let d = match line {
                Some(l) => Diagnostic::at(file, *l, 1, message.clone()),
                None => Diagnostic::new(PathBuf::from(file), message.clone()),
            };
            out.push(d.hint(hint).warning());
        }
    }
    out
}

/// Asks for `url` with a HEAD request (a GET where the host refuses HEAD).
fn ask(agent: &ureq::Agent, url: &str, time: Duration) -> Answer {
    let head = agent.head(url).config().timeout_global(Some(time)).build().call();
    let answer = answer(head);
    match answer {
        // Some hosts refuse HEAD (405, 501) or any request not from a browser (403).
        Answer::Status(403 | 405 | 501, _) => answer_get(agent, url, time),
        a => a,
    }
}

fn answer_get(agent: &ureq::Agent, url: &str, time: Duration) -> Answer {
    answer(agent.get(url).config().timeout_global(Some(time)).build().call())
}

fn answer(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
    match result {
        Ok(r) if r.status().as_u16() < 400 => Answer::Fine,
        Ok(r) => Answer::Status(r.status().as_u16(), r.status().canonical_reason().unwrap_or("").to_string()),
        Err(ureq::Error::Timeout(_)) => Answer::TimedOut,
        Err(e) => Answer::Unreachable(e.to_string()),
    }
}

/// The host (and port) of an `http(s)` address, lower-cased: `https://X.no:8080/a` → `x.no:8080`.
fn host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    authority.rsplit('@').next().unwrap_or_default().to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_grouped_by_their_host_and_port() {
        assert_eq!(host("https://WWW.Ssb.no/statbank/table/12345"), "www.ssb.no");
        assert_eq!(host("http://127.0.0.1:8080/a?b"), "127.0.0.1:8080");
        assert_eq!(host("https://user@x.no#a"), "x.no");
    }
}
