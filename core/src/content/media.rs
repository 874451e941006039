//! What a lesson's `media/` may hold: pictures and sounds, nothing a browser would run.
//!
//! Media are served from the app's own origin, so a file that runs script there could read a
//! learner's progress. Lessons may therefore use only picture and sound files ([`media_kind`]), and
//! an SVG picture, which is XML that browsers run script in when it is opened on its own, is read as
//! browsers read it and refused ([`check_svg`]) when it has a script, an event handler (`on…=`), a
//! `<foreignObject>` (HTML inside the picture), a `javascript:` link, an animation that changes a
//! link, or any reference outside the file (links, `<use>`, `<image>`, stylesheets and `url()` may
//! only point at `#an-id` in the same file, or be a picture written inside it as `data:image/png`,
//! `jpeg`, `gif` or `webp`). Each problem has the line and column inside the SVG file.

use super::parse::{AUDIO_EXTENSIONS, IMAGE_EXTENSIONS};
use super::problem::{Position, Problem};

/// Pictures (`<img>`) and sounds (`<audio>`): the only media a lesson may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Picture,
    Sound,
}

/// By the file name's extension, case-insensitive; `None` for anything else.
pub fn media_kind(name: &str) -> Option<MediaKind> {
    let (_, extension) = name.rsplit_once('.')?;
    let extension = extension.to_ascii_lowercase();
    if IMAGE_EXTENSIONS.contains(&extension.as_str()) {
        Some(MediaKind::Picture)
    } else if AUDIO_EXTENSIONS.contains(&extension.as_str()) {
        Some(MediaKind::Sound)
    } else {
        None
    }
}

/// The sentence for a media reference that is neither a picture nor a sound.
pub fn not_media_message(target: &str) -> String {
    format!(
        "`{target}` is not a picture or sound file: lessons use only pictures (.{}) and sounds (.{}), which are safe to open on a phone",
        IMAGE_EXTENSIONS.join(" ."),
        AUDIO_EXTENSIONS.join(" .")
    )
}

const SVG_NAMESPACE: &str = "http://www.w3.org/2000/svg";
const XHTML_NAMESPACE: &str = "http://www.w3.org/1999/xhtml";
/// Attributes that point somewhere (`href`, `xlink:href`, `src`) whatever their namespace.
const LINK_ATTRIBUTES: [&str; 2] = ["href", "src"];
/// Embedded pictures an SVG may carry: raster images cannot run anything.
const EMBEDDED_PICTURES: [&str; 5] = ["data:image/png", "data:image/jpeg", "data:image/jpg", "data:image/gif", "data:image/webp"];

