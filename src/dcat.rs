//! The vocabulary of DCAT-AP-NO, the Norwegian profile of the EU's data catalogue
//! standard: licences by name, organisation numbers, media types and file types,
//! and the namespaces the catalogue is written in. Knows no site and writes nothing.

/// The JSON-LD `@context` of the catalogue: the prefixes of the vocabularies used.
pub const PREFIXES: [(&str, &str); 7] = [
    ("adms", "http://www.w3.org/ns/adms#"),
    ("dcat", "http://www.w3.org/ns/dcat#"),
    ("dct", "http://purl.org/dc/terms/"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("vcard", "http://www.w3.org/2006/vcard/ns#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
];

/// The codes of the EU's data theme vocabulary
/// (<http://publications.europa.eu/resource/authority/data-theme>), which DCAT-AP-NO
/// uses for `dcat:theme`.
pub const DATA_THEMES: [&str; 14] = [
    "AGRI",
    "ECON",
    "EDUC",
    "ENER",
    "ENVI",
    "GOVE",
    "HEAL",
    "INTR",
    "JUST",
    "OP_DATPRO",
    "REGI",
    "SOCI",
    "TECH",
    "TRAN",
];

/// Licences authors name in words, with the address DCAT-AP-NO wants for
/// `dct:license` (the ones Felles datakatalog lists).
const LICENCES: [(&str, &str); 9] = [
    ("nlod", "http://data.norge.no/nlod/no/2.0"),
    ("nlod 2.0", "http://data.norge.no/nlod/no/2.0"),
    ("nlod 1.0", "http://data.norge.no/nlod/no/1.0"),
    ("cc0", "http://creativecommons.org/publicdomain/zero/1.0/"),
    ("cc0 1.0", "http://creativecommons.org/publicdomain/zero/1.0/"),
    ("cc by 4.0", "http://creativecommons.org/licenses/by/4.0/"),
    ("cc by-sa 4.0", "http://creativecommons.org/licenses/by-sa/4.0/"),
    ("cc by 3.0 no", "http://creativecommons.org/licenses/by/3.0/no/"),
    ("cc by 4.0 int", "http://creativecommons.org/licenses/by/4.0/"),
];

/// The names [`licence_uri`] knows, for hints.
pub const LICENCE_NAMES: &str = "NLOD 2.0, NLOD 1.0, CC0 1.0, CC BY 4.0, CC BY-SA 4.0, CC BY 3.0 NO";

/// The address of a licence named in words (`NLOD 2.0`, `CC BY 4.0`, case and
/// spacing as written) or given as an http(s) address; `None` for a name it
/// does not know.
///
/// ```
/// use innsyn::dcat::licence_uri;
/// assert_eq!(licence_uri("NLOD 2.0").as_deref(), Some("http://data.norge.no/nlod/no/2.0"));
/// assert_eq!(licence_uri("cc-by 4.0").as_deref(), Some("http://creativecommons.org/licenses/by/4.0/"));
/// assert_eq!(licence_uri("https://example.org/lisens").as_deref(), Some("https://example.org/lisens"));
/// assert_eq!(licence_uri("fri bruk"), None);
/// ```
pub fn licence_uri(licence: &str) -> Option<String> {
    let licence = licence.trim();
    if licence.starts_with("https://") || licence.starts_with("http://") {
        return (!licence.contains(char::is_whitespace)).then(|| licence.to_string());
    }
    // `CC-BY 4.0`, `cc  by 4.0` and `CC BY 4.0` are one licence.
    let words: Vec<String> =
        licence.to_lowercase().replace("cc-by", "cc by").split_whitespace().map(str::to_string).collect();
    let key = words.join(" ");
    LICENCES.iter().find(|(name, _)| *name == key).map(|(_, uri)| uri.to_string())
}

/// Whether `number` is a Norwegian organisation number: nine digits whose
/// modulus-11 check digit (weights 3 2 7 6 5 4 3 2) is right. Spaces are allowed
/// between the digits.
///
/// ```
/// use innsyn::dcat::organization_number;
/// assert_eq!(organization_number("974 760 673").as_deref(), Some("974760673")); // Brønnøysundregistrene
/// assert_eq!(organization_number("974760674"), None);
/// assert_eq!(organization_number("12345"), None);
/// ```
pub fn organization_number(number: &str) -> Option<String> {
    let digits: String = number.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let d: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
    let sum: u32 = [3, 2, 7, 6, 5, 4, 3, 2].iter().zip(&d).map(|(w, x)| w * x).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return None,
        c => c,
    };
    (check == d[8]).then_some(digits)
}

/// How a published file is named in the catalogue: its IANA media type (for
/// `dcat:mediaType`, `None` when IANA registers none, as for PC-Axis), the EU
/// file type (for `dct:format`), and a label for the format.
///
/// ```
/// use innsyn::dcat::file_format;
/// let f = file_format("befolkning.csv");
/// assert_eq!(f.media_type, Some("text/csv"));
/// assert_eq!(f.eu_file_type, Some("CSV"));
/// assert_eq!(file_format("tabell.px").media_type, None);
/// ```
pub fn file_format(name: &str) -> FileFormat {
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e).to_ascii_lowercase();
    let (media_type, eu_file_type, label) = match ext.as_str() {
        "csv" => (Some("text/csv"), Some("CSV"), "CSV"),
        "tsv" | "tab" => (Some("text/tab-separated-values"), Some("TSV"), "TSV"),
        "json" => (Some("application/json"), Some("JSON"), "JSON"),
        "toml" => (Some("application/toml"), None, "TOML"),
        "px" => (None, None, "PC-Axis"),
        "xlsx" => (Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), Some("XLSX"), "XLSX"),
        "ods" => (Some("application/vnd.oasis.opendocument.spreadsheet"), Some("ODS"), "ODS"),
        _ => (None, None, ""),
    };
    FileFormat { media_type, eu_file_type, label }
}

