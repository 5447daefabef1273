//! Raster images for the web: each JPEG, PNG or WebP that a page's Markdown
//! shows gets variants at the widths of `[images]` (never wider than the image),
//! in its own format and as WebP, and the `<picture>` that offers them with
//! `srcset`, `sizes`, `width` and `height`. GIFs (which may be animated) get their
//! size only; SVGs are never touched. Variants are cached in
//! `.innsyn-cache/images/` under the site, keyed by the image's content, the
//! width and the settings, so an unchanged image is never made again.
//!
//! Knows no site: the render phase lists the images a site has
//! ([`Catalogue::new`]), asks for the markup of each use ([`Catalogue::picture`])
//! and then for the files of the images used ([`Catalogue::process`]).

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::OnceLock;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::config::ImageSettings;
use crate::error::{Diagnostic, Diagnostics};
use crate::file::OutputFile;
use crate::fsx;
use crate::html::escape;
// Image files keep their names: `Bilde 1, mai.jpg` is written as an address
// (of letters, digits and `/-._~%` only, which need no escaping in HTML).
use crate::http::encode_path;

/// The most pixels an image may have (about a 50-megapixel camera's). A file
/// that claims more is refused before it is decoded: a few kilobytes of PNG can
/// claim 100 000 × 100 000 pixels and ask for 30 GB.
pub const MAX_PIXELS: u64 = 60_000_000;

/// The longest side an image may have, in pixels.
pub const MAX_SIDE: u32 = 20_000;

/// The most memory the decoder may ask for, for one image.
const MAX_ALLOC: u64 = 512 * 1024 * 1024;

/// Named in every cache key: raise it when the encoders' output changes, so old
/// cached variants are not mistaken for new ones.
const ENGINE: &str = "v1";

/// The formats innsyn makes variants of (and GIF, measured only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// JPEG: variants in JPEG and lossy WebP.
    Jpeg,
    /// PNG: variants in PNG and lossless WebP (screenshots and drawings stay sharp).
    Png,
    /// WebP: variants in lossy WebP.
    Webp,
    /// GIF: left as it is (it may be animated), with its width and height.
    Gif,
}

impl Kind {
    /// The kind a file name's extension promises, if innsyn handles it.
    pub fn of(name: &str) -> Option<Kind> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "jpg" | "jpeg" => Some(Kind::Jpeg),
            "png" => Some(Kind::Png),
            "webp" => Some(Kind::Webp),
            "gif" => Some(Kind::Gif),
            _ => None,
        }
    }

    fn ext(self) -> &'static str {
        match self {
            Kind::Jpeg => "jpg",
            Kind::Png => "png",
            Kind::Webp => "webp",
            Kind::Gif => "gif",
        }
    }

    fn mime(self) -> &'static str {
        match self {
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
            Kind::Webp => "image/webp",
            Kind::Gif => "image/gif",
        }
    }
}

/// What an image's header says: its format and its size as shown (after its
/// EXIF orientation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meta {
    /// The format the file really is (whatever its name says).
    pub kind: Kind,
    /// Width as shown, in pixels.
    pub width: u32,
    /// Height as shown, in pixels.
    pub height: u32,
}

/// Reads an image's header: its format and size, checked against the limits.
/// Nothing is decoded. `shown` names the file in errors.
pub fn probe(shown: &Path, bytes: &[u8]) -> Result<Meta, Diagnostic> {
    let (kind, mut decoder) = decoder(shown, bytes)?;
    use image::ImageDecoder;
    let (w, h) = decoder.dimensions();
    check_size(shown, w, h)?;
    let turned = decoder.orientation().map_err(|e| unreadable(shown, &e))?;
    let (width, height) = if swaps_sides(turned) { (h, w) } else { (w, h) };
    Ok(Meta { kind, width, height })
}

/// The decoder of an image, with the limits set.
fn decoder<'a>(shown: &Path, bytes: &'a [u8]) -> Result<(Kind, impl image::ImageDecoder + 'a), Diagnostic> {
    let mut reader =
        image::ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| unreadable(shown, &e.into()))?;
    let kind = match reader.format() {
        Some(image::ImageFormat::Jpeg) => Kind::Jpeg,
        Some(image::ImageFormat::Png) => Kind::Png,
        Some(image::ImageFormat::WebP) => Kind::Webp,
        Some(image::ImageFormat::Gif) => Kind::Gif,
        _ => {
            return Err(Diagnostic::new(shown, "the file is not a JPEG, PNG, WebP or GIF image")
                .hint("save it as JPEG (photos) or PNG (drawings, screenshots); an SVG must end in `.svg`"))
        }
    };
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let decoder = reader.into_decoder().map_err(|e| unreadable(shown, &e))?;
    Ok((kind, decoder))
}

