//! The app's shape at a glance: every screen and its path.
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::home::Home;
use crate::i18n::{provide_i18n, I18nGate};
use crate::not_found::NotFound;
use crate::pwa::UpdateBanner;
use crate::settings::Settings;
use crate::topics::TopicPage;

#[component]
pub fn App() -> impl IntoView {
    provide_i18n();
    view! {
        <I18nGate>
            <Router>
                <UpdateBanner/>
                <main id="main">
                    <Routes fallback=|| view! { <NotFound/> }>
                        <Route path=path!("/") view=Home/>
                        <Route path=path!("/topics/:topic") view=TopicPage/>
                        <Route path=path!("/settings") view=Settings/>
                    </Routes>
                </main>
            </Router>
        </I18nGate>
    }
}