/// Every reason to refuse this SVG file, with its line and column in the file.
pub fn check_svg(bytes: &[u8]) -> Vec<Problem> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return vec![Problem::error(Position::START, "this SVG file is not UTF-8 text: save it again as plain SVG (UTF-8)")];
    };
    let mut problems = Vec::new();
    // Entities can hide a `javascript:` from a reader and swell a small file: no SVG needs them.
    if let Some(offset) = text.find("<!ENTITY") {
        problems.push(Problem::error(
            position_at(text, offset),
            "entity declarations (<!ENTITY …>) are not allowed in lesson pictures: save the picture as plain SVG",
        ));
        return problems;
    }
    let options = roxmltree::ParsingOptions { allow_dtd: true, nodes_limit: 200_000 };
    let document = match roxmltree::Document::parse_with_options(text, options) {
        Ok(document) => document,
        Err(error) => {
            let at = error.pos();
            return vec![Problem::error(
                Position::new(at.row, at.col),
                format!("this SVG file is not well-formed XML ({error}); phones would show nothing: save it again as plain SVG"),
            )];
        }
    };
    let at = |offset: usize| {
        let pos = document.text_pos_at(offset);
        Position::new(pos.row, pos.col)
    };
    let root = document.root_element();
    if root.tag_name().name() != "svg" || root.tag_name().namespace() != Some(SVG_NAMESPACE) {
        problems.push(Problem::error(
            at(root.range().start),
            format!("this file's top element is <{}>, not an SVG picture's <svg xmlns=\"{SVG_NAMESPACE}\">", root.tag_name().name()),
        ));
    }
    for node in document.descendants() {
        if let Some(pi) = node.pi() {
            if pi.target.eq_ignore_ascii_case("xml-stylesheet") {
                problems.push(Problem::error(
                    at(node.range().start),
                    "a stylesheet from another file (<?xml-stylesheet …?>) is not allowed: put the styles in the SVG",
                ));
            }
            continue;
        }
        if node.is_text() && node.parent().is_some_and(|p| p.tag_name().name() == "style") {
            check_style(node.text().unwrap_or(""), node.range().start, &at, &mut problems);
            continue;
        }
        if !node.is_element() {
            continue;
        }
        let name = node.tag_name().name();
        let element_at = at(node.range().start);
        match name.to_ascii_lowercase().as_str() {
            "script" => problems.push(Problem::error(element_at, "a <script> in a lesson picture is not allowed: remove it")),
            "foreignobject" => {
                problems.push(Problem::error(element_at, "<foreignObject> (HTML inside a picture) is not allowed in lesson pictures: remove it"))
            }
            "set" | "animate" | "animatemotion" | "animatetransform" => {
                let target = node.attribute("attributeName").unwrap_or("");
                if LINK_ATTRIBUTES.iter().any(|a| target.to_ascii_lowercase().ends_with(a)) {
                    problems.push(Problem::error(element_at, format!("an animation may not change `{target}` (a link): remove it")));
                }
            }
            _ => {}
        }
        if node.tag_name().namespace() == Some(XHTML_NAMESPACE) {
            problems.push(Problem::error(element_at, format!("HTML (<{name}>) inside a lesson picture is not allowed: remove it")));
        }
        for attribute in node.attributes() {
            let attribute_at = at(attribute.range().start);
            let local = attribute.name().to_ascii_lowercase();
            let value = attribute.value();
            if local.starts_with("on") {
                problems.push(Problem::error(
                    attribute_at,
                    format!("the event handler `{}` runs script: lesson pictures may not have `on…` attributes", attribute.name()),
                ));
                continue;
            }
            if runs_script(value) {
                problems.push(Problem::error(attribute_at, format!("`{}` runs script (javascript:): remove it", attribute.name())));
                continue;
            }
            if LINK_ATTRIBUTES.contains(&local.as_str()) && !stays_inside(value) {
                problems.push(Problem::error(
                    attribute_at,
                    format!(
                        "`{}` points outside the picture ({}): a lesson picture may only refer to `#an-id` in the same file or carry a data:image/png, jpeg, gif or webp",
                        attribute.name(),
                        shorten(value)
                    ),
                ));
                continue;
            }
            if local == "style" || value.contains("url(") {
                check_style(value, attribute.range_value().start, &at, &mut problems);
            }
        }
    }
    problems
}

/// `url(…)` and `@import` in CSS (a `<style>` or a `style`/presentation attribute) starting at
/// `offset` in the file: only `url(#id)` and embedded pictures stay inside the file.
fn check_style(css: &str, offset: usize, at: &impl Fn(usize) -> Position, problems: &mut Vec<Problem>) {
    let lower = css.to_ascii_lowercase();
    if let Some(i) = lower.find("@import") {
        problems.push(Problem::error(at(offset + i), "@import loads another stylesheet: put the styles in the SVG"));
    }
    let mut from = 0;
    while let Some(i) = lower[from..].find("url(").map(|i| from + i) {
        let rest = &css[i + 4..];
        let end = rest.find(')').unwrap_or(rest.len());
        let target = rest[..end].trim().trim_matches(|c| c == '"' || c == '\'').trim();
        if runs_script(target) || !stays_inside(target) {
            problems.push(Problem::error(
                at(offset + i),
                format!("url({}) points outside the picture: use url(#an-id) of the same file", shorten(target)),
            ));
        }
        from = i + 4;
    }
}

/// `javascript:` (or `vbscript:`), however it is spelled: case, spaces and control characters are
/// ignored by browsers in a URL's scheme, and so here.
fn runs_script(value: &str) -> bool {
    let squeezed: String = value.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect::<String>().to_ascii_lowercase();
    squeezed.contains("javascript:") || squeezed.contains("vbscript:")
}

/// `#id` in the same file, or a raster picture written inside it.
fn stays_inside(target: &str) -> bool {
    let target = target.trim();
    if target.starts_with('#') {
        return true;
    }
    let lower = target.to_ascii_lowercase();
    EMBEDDED_PICTURES.iter().any(|kind| lower.strip_prefix(kind).is_some_and(|rest| rest.starts_with([';', ','])))
}

fn shorten(value: &str) -> String {
    let short: String = value.chars().take(40).collect();
    if short.len() < value.len() {
        format!("`{short}…`")
    } else {
        format!("`{short}`")
    }
}

