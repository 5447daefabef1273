//! Writes a small innsyn site whose pages show photo-like JPEGs, for timing the
//! image variants (`docs/performance.md`): N page bundles, each with one
//! WIDTH × HEIGHT JPEG drawn from gradients and waves (no real place). The same
//! arguments give the same bytes.
//!
//! ```text
//! cargo run --release --example gen-photos -- 50 3000 2000 /tmp/photos
//! ```

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [n, w, h, dir] = &args[..] else {
        eprintln!("usage: gen-photos N WIDTH HEIGHT DIR");
        return ExitCode::from(2);
    };
    let (Ok(n), Ok(w), Ok(h)) = (n.parse::<u32>(), w.parse::<u32>(), h.parse::<u32>()) else {
        eprintln!("N, WIDTH and HEIGHT are whole numbers");
        return ExitCode::from(2);
    };
    let dir = Path::new(dir);
    let write = |path: &str, bytes: &[u8]| {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("a file in a folder")).expect("the folder can be made");
        std::fs::write(path, bytes).expect("the file can be written");
    };
    write("config.toml", b"title = \"Bilder\"\n");
    write("content/_index.md", b"+++\ntitle = \"Bilder\"\n+++\n");
    for i in 0..n {
        let page = format!("+++\ntitle = \"Foto {i}\"\n+++\n![Et tegnet landskap, nummer {i}](foto.jpg)\n");
        write(&format!("content/foto-{i}/index.md"), page.as_bytes());
        write(&format!("content/foto-{i}/foto.jpg"), &photo(i, w, h));
    }
    ExitCode::SUCCESS
}

/// A photo-like JPEG: colour gradients and waves that differ with `seed`.
fn photo(seed: u32, width: u32, height: u32) -> Vec<u8> {
    let s = seed as f32;
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        let wave = ((fx / (31.0 + s)).sin() * (fy / 23.0).cos() * 50.0) as i32;
        let grain = ((x.wrapping_mul(7919) ^ y.wrapping_mul(104_729) ^ seed) % 17) as i32 - 8;
        image::Rgb([
            ((x * 255 / width) as i32 + grain).clamp(0, 255) as u8,
            (110 + wave + grain).clamp(0, 255) as u8,
            ((y * 255 / height) as i32 - grain).clamp(0, 255) as u8,
        ])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(&img).expect("JPEG in memory");
    out
}
