//! "Who is learning?": picture profiles on a shared phone. No passwords, no ID numbers: a
//! nickname, a picture and a colour.
use hocso_core::profile::{clean_nickname, Profile, MAX_NICKNAME_CHARS};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::avatars::{avatar_label_key, AvatarPicture, AVATARS, COLOURS};
use crate::i18n::use_i18n;
use crate::state::use_app_state;
use crate::store;

#[component]
pub fn WhoIsLearning() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let navigate = use_navigate();
    view! {
        <header class="bar">
            <h1>{move || i18n.t("profiles.who")}</h1>
        </header>
        <div class="profile-grid">
            <For each=move || state.profiles.get() key=|p| (p.id.clone(), p.updated_at) let:profile>
                {
                    let navigate = navigate.clone();
                    let id = profile.id.clone();
                    let edit_href = format!("/who/{}", profile.id);
                    view! {
                        <div class="profile-card">
                            <button
                                class="profile-pick"
                                on:click=move |_| {
                                    state.select_learner(Some(id.clone()));
                                    navigate("/", Default::default());
                                }
                            >
                                <AvatarPicture avatar=profile.avatar.clone() colour=profile.colour.clone()/>
                                <span class="profile-name">{profile.nickname.clone()}</span>
                            </button>
                            <A href=edit_href attr:class="profile-edit" attr:aria-label=move || i18n.t_with("profiles.edit_named", &[("name", &profile.nickname)])>
                                {move || i18n.t("profiles.edit")}
                            </A>
                        </div>
                    }
                }
            </For>
            <A href="/who/new" attr:class="profile-card profile-add">
                <span class="plus" aria-hidden="true">"+"</span>
                <span class="profile-name">{move || i18n.t("profiles.add")}</span>
            </A>
        </div>
    }
}

/// Creates (`/who/new`) or edits (`/who/:id`) a profile; editing also offers removal.
#[component]
pub fn ProfileForm() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let params = use_params_map();
    // Stored so the handlers below stay `Copy` and can be used in re-rendered views.
    let navigate = StoredValue::new_local(use_navigate());
    let go = move |path: &str| navigate.with_value(|navigate| navigate(path, Default::default()));
    let editing = move || params.with(|p| p.get("id")).filter(|id| id != "new");
    let existing = move || editing().and_then(|id| state.profiles.with(|ps| ps.iter().find(|p| p.id == id).cloned()));

    let nickname = RwSignal::new(String::new());
    let avatar = RwSignal::new(AVATARS[0].to_owned());
    let colour = RwSignal::new(COLOURS[4].to_owned());
    let error = RwSignal::new(None::<&'static str>);
    let confirming_delete = RwSignal::new(false);
    let answers_to_delete = RwSignal::new(0usize);
    Effect::new(move |_| {
        if let Some(profile) = existing() {
            nickname.set(profile.nickname);
            avatar.set(profile.avatar);
            colour.set(profile.colour);
        }
    });

    let save = {
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let Some(name) = clean_nickname(&nickname.get_untracked()) else {
                error.set(Some("profiles.error_nickname"));
                return;
            };
            let profile = Profile {
                id: editing().unwrap_or_else(store::new_profile_id),
                nickname: name,
                avatar: avatar.get_untracked(),
                colour: colour.get_untracked(),
                updated_at: 0,
                deleted: false,
            };
            spawn_local(async move {
                match store::save_profile(profile).await {
                    Ok(saved) => {
                        state.reload_profiles().await;
                        state.select_learner(Some(saved.id));
                        go("/");
                    }
                    Err(e) => state.store_error.set(Some(e)),
                }
            });
        }
    };
    let ask_delete = move |_| {
        let Some(id) = editing() else { return };
        spawn_local(async move {
            answers_to_delete.set(store::events_of(&id).await.map(|e| e.len()).unwrap_or(0));
            confirming_delete.set(true);
        });
    };
    let delete = move |_| {
        let Some(id) = editing() else { return };
        spawn_local(async move {
            match store::delete_profile(&id).await {
                Ok(_) => {
                    state.reload_profiles().await;
                    go("/who");
                }
                Err(e) => state.store_error.set(Some(e)),
            }
        });
    };

    view! {
        <header class="bar">
            <A href="/who" attr:class="icon-button" attr:aria-label=move || i18n.t("nav.back")>"←"</A>
            <h1>{move || if editing().is_some() { i18n.t("profiles.edit_title") } else { i18n.t("profiles.new_title") }}</h1>
        </header>
        <form class="profile-form" on:submit=save>
            <div class="profile-preview">
                <AvatarPicture avatar=avatar colour=colour/>
            </div>
            <fieldset>
                <legend>{move || i18n.t("profiles.choose_picture")}</legend>
                <div class="choice-grid">
                    {AVATARS.iter().map(|a| view! {
                        <button type="button" class="choice" aria-pressed=move || (avatar.get() == *a).to_string()
                            aria-label=move || i18n.t(&avatar_label_key(a)) on:click=move |_| avatar.set(a.to_string())>
                            <AvatarPicture avatar=a.to_string() colour=colour/>
                        </button>
                    }).collect_view()}
                </div>
            </fieldset>
            <fieldset>
                <legend>{move || i18n.t("profiles.choose_colour")}</legend>
                <div class="colour-row">
                    {COLOURS.iter().enumerate().map(|(i, c)| view! {
                        <button type="button" class="swatch" style=format!("background:{c}") aria-pressed=move || (colour.get() == *c).to_string()
                            aria-label=move || i18n.t_with("profiles.colour_n", &[("n", &(i + 1).to_string())]) on:click=move |_| colour.set(c.to_string())>
                        </button>
                    }).collect_view()}
                </div>
            </fieldset>
            <label class="field">
                <span>{move || i18n.t("profiles.nickname")}</span>
                <input type="text" maxlength=MAX_NICKNAME_CHARS * 2 autocomplete="off" prop:value=move || nickname.get()
                    on:input=move |ev| { nickname.set(event_target_value(&ev)); error.set(None); }/>
            </label>
            <p class="hint">{move || i18n.t("profiles.privacy_hint")}</p>
            {move || error.get().map(|key| view! { <p class="error" role="alert">{i18n.t(key)}</p> })}
            <button type="submit" class="big-button wide">{move || i18n.t("profiles.save")}</button>
        </form>
        <Show when=move || editing().is_some()>
            <section class="danger-zone">
                <Show when=move || confirming_delete.get() fallback=move || view! {
                    <button class="text-button danger" on:click=ask_delete>{move || i18n.t("profiles.delete")}</button>
                }>
                    <div class="confirm" role="alertdialog" aria-labelledby="confirm-text">
                        <p id="confirm-text">{move || i18n.t_with("profiles.delete_confirm", &[
                            ("name", &nickname.get()),
                            ("count", &answers_to_delete.get().to_string()),
                        ])}</p>
                        <div class="button-row">
                            <button class="big-button secondary" on:click=move |_| confirming_delete.set(false)>{move || i18n.t("common.cancel")}</button>
                            <button class="big-button danger" on:click=delete>{move || i18n.t("profiles.delete_yes")}</button>
                        </div>
                    </div>
                </Show>
            </section>
        </Show>
    }
}