fn check_size(shown: &Path, w: u32, h: u32) -> Result<(), Diagnostic> {
    if w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE || u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(Diagnostic::new(
            shown,
            format!(
                "the image is {w} × {h} pixels; innsyn takes images of at most {} megapixels and {MAX_SIDE} pixels a side",
                MAX_PIXELS / 1_000_000
            ),
        )
        .hint("make it smaller in an image editor first; 3000 pixels wide is more than any screen shows"));
    }
    Ok(())
}

fn unreadable(shown: &Path, e: &image::ImageError) -> Diagnostic {
    let why = match e {
        image::ImageError::Limits(_) => {
            format!(
                "the image is too large: innsyn takes images of at most {} megapixels, {MAX_SIDE} pixels a side and {} MB decoded",
                MAX_PIXELS / 1_000_000,
                MAX_ALLOC >> 20
            )
        }
        other => other.to_string(),
    };
    Diagnostic::new(shown, format!("the image cannot be read: {why}"))
        .hint("open it in an image editor and save it again, or replace it")
}

fn swaps_sides(o: image::metadata::Orientation) -> bool {
    use image::metadata::Orientation::*;
    matches!(o, Rotate90 | Rotate270 | Rotate90FlipH | Rotate270FlipH)
}

/// The widths of an image's variants: those of `widths` narrower than the
/// image, and the image's own width when it is narrower than the widest asked
/// for. Never wider than the image.
///
/// ```
/// use innsyn::images::variant_widths;
/// assert_eq!(variant_widths(3000, &[480, 960, 1600]), [480, 960, 1600]);
/// assert_eq!(variant_widths(1200, &[480, 960, 1600]), [480, 960, 1200]);
/// assert_eq!(variant_widths(300, &[480, 960, 1600]), [300]);
/// ```
pub fn variant_widths(width: u32, widths: &[u32]) -> Vec<u32> {
    let mut out: Vec<u32> = widths.iter().copied().filter(|&w| w < width).collect();
    if widths.last().is_some_and(|&max| width <= max) {
        out.push(width);
    }
    out
}

/// The height of a variant `width` wide, the image's shape kept.
fn height_at(meta: &Meta, width: u32) -> u32 {
    let h = (u64::from(meta.height) * u64::from(width) + u64::from(meta.width) / 2) / u64::from(meta.width);
    h.max(1) as u32
}

/// One file to make of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Variant {
    width: u32,
    kind: Kind,
}

/// The variants of an image: in its own format and, for JPEG and PNG, in WebP.
fn variants(meta: &Meta, settings: &ImageSettings) -> Vec<Variant> {
    let widths = variant_widths(meta.width, &settings.widths);
    let mut out: Vec<Variant> = widths.iter().map(|&width| Variant { width, kind: meta.kind }).collect();
    if meta.kind != Kind::Webp {
        out.extend(widths.iter().map(|&width| Variant { width, kind: Kind::Webp }));
    }
    out
}

/// `mandater/a9/bilde.jpg` at 480 as WebP → `mandater/a9/bilde-480w.webp`.
fn variant_path(path: &str, v: Variant) -> String {
    // The extension is the file name's: a folder may have a dot (`a.b/bilde`).
    let (folder, name) = match path.rsplit_once('/') {
        Some((folder, name)) => (&path[..=folder.len()], name),
        None => ("", path),
    };
    let stem = match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name,
    };
    format!("{folder}{stem}-{}w.{}", v.width, v.kind.ext())
}

/// An image the site has: where it is, and once looked at, what it is.
struct Entry {
    /// The file on disk.
    disk: PathBuf,
    /// The file as messages name it (relative to the site).
    shown: PathBuf,
    /// Its path in the output, without a leading `/`.
    path: String,
    /// Its header and the hash of its bytes, read the first time a page shows it.
    probed: OnceLock<Result<(Meta, String), Diagnostic>>,
    /// Whether a page shows it (its variants are then made).
    used: AtomicBool,
    /// Whether its variants have been made.
    made: AtomicBool,
}

/// Every image of the site that a page could show, by output path and by path
/// inside `content/`.
pub struct Catalogue {
    root: PathBuf,
    settings: ImageSettings,
    /// `.innsyn-cache/images/` in the site, or `None` for no cache.
    cache: Option<PathBuf>,
    entries: Vec<Entry>,
    by_output: HashMap<String, usize>,
    by_content: HashMap<String, usize>,
}