/// Line and column (characters) of a byte offset.
fn position_at(text: &str, offset: usize) -> Position {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    Position::new(u32::try_from(line).unwrap_or(u32::MAX), u32::try_from(col).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(svg: &str) -> Vec<(u32, u32, String)> {
        check_svg(svg.as_bytes()).into_iter().map(|p| (p.position.line, p.position.col, p.message)).collect()
    }

    fn svg(body: &str) -> String {
        format!("<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\"0 0 10 10\">\n{body}\n</svg>\n")
    }

    #[test]
    fn a_plain_picture_passes() {
        let picture = svg("<defs><linearGradient id=\"g\"><stop offset=\"0\" stop-color=\"#0f6e4c\"/></linearGradient>\
             <style>.a { fill: url(#g); }</style></defs>\n\
             <rect class=\"a\" width=\"10\" height=\"10\" style=\"fill: url('#g')\"/><use href=\"#g\"/><use xlink:href=\"#g\"/>\n\
             <image href=\"data:image/png;base64,iVBORw0KGgo=\"/><a href=\"#top\"><text>Học Số</text></a>");
        assert_eq!(problems(&picture), []);
        let exported = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \
             \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n{}",
            svg("<metadata><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/></metadata>")
        );
        assert_eq!(problems(&exported), []);
    }

    #[test]
    fn scripts_handlers_and_html_are_refused_where_they_are() {
        let found = problems(&svg(
            "<script>alert(1)</script>\n  <rect onload=\"alert(1)\" width=\"1\"/>\n<foreignObject><p xmlns=\"http://www.w3.org/1999/xhtml\">x</p></foreignObject>\n<svg:script xmlns:svg=\"http://www.w3.org/2000/svg\"/>",
        ));
        let places: Vec<(u32, u32)> = found.iter().map(|(l, c, _)| (*l, *c)).collect();
        assert_eq!(places, [(2, 1), (3, 9), (4, 1), (4, 16), (5, 1)], "{found:?}");
        assert!(found[0].2.contains("<script>") && found[1].2.contains("`onload`") && found[2].2.contains("<foreignObject>"));
        assert!(found[3].2.contains("HTML (<p>)"), "{found:?}");
    }

    #[test]
    fn links_out_of_the_picture_and_javascript_are_refused() {
        let cases = [
            "<a href=\"https://example.com\"><text>x</text></a>",
            "<a xlink:href=\" JaVa\tScRiPt:alert(1)\"><text>x</text></a>",
            "<a href=\"&#106;avascript:alert(1)\"><text>x</text></a>",
            "<use href=\"other.svg#icon\"/>",
            "<image href=\"data:image/svg+xml;base64,PHN2Zy8+\"/>",
            "<image href=\"/content/media/x.png\"/>",
            "<rect style=\"fill: url(https://tracker.example/x.png)\"/>",
            "<rect fill=\"url(http://x/y#g)\"/>",
            "<style>@import url(\"x.css\");</style>",
            "<style>rect { background: url( 'x.png' ) }</style>",
            "<set attributeName=\"href\" to=\"#ok\"/>",
            "<animate attributeName=\"xlink:href\" values=\"#a;#b\"/>",
        ];
        for case in cases {
            let found = problems(&svg(case));
            assert!(!found.is_empty(), "{case}");
            assert!(found.iter().all(|(line, _, _)| *line == 2), "{case}: {found:?}");
        }
        let found = problems(&format!("<?xml-stylesheet href=\"x.css\"?>\n{}", svg("")));
        assert_eq!((found[0].0, found[0].1), (1, 1), "{found:?}");
    }

    #[test]
    fn entities_broken_xml_and_other_roots_are_refused() {
        let entity = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg [\n  <!ENTITY a \"javascript:\">\n]>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
        assert_eq!(problems(entity).iter().map(|(l, c, _)| (*l, *c)).collect::<Vec<_>>(), [(3, 3)]);
        let broken = problems("<svg xmlns=\"http://www.w3.org/2000/svg\">\n<rect>\n</svg>");
        assert_eq!(broken.len(), 1);
        assert!(broken[0].2.contains("not well-formed XML"), "{broken:?}");
        assert_eq!(broken[0].0, 3, "{broken:?}");
        let html = problems("<html><body><script>x</script></body></html>");
        assert!(html[0].2.contains("top element is <html>"), "{html:?}");
        assert!(check_svg(b"\xff\xfe<svg/>")[0].message.contains("not UTF-8"));
    }

    #[test]
    fn media_are_pictures_or_sounds_by_extension() {
        for picture in ["a.svg", "a.PNG", "a.jpg", "a.jpeg", "a.webp", "a.gif"] {
            assert_eq!(media_kind(picture), Some(MediaKind::Picture), "{picture}");
        }
        for sound in ["a.mp3", "a.m4a", "a.aac", "a.ogg", "a.opus", "a.webm"] {
            assert_eq!(media_kind(sound), Some(MediaKind::Sound), "{sound}");
        }
        for other in ["form.pdf", "page.html", "x.js", "x.svgz", "x.exe", "noextension", "x.mp4"] {
            assert_eq!(media_kind(other), None, "{other}");
        }
    }
}
