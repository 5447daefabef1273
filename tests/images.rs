//! Images in Markdown: variants at the configured widths in their own format and
//! WebP, `<picture>` with `srcset`, `sizes`, `width` and `height`, lazy loading
//! after the first, the cache that spares unchanged images, alt text required
//! by `check --strict`, and hostile images (corrupt, decompression bombs).
//! The fixture images are drawn here, so the test needs no binary files.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

mod common;
use common::percent_decoded;

fn innsyn(args: &[&str], root: &Path) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_innsyn")).args(args).arg("--root").arg(root).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn write(root: &Path, path: &str, bytes: &[u8]) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// A photo-like JPEG: smooth colour gradients with some detail.
fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        let wave = ((x as f32 / 37.0).sin() * (y as f32 / 23.0).cos() * 40.0) as i32;
        image::Rgb([(x * 255 / width) as u8, (120 + wave).clamp(0, 255) as u8, (y * 255 / height) as u8])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(&img).unwrap();
    out
}

/// A PNG drawing with transparency.
fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(width, height, |x, y| {
        if (x / 20 + y / 20) % 2 == 0 {
            image::Rgba([0, 90, 160, 255])
        } else {
            image::Rgba([255, 255, 255, 0])
        }
    });
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

/// A PNG of a few dozen bytes whose header claims `width` × `height` pixels.
fn bomb(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    let mut crc = flate2::Crc::new();
    crc.update(&ihdr);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(13u32.to_be_bytes());
    out.extend(&ihdr);
    out.extend(crc.sum().to_be_bytes());
    out.extend(b"\0\0\0\0IEND\xaeB`\x82");
    out
}

/// A site with a bundle page showing a JPEG (twice) and a PNG, and a page in a
/// section showing an image from `static/`.
fn site(root: &Path) {
    write(root, "config.toml", b"title = \"Bilder\"\nlanguage = \"nb\"\n\n[images]\nwidths = [400, 800]\n");
    write(root, "content/_index.md", b"+++\ntitle = \"Hjem\"\n+++\nVelkommen.\n");
    write(
        root,
        "content/bilder/index.md",
        "+++\ntitle = \"Bilder\"\n+++\n![Et fotografi av en fjord](foto.jpg)\n\nTekst.\n\n![Et rutemønster](tegning.png \"Mønster\")\n\n![Logo](/felles/logo.svg)\n"
            .as_bytes(),
    );
    write(root, "content/bilder/foto.jpg", &jpeg(1200, 800));
    write(root, "content/bilder/tegning.png", &png(300, 200));
    write(root, "static/felles/logo.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>");
    write(root, "content/om/_index.md", b"+++\ntitle = \"Om\"\n+++\n");
    write(root, "content/om/side.md", b"+++\ntitle = \"Side\"\n+++\nFoto:\n\n![Samme foto](../../bilder/foto.jpg)\n");
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/"), std::fs::read(e.path()).unwrap())
        })
        .collect()
}

fn size(bytes: &[u8]) -> (u32, u32) {
    image::load_from_memory(bytes).map(|i| (i.width(), i.height())).unwrap()
}