impl Default for Catalogue {
    fn default() -> Self {
        Catalogue {
            root: PathBuf::new(),
            settings: ImageSettings::default(),
            cache: None,
            entries: Vec::new(),
            by_output: HashMap::new(),
            by_content: HashMap::new(),
        }
    }
}

impl std::fmt::Debug for Catalogue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalogue").field("images", &self.entries.len()).field("cache", &self.cache).finish()
    }
}

/// What [`Catalogue::process`] made.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Images shown by pages (each counted once).
    pub images: usize,
    /// Variant files in the output.
    pub variants: usize,
    /// Of those, how many were taken from the cache instead of being made.
    pub cached: usize,
}

/// The folder of the variant cache, inside the site.
pub const CACHE_DIR: &str = ".innsyn-cache/images";

impl Catalogue {
    /// The images among `files`: (file on disk, path inside `content/` if it is
    /// there, path in the output without a leading `/`). Files of other kinds
    /// are left out. With `cache`, variants are kept in
    /// [`CACHE_DIR`] under `root`.
    pub fn new(
        root: &Path,
        settings: &ImageSettings,
        files: Vec<(PathBuf, Option<String>, String)>,
        cache: bool,
    ) -> Catalogue {
        let mut catalogue = Catalogue {
            root: root.to_path_buf(),
            settings: settings.clone(),
            cache: cache.then(|| root.join(CACHE_DIR)),
            ..Catalogue::default()
        };
        for (disk, content, path) in files {
            if Kind::of(&path).is_none() {
                continue;
            }
            let i = catalogue.entries.len();
            if let Some(content) = content {
                catalogue.by_content.insert(content, i);
            }
            catalogue.by_output.insert(path.clone(), i);
            let shown = crate::error::relative(root, &disk);
            catalogue.entries.push(Entry {
                disk,
                shown,
                path,
                probed: OnceLock::new(),
                used: AtomicBool::new(false),
                made: AtomicBool::new(false),
            });
        }
        catalogue
    }

    /// The output path of the image at `path` inside `content/`, if the site has one there.
    pub fn in_content(&self, path: &str) -> Option<&str> {
        self.by_content.get(path).map(|&i| self.entries[i].path.as_str())
    }

    /// Whether the site has no image at all.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether the output has an image at `path` (no leading `/`).
    pub fn has(&self, path: &str) -> bool {
        self.by_output.contains_key(path)
    }

