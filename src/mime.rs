//! Media types of the files a site publishes, as `serve` sends them and the
//! pages' structured data names them.

/// The `Content-Type` of a file by its name: innsyn's own choices for the files
/// a site is made of (text always with its charset, so a browser never guesses),
/// then `mime_guess`'s table for anything else an author puts in a bundle.
///
/// ```
/// use innsyn::mime::content_type;
/// assert_eq!(content_type("data/bemanning.csv"), "text/csv; charset=utf-8");
/// assert_eq!(content_type("vedlegg/referat.docx"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
/// assert_eq!(content_type("README"), "application/octet-stream");
/// ```
pub fn content_type(path: &str) -> String {
    let ext = path.rsplit_once('.').map_or("", |(_, ext)| ext).to_ascii_lowercase();
    let own = match ext.as_str() {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "xml" | "xsl" => "application/xml; charset=utf-8",
        "json" => "application/json",
        "txt" | "md" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "tsv" => "text/tab-separated-values; charset=utf-8",
        "toml" => "application/toml",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "" => "application/octet-stream",
        _ => return mime_guess::from_ext(&ext).first_raw().unwrap_or("application/octet-stream").to_string(),
    };
    own.to_string()
}
