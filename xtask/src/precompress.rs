//! Writes `<file>.br` (brotli, best quality) and `<file>.gz` beside the app shell's text and WASM
//! files, once per build, so `hocso serve` sends the smallest bytes without compressing on every
//! request (slow 3G pays for every kilobyte). Content packs are left out: trainers republish them
//! without rebuilding the app, and a stale `.br` would hide the new version.
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::Context;

use crate::size_report::Sizes;

const COMPRESSIBLE: &[&str] = &["wasm", "js", "css", "html", "json", "webmanifest", "svg"];

/// Whether `relative` (a `/`-separated path inside dist/) gets precompressed copies.
pub fn is_precompressed(relative: &str) -> bool {
    !relative.starts_with("content/") && relative.rsplit_once('.').is_some_and(|(_, ext)| COMPRESSIBLE.contains(&ext))
}

/// Compresses every eligible file under `dist`; returns the sizes of each, by relative path.
pub fn precompress(dist: &Path) -> anyhow::Result<BTreeMap<String, Sizes>> {
    let mut sizes = BTreeMap::new();
    for relative in crate::service_worker::relative_files(dist)? {
        if !is_precompressed(&relative) {
            continue;
        }
        let path = dist.join(&relative);
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let (gzip, brotli) = compress(&bytes)?;
        std::fs::write(dist.join(format!("{relative}.br")), &brotli)?;
        sizes.insert(relative.clone(), Sizes { raw: bytes.len() as u64, gzip: gzip.len() as u64, brotli: brotli.len() as u64 });
        std::fs::write(dist.join(format!("{relative}.gz")), gzip)?;
    }
    Ok(sizes)
}

/// `bytes` as gzip and brotli (quality 11), as `hocso serve` sends the precompressed copies.
pub fn compress(bytes: &[u8]) -> std::io::Result<(Vec<u8>, Vec<u8>)> {
    Ok((gzip(bytes)?, brotli(bytes, 11)?))
}

/// Gzip by zopfli: a valid gzip stream 4–5 % smaller than `gzip -9`, for every browser that does not
/// take brotli. Slow (seconds per megabyte), so only for files compressed once per build.
fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut gzip = Vec::new();
    zopfli::compress(zopfli::Options::default(), zopfli::Format::Gzip, bytes, &mut gzip)?;
    Ok(gzip)
}

/// What `hocso serve` sends for a file it compresses on the fly (content packs and the catalogue,
/// which trainers republish without a build): tower-http's default levels, gzip 6 and brotli 4.
pub fn compress_on_the_fly(bytes: &[u8]) -> std::io::Result<(Vec<u8>, Vec<u8>)> {
    Ok((gzip_on_the_fly(bytes)?, brotli(bytes, 4)?))
}

/// The gzip half of [`compress_on_the_fly`].
pub fn gzip_on_the_fly(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    gzip.write_all(bytes)?;
    gzip.finish()
}

fn brotli(bytes: &[u8], quality: u32) -> std::io::Result<Vec<u8>> {
    let mut brotli = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut brotli, 64 * 1024, quality, 22);
        writer.write_all(bytes)?;
    }
    Ok(brotli)
}

#[cfg(test)]
mod tests {
    use super::is_precompressed;

    #[test]
    fn the_shell_is_precompressed_but_not_content_packs_or_pictures() {
        assert!(is_precompressed("hocso-app-0123456789abcdef_bg.wasm"));
        assert!(is_precompressed("locales/vi.json"));
        assert!(is_precompressed("index.html"));
        assert!(!is_precompressed("content/catalogue.json"));
        assert!(!is_precompressed("icons/icon-192.png"));
        assert!(!is_precompressed("hocso-app.wasm.br"));
    }
}
