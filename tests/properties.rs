//! Property tests over whole sites: any content either builds or fails with
//! diagnostics (never a panic), and building twice gives the same bytes.

use std::path::Path;

use innsyn::pipeline::{render_site, Options};
use proptest::prelude::*;

fn write_site(dir: &Path, pages: &[(String, String)]) {
    std::fs::create_dir_all(dir.join("content/sak")).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        "title = \"P\"\nbase_url = \"https://innsyn.example.org/\"\n[[taxonomies]]\nname = \"kommune\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("content/_index.md"), "+++\ntitle = \"Forside\"\n+++\n").unwrap();
    std::fs::write(
        dir.join("content/sak/_index.md"),
        "+++\ntitle = \"Saker\"\nsort_by = \"title\"\npaginate_by = 3\n+++\n",
    )
    .unwrap();
    for (i, (title, body)) in pages.iter().enumerate() {
        let front = format!(
            "+++\ntitle = {}\ndate = 2024-01-{:02}\n[taxonomies]\nkommune = [{}]\n+++\n",
            toml_str(title),
            i % 28 + 1,
            toml_str(title)
        );
        std::fs::write(dir.join(format!("content/sak/side-{i}.md")), format!("{front}{body}")).unwrap();
    }
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn options(root: &Path) -> Options {
    Options::new(root, innsyn::pipeline::Mode::Check)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn any_content_builds_or_reports_errors_and_rebuilds_identically(
        pages in prop::collection::vec(("[A-Za-zæøåÆØÅ0-9 <>&\"'-]{1,30}", "(\\PC|\n){0,300}"), 1..6)
    ) {
        let dir = tempfile::tempdir().unwrap();
        write_site(dir.path(), &pages);
        let first = render_site(&options(dir.path()));
        let second = render_site(&options(dir.path()));
        match (first, second) {
            (Ok((_, a)), Ok((_, b))) => prop_assert!(a == b, "two builds differ"),
            (Err(a), Err(b)) => {
                prop_assert_eq!(a.to_string(), b.to_string());
                prop_assert!(a.0.iter().all(|d| d.path.starts_with("content") || d.path.starts_with("config.toml")), "{}", a);
            }
            _ => prop_assert!(false, "the same input once built and once failed"),
        }
    }

    #[test]
    fn markdown_bodies_with_shortcode_like_text_never_panic(body in "([{}%()=\"a-z ,\\[\\]\n`*#@/.]){0,200}") {
        let dir = tempfile::tempdir().unwrap();
        write_site(dir.path(), &[("Tittel".to_string(), body)]);
        let _ = render_site(&options(dir.path()));
    }
}
