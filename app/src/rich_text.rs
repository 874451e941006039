//! Renders the typed lesson tree as Leptos elements. Every piece of lesson text becomes a text
//! node: lesson Markdown can never inject markup (there is no inner_html anywhere here).
use hocso_core::content::{Block, Inline, LinkTarget};
use leptos::prelude::*;

/// Where a link in a lesson may lead in the app, if anywhere.
fn safe_href(href: &str, topic: &str) -> Option<String> {
    match LinkTarget::parse(href) {
        LinkTarget::Web(url) => Some(url),
        LinkTarget::Phone(number) => Some(format!("tel:{number}")),
        LinkTarget::Lesson { topic: other, lesson } => Some(format!("/lessons/{}/{lesson}", other.as_deref().unwrap_or(topic))),
        // Media links arrive as URL paths from the packs.
        _ if href.starts_with("/content/media/") => Some(href.to_owned()),
        _ => None,
    }
}

pub fn inlines_view(inlines: &[Inline], topic: &str) -> AnyView {
    inlines
        .iter()
        .map(|inline| match inline {
            Inline::Text { text } => text.clone().into_any(),
            Inline::Strong { children } => view! { <strong>{inlines_view(children, topic)}</strong> }.into_any(),
            Inline::Emphasis { children } => view! { <em>{inlines_view(children, topic)}</em> }.into_any(),
            Inline::Code { code } => view! { <code>{code.clone()}</code> }.into_any(),
            Inline::LineBreak => view! { <br/> }.into_any(),
            Inline::Link { href, children } => match safe_href(href, topic) {
                Some(url) if url.starts_with("http") => {
                    view! { <a href=url target="_blank" rel="noopener noreferrer">{inlines_view(children, topic)}</a> }.into_any()
                }
                Some(url) => view! { <a href=url>{inlines_view(children, topic)}</a> }.into_any(),
                None => inlines_view(children, topic),
            },
        })
        .collect_view()
        .into_any()
}

pub fn blocks_view(blocks: &[Block], topic: &str) -> AnyView {
    blocks
        .iter()
        .map(|block| match block {
            Block::Paragraph { content } => view! { <p>{inlines_view(content, topic)}</p> }.into_any(),
            Block::List { ordered, start, items } => {
                let items = items.iter().map(|item| view! { <li>{blocks_view(item, topic)}</li> }).collect_view();
                if *ordered {
                    view! { <ol start=start.to_string()>{items}</ol> }.into_any()
                } else {
                    view! { <ul>{items}</ul> }.into_any()
                }
            }
            Block::Image { src, alt } => view! {
                <figure class="lesson-picture"><img src=src.clone() alt=alt.clone() loading="lazy"/></figure>
            }
            .into_any(),
            // The step's read-aloud button plays it (see `speech`).
            Block::Audio { .. } => ().into_any(),
            // The drill player comes next (issue #13): until then, the placeholder names the kind.
            Block::Practice(drill) => view! {
                <div class="practice" data-exercise=drill.kind.as_str()>
                    {move || crate::i18n::use_i18n().t("lesson.practice_soon")}
                </div>
            }
            .into_any(),
        })
        .collect_view()
        .into_any()
}
