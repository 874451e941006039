//! Picture avatars: a learner recognises their profile by picture and colour, without reading.
use leptos::prelude::*;

pub const AVATARS: &[&str] = &["buffalo", "chicken", "fish", "flower", "tree", "sun", "star", "house"];
pub const COLOURS: &[&str] = &["#c62828", "#ef6c00", "#f9a825", "#2e7d32", "#1565c0", "#6a1b9a"];

/// The `locales/` key naming an avatar, for screen readers.
pub fn avatar_label_key(avatar: &str) -> String {
    format!("avatar.{avatar}")
}

#[component]
pub fn AvatarPicture(#[prop(into)] avatar: Signal<String>, #[prop(into)] colour: Signal<String>) -> impl IntoView {
    let shape = move || {
        match avatar.get().as_str() {
        "buffalo" => view! {
            <ellipse cx="32" cy="38" rx="16" ry="14" fill="#fff"/>
            <path d="M16 26 C6 22 6 12 12 10 C12 18 18 22 22 24 Z M48 26 C58 22 58 12 52 10 C52 18 46 22 42 24 Z" fill="#fff"/>
            <circle cx="26" cy="34" r="2.5" fill="#222"/><circle cx="38" cy="34" r="2.5" fill="#222"/>
            <ellipse cx="32" cy="44" rx="7" ry="4" fill="#ddd"/>
        }.into_any(),
        "chicken" => view! {
            <circle cx="32" cy="36" r="15" fill="#fff"/>
            <path d="M28 18 L32 12 L36 18 Z" fill="#e53935"/>
            <path d="M46 36 L56 40 L46 42 Z" fill="#ffb300"/>
            <circle cx="38" cy="32" r="2.5" fill="#222"/>
        }.into_any(),
        "fish" => view! {
            <ellipse cx="30" cy="32" rx="18" ry="11" fill="#fff"/>
            <path d="M46 32 L58 22 L58 42 Z" fill="#fff"/>
            <circle cx="20" cy="30" r="2.5" fill="#222"/>
        }.into_any(),
        "flower" => view! {
            <circle cx="32" cy="20" r="8" fill="#fff"/><circle cx="44" cy="30" r="8" fill="#fff"/>
            <circle cx="20" cy="30" r="8" fill="#fff"/><circle cx="26" cy="43" r="8" fill="#fff"/>
            <circle cx="38" cy="43" r="8" fill="#fff"/><circle cx="32" cy="32" r="6" fill="#ffb300"/>
        }.into_any(),
        "tree" => view! {
            <circle cx="32" cy="26" r="15" fill="#fff"/>
            <rect x="28" y="36" width="8" height="18" rx="2" fill="#fff"/>
        }.into_any(),
        "sun" => view! {
            <circle cx="32" cy="32" r="11" fill="#fff"/>
            <path d="M32 8 V16 M32 48 V56 M8 32 H16 M48 32 H56 M15 15 L21 21 M43 43 L49 49 M15 49 L21 43 M43 21 L49 15" stroke="#fff" stroke-width="4" stroke-linecap="round"/>
        }.into_any(),
        "star" => view! {
            <path d="M32 8 L39 24 L56 25 L43 36 L47 53 L32 44 L17 53 L21 36 L8 25 L25 24 Z" fill="#fff"/>
        }.into_any(),
        _ => view! {
            <path d="M10 32 L32 12 L54 32 Z" fill="#fff"/>
            <rect x="16" y="30" width="32" height="22" fill="#fff"/>
            <rect x="28" y="38" width="9" height="14" fill="#888"/>
        }.into_any(),
    }
    };
    view! {
        <svg class="avatar" viewBox="0 0 64 64" aria-hidden="true">
            <circle cx="32" cy="32" r="32" fill=move || colour.get()/>
            {shape}
        </svg>
    }
}