/// See [`file_format`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileFormat {
    /// The IANA media type, e.g. `text/csv`.
    pub media_type: Option<&'static str>,
    /// The code in the EU's file type vocabulary, e.g. `CSV`.
    pub eu_file_type: Option<&'static str>,
    /// What readers call the format, e.g. `PC-Axis`; empty when unknown.
    pub label: &'static str,
}

/// The address of an IANA media type, as DCAT-AP-NO wants it in `dcat:mediaType`.
pub fn media_type_uri(media_type: &str) -> String {
    format!("https://www.iana.org/assignments/media-types/{media_type}")
}

/// The address of a code of the EU's file type vocabulary.
pub fn file_type_uri(code: &str) -> String {
    format!("http://publications.europa.eu/resource/authority/file-type/{code}")
}

/// The address of a code of the EU's data theme vocabulary.
pub fn theme_uri(code: &str) -> String {
    format!("http://publications.europa.eu/resource/authority/data-theme/{code}")
}

/// The address of a language in the EU's language vocabulary (`nb` → `NOB`).
pub fn language_uri(code: &str) -> String {
    let eu = match code {
        "nn" => "NNO",
        "en" => "ENG",
        "se" => "SME",
        _ => "NOB",
    };
    format!("http://publications.europa.eu/resource/authority/language/{eu}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_organisation_number_needs_nine_digits_and_the_right_check_digit() {
        for ok in ["123456785", "974760673", " 974 760 673 "] {
            assert!(organization_number(ok).is_some(), "{ok}");
        }
        for bad in ["123456784", "12345678a", "1234567850", ""] {
            assert!(organization_number(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn every_known_licence_name_has_an_address() {
        for name in LICENCE_NAMES.split(", ") {
            assert!(licence_uri(name).is_some(), "{name}");
        }
    }
}
