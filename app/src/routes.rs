//! The app's shape at a glance: every screen and its path.
//!
//! Two builds share it: the learner app (`/`) and the team tools (`/team/`, `--features team`),
//! which add the session, dashboard and province screens.
use leptos::prelude::*;
use leptos_router::components::{FlatRoutes, Route, Router};
use leptos_router::path;

use crate::home::Home;
use crate::i18n::{provide_i18n, I18nGate};
use crate::lesson::LessonPage;
use crate::not_found::NotFound;
use crate::profiles::{ProfileForm, WhoIsLearning};
use crate::pwa::UpdateBanner;
#[cfg(feature = "team")]
use crate::team_tools::{
    list::TeamHome,
    present::PresentMode,
    provide_team_state,
    province::Province,
    summary::{NewSession, SessionSummary},
    TeamScreen,
};
// The learner app has no team screens: every team path explains where they are (see `team`).
#[cfg(not(feature = "team"))]
use crate::membership::{
    TeamToolsElsewhere as TeamHome, TeamToolsElsewhere as NewSession, TeamToolsElsewhere as SessionSummary, TeamToolsElsewhere as PresentMode,
    TeamToolsElsewhere as TeamScreen, TeamToolsElsewhere as Province,
};
use crate::settings::Settings;
use crate::state::{provide_app_state, StoreErrorBanner};
use crate::topics::TopicPage;

#[component]
pub fn App() -> impl IntoView {
    provide_i18n();
    provide_app_state();
    #[cfg(feature = "team")]
    provide_team_state();
    crate::membership::provide_team_tools();
    crate::offline::provide_offline(crate::state::use_app_state());
    view! {
        <I18nGate>
            <Router>
                <UpdateBanner/>
                <StoreErrorBanner/>
                <main id="main">
                    <FlatRoutes fallback=|| view! { <NotFound/> }>
                        <Route path=path!("/") view=Home/>
                        <Route path=path!("/who") view=WhoIsLearning/>
                        <Route path=path!("/who/:id") view=ProfileForm/>
                        <Route path=path!("/topics/:topic") view=TopicPage/>
                        <Route path=path!("/lessons/:topic/:lesson") view=LessonPage/>
                        <Route path=path!("/settings") view=Settings/>
                        <Route path=path!("/team") view=TeamHome/>
                        <Route path=path!("/team/sessions/new") view=NewSession/>
                        <Route path=path!("/team/sessions/:id") view=SessionSummary/>
                        <Route path=path!("/team/sessions/:id/present/:lesson") view=PresentMode/>
                        // /team/dashboard, /team/studio (one route: the learner's app has none of them)
                        <Route path=path!("/team/:screen") view=TeamScreen/>
                        <Route path=path!("/province") view=Province/>
                        // A join link or QR code from the team: /join?code=KM4R-7XQP
                        <Route path=path!("/join") view=Settings/>
                    </FlatRoutes>
                </main>
            </Router>
        </I18nGate>
    }
}
