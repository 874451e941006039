//! The first-visit size report printed by `cargo xtask build`: what a phone downloads the first
//! time it opens HocSo (the offline shell the service worker precaches, the worker itself and the
//! lesson catalogue), per kind of file, raw and compressed, against the budget in issue #3.
//!
//! Lesson packs and pictures are not in it: they are fetched when a learner opens a topic.
use std::collections::BTreeMap;
use std::path::Path;

/// The budget for the whole first visit, gzipped (slow 3G pays for every kilobyte). Issue #3 set
/// 350 kB. The practice drills (issue #13: the typed drills in `core` and the player, five kinds
/// of screens) and the curriculum's growth (issue #14: topics in the catalogue, 25 lessons) made the
/// first visit larger than that; the check stands just above what the build measures (427.6 kB on
/// 2026-12-02, after the team's voices played by the reader, issue #15: +12.3), so any further
/// growth is seen, until the drills are moved out of the first download (open work, see the
/// README's "Size" for the figures).
pub const BUDGET_GZIPPED: u64 = 428_000;

/// Raw, gzip and brotli sizes of one file or a group of files, as `hocso serve` sends them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sizes {
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

impl std::ops::AddAssign for Sizes {
    fn add_assign(&mut self, other: Sizes) {
        self.raw += other.raw;
        self.gzip += other.gzip;
        self.brotli += other.brotli;
    }
}

impl Sizes {
    /// The sizes of a file that has no precompressed copies, as the server sends it: compressed on
    /// the fly, or as it is for pictures (they count raw in every column).
    pub fn of(relative: &str, bytes: &[u8]) -> std::io::Result<Sizes> {
        let raw = bytes.len() as u64;
        if relative.ends_with(".png") {
            return Ok(Sizes { raw, gzip: raw, brotli: raw });
        }
        let (gzip, brotli) = crate::precompress::compress_on_the_fly(bytes)?;
        Ok(Sizes { raw, gzip: gzip.len() as u64, brotli: brotli.len() as u64 })
    }
}

/// The kind a file is reported under.
fn kind(relative: &str) -> &'static str {
    match relative.rsplit_once('.').map(|(_, ext)| ext) {
        Some("wasm") => "WASM",
        Some("js") => "JavaScript",
        Some("css") => "CSS",
        Some("html") => "HTML",
        Some("json") if relative.starts_with("locales/") => "UI strings",
        Some("json") => "lesson catalogue",
        _ => "icons and manifest",
    }
}

/// The files of a first visit: the precache list (without "/", which is index.html again), the
/// service worker and the catalogue.
pub fn first_visit_files(precache: &[String]) -> Vec<String> {
    let mut files = relative_paths(precache);
    files.push("sw.js".to_owned());
    files.push("content/catalogue.json".to_owned());
    files
}

/// Paths inside dist/ for precache URLs, leaving out "/" (index.html again).
pub fn relative_paths(urls: &[String]) -> Vec<String> {
    urls.iter().filter(|url| url.as_str() != "/").map(|url| url.trim_start_matches('/').to_owned()).collect()
}

/// Sizes per kind and in total for `files` under `dist`, reusing `known` sizes (from precompression).
pub fn measure(dist: &Path, files: &[String], known: &BTreeMap<String, Sizes>) -> anyhow::Result<(BTreeMap<&'static str, Sizes>, Sizes)> {
    let mut kinds = BTreeMap::new();
    let mut total = Sizes::default();
    for relative in files {
        let sizes = match known.get(relative) {
            Some(sizes) => *sizes,
            None => Sizes::of(relative, &std::fs::read(dist.join(relative))?)?,
        };
        *kinds.entry(kind(relative)).or_default() += sizes;
        total += sizes;
    }
    Ok((kinds, total))
}

/// Kilobytes of 1,000 bytes, as browsers' network panels count them (the stricter reading of the
/// budget: 350 KiB would allow 8 KB more).
fn kb(bytes: u64) -> String {
    format!("{:.1} kB", bytes as f64 / 1000.0)
}

/// Prints the report; says plainly when the budget is exceeded (the build still succeeds).
pub fn print(kinds: &BTreeMap<&'static str, Sizes>, total: Sizes) {
    eprintln!("xtask: first visit (app shell + service worker + lesson catalogue):");
    eprintln!("  {:<20} {:>11} {:>11} {:>11}", "", "raw", "gzip", "brotli");
    for (kind, sizes) in kinds {
        eprintln!("  {:<20} {:>11} {:>11} {:>11}", kind, kb(sizes.raw), kb(sizes.gzip), kb(sizes.brotli));
    }
    eprintln!("  {:<20} {:>11} {:>11} {:>11}", "total", kb(total.raw), kb(total.gzip), kb(total.brotli));
    let verdict = if total.gzip <= BUDGET_GZIPPED {
        format!("within the budget of {} gzipped", kb(BUDGET_GZIPPED))
    } else {
        format!("OVER the budget of {} gzipped by {}", kb(BUDGET_GZIPPED), kb(total.gzip - BUDGET_GZIPPED))
    };
    eprintln!("xtask: first visit {} gzipped ({} brotli, as `hocso serve` sends it to Chromium): {verdict}", kb(total.gzip), kb(total.brotli));
}

/// The team tools, downloaded only by a team leader's phone (not part of the first visit).
pub fn print_team_tools(total: Sizes) {
    eprintln!(
        "xtask: team tools (/team/, only on team leaders' phones): {} raw, {} gzipped, {} brotli",
        kb(total.raw),
        kb(total.gzip),
        kb(total.brotli)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressible_text_shrinks_and_pictures_count_as_they_are() {
        let text = Sizes::of("locales/vi.json", &b"{\"home.title\": \"Hoc So\"}".repeat(200)).unwrap();
        assert!(text.gzip < text.raw / 10 && text.brotli < text.raw / 10, "{text:?}");
        let picture = Sizes::of("icons/icon-192.png", &[7; 500]).unwrap();
        assert_eq!(picture, Sizes { raw: 500, gzip: 500, brotli: 500 });
    }

    #[test]
    fn the_first_visit_is_the_precache_list_plus_worker_and_catalogue() {
        let precache = ["/", "/index.html", "/app_bg.wasm"].map(String::from);
        assert_eq!(first_visit_files(&precache), ["index.html", "app_bg.wasm", "sw.js", "content/catalogue.json"]);
    }

    #[test]
    fn files_are_grouped_by_kind_and_summed() {
        let dist = std::env::temp_dir().join(format!("hocso-size-report-{}", std::process::id()));
        std::fs::create_dir_all(dist.join("locales")).unwrap();
        std::fs::write(dist.join("a.js"), "let a = 1;".repeat(50)).unwrap();
        std::fs::write(dist.join("locales/vi.json"), "{}").unwrap();
        let known = BTreeMap::from([("b.js".to_owned(), Sizes { raw: 100, gzip: 40, brotli: 30 })]);
        let files = ["a.js", "b.js", "locales/vi.json"].map(String::from);
        let (kinds, total) = measure(&dist, &files, &known).unwrap();
        std::fs::remove_dir_all(&dist).unwrap();
        assert_eq!(kinds.len(), 2);
        assert_eq!(kinds["JavaScript"].raw, 500 + 100);
        assert_eq!(total.raw, 500 + 100 + 2);
        assert_eq!(total.gzip, kinds["JavaScript"].gzip + kinds["UI strings"].gzip);
    }
}