#[test]
fn markdown_images_get_variants_webp_and_a_picture_with_their_size() {
    let dir = tempfile::tempdir().unwrap();
    site(dir.path());
    let (code, out, err) = innsyn(&["build"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(", 2 images (6 variants, 0 from the cache)"), "{out}");
    let built = files(&dir.path().join("public"));

    // Never wider than the image: 400 and 800 of the 1200-pixel photo, and the
    // 300-pixel drawing at its own width only; the shape is kept.
    for (path, want) in [
        ("bilder/foto-400w.jpg", (400, 267)),
        ("bilder/foto-800w.jpg", (800, 533)),
        ("bilder/foto-400w.webp", (400, 267)),
        ("bilder/foto-800w.webp", (800, 533)),
        ("bilder/tegning-300w.png", (300, 200)),
        ("bilder/tegning-300w.webp", (300, 200)),
    ] {
        let bytes = built.get(path).unwrap_or_else(|| panic!("{path} missing: {:?}", built.keys()));
        assert_eq!(size(bytes), want, "{path}");
    }
    assert!(!built.contains_key("bilder/foto-1200w.jpg") && !built.contains_key("bilder/tegning-400w.png"));
    assert_eq!(&built["bilder/foto-400w.webp"][8..12], b"WEBP");
    // The originals are published as they are.
    assert!(built.contains_key("bilder/foto.jpg") && built.contains_key("bilder/tegning.png"));

    let page = String::from_utf8(built["bilder/index.html"].clone()).unwrap();
    let photo = "<picture><source type=\"image/webp\" srcset=\"foto-400w.webp 400w, foto-800w.webp 800w\" sizes=\"(min-width: 46rem) 44rem, calc(100vw - 2rem)\"><img src=\"foto-800w.jpg\" srcset=\"foto-400w.jpg 400w, foto-800w.jpg 800w\" sizes=\"(min-width: 46rem) 44rem, calc(100vw - 2rem)\" width=\"800\" height=\"533\" alt=\"Et fotografi av en fjord\" decoding=\"async\"></picture>";
    assert!(page.contains(photo), "{page}");
    // Every image but the first loads lazily; the title is kept.
    assert!(page.contains("width=\"300\" height=\"200\" alt=\"Et rutemønster\" title=\"Mønster\" loading=\"lazy\" decoding=\"async\"></picture>"), "{page}");
    // An SVG is left as it is, with its link made relative.
    assert!(
        page.contains("<img src=\"../felles/logo.svg\" alt=\"Logo\" loading=\"lazy\" decoding=\"async\">"),
        "{page}"
    );
    assert!(!built.keys().any(|k| k.starts_with("felles/logo-")), "no variants of an SVG");

    // Another page shows the bundle's photo from its own address: its first image, eager.
    let other = String::from_utf8(built["om/side/index.html"].clone()).unwrap();
    assert!(
        other.contains("<img src=\"../../bilder/foto-800w.jpg\" srcset=\"../../bilder/foto-400w.jpg 400w"),
        "{other}"
    );
    assert!(!other.contains("loading=\"lazy\""), "{other}");
}

#[test]
fn an_unchanged_image_is_taken_from_the_cache_and_the_output_is_the_same() {
    let dir = tempfile::tempdir().unwrap();
    site(dir.path());
    let (code, _, err) = innsyn(&["build"], dir.path());
    assert_eq!(code, 0, "{err}");
    let first = files(&dir.path().join("public"));
    let cache = dir.path().join(".innsyn-cache/images");
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 6, "one cached file a variant");

    // A fresh output folder, so every file is made again, but for the variants.
    std::fs::remove_dir_all(dir.path().join("public")).unwrap();
    let (code, out, err) = innsyn(&["build"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(", 2 images (6 variants, 6 from the cache)"), "{out}");
    assert_eq!(files(&dir.path().join("public")), first, "the same bytes from the cache as made");

    // A changed image is made again; the other still comes from the cache.
    write(dir.path(), "content/bilder/tegning.png", &png(250, 100));
    let (code, out, err) = innsyn(&["build"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(", 2 images (6 variants, 4 from the cache)"), "{out}");
    let page = std::fs::read_to_string(dir.path().join("public/bilder/index.html")).unwrap();
    assert!(page.contains("width=\"250\" height=\"100\""), "{page}");
    assert!(!dir.path().join("public/bilder/tegning-300w.png").exists(), "the old variant is removed");
}

#[test]
fn an_image_without_alt_text_is_a_warning_at_its_place_and_fails_check_strict() {
    let dir = tempfile::tempdir().unwrap();
    site(dir.path());
    write(dir.path(), "content/om/side.md", b"+++\ntitle = \"Side\"\n+++\nFoto:\n\nTekst ![](../../bilder/foto.jpg)\n");
    let (code, _, err) = innsyn(&["check"], dir.path());
    assert_eq!(code, 0, "a warning only: {err}");
    assert!(
        err.contains("content/om/side.md:6:7: warning: the image `../../bilder/foto.jpg` has no alternative text"),
        "{err}"
    );
    assert_eq!(err.matches("has no alternative text").count(), 1, "said once: {err}");
    let (code, _, err) = innsyn(&["check", "--strict"], dir.path());
    assert_eq!(code, 1, "{err}");
}

#[test]
fn corrupt_and_oversized_images_are_errors_naming_the_page_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    site(dir.path());
    std::fs::create_dir_all(dir.path().join("public")).unwrap();
    let (code, _, err) = innsyn(&["build"], dir.path());
    assert_eq!(code, 0, "{err}");
    let before = files(&dir.path().join("public"));

    // A file that is no image, and a PNG that claims 100 000 × 100 000 pixels
    // (30 GB) in 57 bytes.
    write(dir.path(), "content/bilder/tegning.png", b"this is text, not a PNG");
    write(dir.path(), "static/felles/stor.png", &bomb(100_000, 100_000));
    write(dir.path(), "content/om/side.md", b"+++\ntitle = \"Side\"\n+++\n![Stor](/felles/stor.png)\n");
    let (code, _, err) = innsyn(&["build"], dir.path());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("content/bilder/index.md:8:1: error: the image `tegning.png` (content/bilder/tegning.png): the file is not a JPEG, PNG, WebP or GIF image"), "{err}");
    assert!(err.contains("content/om/side.md:4:1: error: the image `/felles/stor.png` (static/felles/stor.png): the image cannot be read: the image is too large"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(files(&dir.path().join("public")), before, "a failed build leaves the output as it was");
}

#[test]
fn images_named_with_spaces_commas_and_hashes_are_shown_from_their_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "config.toml", b"title = \"Bilder\"\nlanguage = \"nb\"\n\n[images]\nwidths = [400, 800]\n");
    write(root, "content/_index.md", b"+++\ntitle = \"Hjem\"\n+++\n");
    // A comma would split a `srcset`, a space end a candidate, `#` start a fragment.
    let names = ["Bilde 1, mai.jpg", "kart #2.png", "fjord.jpg"];
    let mut page = String::from("+++\ntitle = \"Bilder\"\n+++\n");
    for (i, n) in names.iter().enumerate() {
        // In an address `#` starts a fragment: a file's `#` is written `%23`.
        page.push_str(&format!("\n![Bilde {i}](<{}>)\n", n.replace('#', "%23")));
    }
    write(root, "content/bilder/index.md", page.as_bytes());
    write(root, "content/bilder/Bilde 1, mai.jpg", &jpeg(900, 600));
    write(root, "content/bilder/kart #2.png", &png(500, 300));
    write(root, "content/bilder/fjord.jpg", &jpeg(500, 300));
    let (code, _, err) = innsyn(&["build"], root);
    assert_eq!(code, 0, "{err}");
    let built = files(&root.join("public"));
    let html = String::from_utf8(built["bilder/index.html"].clone()).unwrap();
    // Every address in src and srcset, as a browser splits them.
    let mut addresses = Vec::new();
    for attr in [" src=\"", " srcset=\""] {
        for (i, _) in html.match_indices(attr) {
            let value = &html[i + attr.len()..];
            let value = &value[..value.find('"').unwrap()];
            if attr == " src=\"" {
                addresses.push(value.to_string());
            } else {
                for candidate in value.split(',') {
                    let parts: Vec<&str> = candidate.split_whitespace().collect();
                    assert_eq!(parts.len(), 2, "`{candidate}` is one address and a width");
                    addresses.push(parts[0].to_string());
                }
            }
        }
    }
    // Each image: its src, and two widths in each of two srcsets.
    assert_eq!(addresses.len(), 3 * 5, "{addresses:?}");
    for a in &addresses {
        assert!(!a.contains(['#', ' ', ',']), "`{a}` is not one address");
        let file = format!("bilder/{}", percent_decoded(a));
        assert!(built.contains_key(&file), "`{a}` leads to `{file}`, which was not built");
    }
    assert!(addresses.iter().any(|a| percent_decoded(a).starts_with("Bilde 1, mai-")), "{addresses:?}");
}
