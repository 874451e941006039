//! Renders the typed lesson tree as Leptos elements. Every piece of lesson text becomes a text
//! node: lesson Markdown can never inject markup (there is no inner_html anywhere here).
use hocso_core::content::{Block, Inline, LinkTarget};
use leptos::prelude::*;

use crate::practice::DrillPlayer;

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

/// A step's blocks; `first_drill` is the lesson-wide index of the step's first practice block
/// (`Lesson::drill_steps` counts drills in the same order), which its events name.
pub fn blocks_view(blocks: &[Block], topic: &str, first_drill: u32) -> AnyView {
    let mut next_drill = first_drill;
    blocks_with_drills(blocks, topic, &mut next_drill)
}

fn blocks_with_drills(blocks: &[Block], topic: &str, next_drill: &mut u32) -> AnyView {
    blocks
        .iter()
        .map(|block| match block {
            Block::Paragraph { content } => view! { <p>{inlines_view(content, topic)}</p> }.into_any(),
            Block::List { ordered, start, items } => {
                let items = items.iter().map(|item| view! { <li>{blocks_with_drills(item, topic, next_drill)}</li> }).collect_view();
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
            Block::Practice(drill) => {
                let index = *next_drill;
                *next_drill += 1;
                view! { <DrillPlayer drill=drill.clone() index/> }.into_any()
            }
        })
        .collect_view()
        .into_any()
}