    /// The markup that shows the image at output path `path` (no leading `/`):
    /// a `<picture>` with its variants, or for a GIF an `<img>` with its size.
    /// `None` when the site has no image there. URLs are site-absolute (the link
    /// rewriter makes them relative). `lazy` asks the browser to load it when
    /// scrolled near (for every image but a page's first).
    pub fn picture(&self, path: &str, alt: &str, title: &str, lazy: bool) -> Option<Result<String, Diagnostic>> {
        let entry = &self.entries[*self.by_output.get(path)?];
        let (meta, _) = match self.look(entry) {
            Ok(probed) => probed,
            Err(d) => return Some(Err(d.clone())),
        };
        entry.used.store(true, Ordering::Relaxed);
        let mut tail = format!(" alt=\"{}\"", escape(alt));
        if !title.is_empty() {
            tail.push_str(&format!(" title=\"{}\"", escape(title)));
        }
        if lazy {
            tail.push_str(" loading=\"lazy\"");
        }
        tail.push_str(" decoding=\"async\">");
        if meta.kind == Kind::Gif {
            let (w, h) = (meta.width, meta.height);
            return Some(Ok(format!("<img src=\"/{}\" width=\"{w}\" height=\"{h}\"{tail}", encode_path(path))));
        }
        let all = variants(meta, &self.settings);
        let srcset = |kind: Kind| {
            all.iter()
                .filter(|v| v.kind == kind)
                .map(|&v| format!("/{} {}w", encode_path(&variant_path(path, v)), v.width))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let widest = all.iter().filter(|v| v.kind == meta.kind).map(|v| v.width).max().unwrap_or(meta.width);
        let fallback = variant_path(path, Variant { width: widest, kind: meta.kind });
        let sizes = escape(&self.settings.sizes);
        let mut html = String::from("<picture>");
        if meta.kind != Kind::Webp {
            html.push_str(&format!(
                "<source type=\"{}\" srcset=\"{}\" sizes=\"{sizes}\">",
                Kind::Webp.mime(),
                srcset(Kind::Webp)
            ));
        }
        html.push_str(&format!(
            "<img src=\"/{}\" srcset=\"{}\" sizes=\"{sizes}\" width=\"{widest}\" height=\"{}\"{tail}</picture>",
            encode_path(&fallback),
            srcset(meta.kind),
            height_at(meta, widest),
        ));
        Some(Ok(html))
    }

    /// The image's header and hash, read once.
    fn look<'a>(&self, entry: &'a Entry) -> &'a Result<(Meta, String), Diagnostic> {
        entry.probed.get_or_init(|| {
            let bytes = fsx::read(&self.root, &entry.disk)?;
            let meta = probe(&entry.shown, &bytes)?;
            Ok((meta, hex(&Sha256::digest(&bytes))))
        })
    }

    /// Whether a page shows an image whose variants are not made yet (a dev
    /// server's quick rebuild of one page then builds in full).
    pub fn pending(&self) -> bool {
        self.entries.iter().any(|e| e.used.load(Ordering::Relaxed) && !e.made.load(Ordering::Relaxed))
    }

    /// The variant files of every image a page showed, sorted by path, made in
    /// parallel or taken from the cache; every image that cannot be made is an
    /// error naming its file.
    pub fn process(&self) -> Result<(Vec<OutputFile>, Stats), Diagnostics> {
        let used: Vec<&Entry> = self.entries.iter().filter(|e| e.used.load(Ordering::Relaxed)).collect();
        let cached = AtomicUsize::new(0);
        let made: Vec<Result<Vec<OutputFile>, Diagnostic>> =
            used.par_iter().map(|entry| self.make(entry, &cached)).collect();
        let mut errors = Diagnostics::default();
        let mut files = Vec::new();
        let mut images = 0;
        for (entry, result) in used.iter().zip(made) {
            match result {
                Ok(made) => {
                    files.extend(made);
                    images += 1;
                    entry.made.store(true, Ordering::Relaxed);
                }
                Err(d) => errors.push(d),
            }
        }
        errors.into_result()?;
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let stats = Stats { images, variants: files.len(), cached: cached.into_inner() };
        Ok((files, stats))
    }

    /// The variant files of one image. The image is decoded only when one of
    /// them is not in the cache.
    fn make(&self, entry: &Entry, cached: &AtomicUsize) -> Result<Vec<OutputFile>, Diagnostic> {
        let (meta, hash) = self.look(entry).clone()?;
        if meta.kind == Kind::Gif {
            return Ok(Vec::new());
        }
        let wanted = variants(&meta, &self.settings);
        let key = |v: Variant| {
            let s = &self.settings;
            format!("{}-{}w-q{}-{ENGINE}.{}", &hash[..32], v.width, s.quality, v.kind.ext())
        };
        let mut out: Vec<Option<Vec<u8>>> =
            wanted.iter().map(|&v| self.cache.as_ref().and_then(|dir| fsx::read_cached(&dir.join(key(v))))).collect();
        cached.fetch_add(out.iter().flatten().count(), Ordering::Relaxed);
        if out.iter().any(Option::is_none) {
            let bytes = fsx::read(&self.root, &entry.disk)?;
            let pixels = decode(&entry.shown, &bytes)?;
            let mut resized: HashMap<u32, Pixels> = HashMap::new();
            for (slot, &v) in out.iter_mut().zip(&wanted) {
                if slot.is_some() {
                    continue;
                }
                let variant = match resized.entry(v.width) {
                    std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert(resize(&entry.shown, &pixels, v.width, height_at(&meta, v.width))?)
                    }
                };
                let bytes = encode(&entry.shown, variant, v.kind, meta.kind, self.settings.quality)?;
                if let Some(dir) = &self.cache {
                    // A cache that cannot be written (a read-only folder) only costs time.
                    let _ = fsx::write_cached(dir, &key(v), &bytes);
                }
                *slot = Some(bytes);
            }
        }
        Ok(wanted
            .iter()
            .zip(out)
            .map(|(&v, bytes)| OutputFile::new(variant_path(&entry.path, v), bytes.unwrap_or_default()))
            .collect())
    }
}

/// Decoded pixels, 8 bits a channel: RGB, or RGBA when the image has alpha.
struct Pixels {
    width: u32,
    height: u32,
    alpha: bool,
    data: Vec<u8>,
}

/// Decodes an image, turned upright by its EXIF orientation. Its metadata
/// (EXIF, ICC, XMP: camera, place, time) is not carried over to the variants.
fn decode(shown: &Path, bytes: &[u8]) -> Result<Pixels, Diagnostic> {
    use image::ImageDecoder;
    let (_, mut decoder) = decoder(shown, bytes)?;
    let (w, h) = decoder.dimensions();
    check_size(shown, w, h)?;
    let turned = decoder.orientation().map_err(|e| unreadable(shown, &e))?;
    let mut img = image::DynamicImage::from_decoder(decoder).map_err(|e| unreadable(shown, &e))?;
    img.apply_orientation(turned);
    let (width, height) = (img.width(), img.height());
    let alpha = img.color().has_alpha();
    let data = if alpha { img.into_rgba8().into_raw() } else { img.into_rgb8().into_raw() };
    Ok(Pixels { width, height, alpha, data })
}

/// `pixels` scaled to `width` × `height` (Lanczos 3; alpha-weighted for RGBA).
fn resize(shown: &Path, pixels: &Pixels, width: u32, height: u32) -> Result<Pixels, Diagnostic> {
    use fast_image_resize as fir;
    if width == pixels.width && height == pixels.height {
        return Ok(Pixels { width, height, alpha: pixels.alpha, data: pixels.data.clone() });
    }
    let kind = if pixels.alpha { fir::PixelType::U8x4 } else { fir::PixelType::U8x3 };
    let fault = |e: &dyn std::fmt::Display| Diagnostic::new(shown, format!("the image cannot be resized: {e}"));
    let src = fir::images::ImageRef::new(pixels.width, pixels.height, &pixels.data, kind).map_err(|e| fault(&e))?;
    let mut dst = fir::images::Image::new(width, height, kind);
    let options = fir::ResizeOptions::new().resize_alg(fir::ResizeAlg::Convolution(fir::FilterType::Lanczos3));
    fir::Resizer::new().resize(&src, &mut dst, &options).map_err(|e| fault(&e))?;
    Ok(Pixels { width, height, alpha: pixels.alpha, data: dst.into_vec() })
}

/// `pixels` as a file of `kind`; WebP is lossless when the image was a PNG.
fn encode(shown: &Path, pixels: &Pixels, kind: Kind, from: Kind, quality: u8) -> Result<Vec<u8>, Diagnostic> {
    use image::ImageEncoder;
    let fault = |e: &dyn std::fmt::Display| Diagnostic::new(shown, format!("a variant cannot be written: {e}"));
    let color = if pixels.alpha { image::ExtendedColorType::Rgba8 } else { image::ExtendedColorType::Rgb8 };
    let (w, h) = (pixels.width, pixels.height);
    let mut out = Vec::new();
    match kind {
        Kind::Jpeg => {
            let rgb;
            let (data, color) = if pixels.alpha {
                // A JPEG has no alpha; this cannot come from a JPEG, but is safe.
                rgb = pixels.data.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect::<Vec<u8>>();
                (&rgb[..], image::ExtendedColorType::Rgb8)
            } else {
                (&pixels.data[..], color)
            };
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
                .write_image(data, w, h, color)
                .map_err(|e| fault(&e))?;
        }
        Kind::Png => image::codecs::png::PngEncoder::new(&mut out)
            .write_image(&pixels.data, w, h, color)
            .map_err(|e| fault(&e))?,
        Kind::Webp => {
            let encoder = if pixels.alpha {
                webp::Encoder::from_rgba(&pixels.data, w, h)
            } else {
                webp::Encoder::from_rgb(&pixels.data, w, h)
            };
            let lossless = from == Kind::Png;
            let memory = encoder.encode_simple(lossless, f32::from(quality)).map_err(|e| fault(&format!("{e:?}")))?;
            out = memory.to_vec();
        }
        Kind::Gif => return Err(fault(&"GIF variants are not made")),
    }
    Ok(out)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_paths_keep_the_folder_and_name_the_width() {
        let v = Variant { width: 480, kind: Kind::Webp };
        assert_eq!(variant_path("mandater/a9/bilde.jpg", v), "mandater/a9/bilde-480w.webp");
        assert_eq!(variant_path("a.b/bilde", v), "a.b/bilde-480w.webp");
        assert_eq!(variant_path("bilde.foto.png", v), "bilde.foto-480w.webp");
        assert_eq!(variant_path("a/.bilde", v), "a/.bilde-480w.webp");
    }

    #[test]
    fn variants_are_never_wider_than_the_image() {
        assert_eq!(variant_widths(480, &[480, 960]), [480]);
        assert_eq!(variant_widths(481, &[480, 960]), [480, 481]);
        assert_eq!(variant_widths(5000, &[480, 960]), [480, 960]);
        assert_eq!(variant_widths(10, &[480, 960]), [10]);
    }

    #[test]
    fn a_file_that_is_no_image_is_an_error_naming_it() {
        let e = probe(Path::new("content/a/bilde.jpg"), b"not an image at all").unwrap_err();
        assert!(e.to_string().starts_with("content/a/bilde.jpg: "), "{e}");
    }
}
