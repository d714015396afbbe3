//! The HTML document and the router (server only: in islands mode the browser
//! never renders the app, it only wakes the islands inside it).

use crate::{
    components::pwa::PwaStrings,
    i18n::{t, use_lang, Lang, Msg},
    pages::{
        feedback::{FeedbackItemPage, FeedbackPage},
        home::HomePage,
        kiosk::{KioskDonePage, KioskPage, KioskReportPage, KioskTrackPage},
        mine::MinePage,
        not_found::NotFound,
        offline::OfflinePage,
        report::ReportPage,
        signin::SigninPage,
        staff::{
            audit::StaffAuditPage,
            cartable::StaffCartablePage,
            complaint::StaffComplaintPage,
            council::{StaffCouncilPage, StaffCouncilThreadPage},
            feedback::StaffFeedbackPage,
            home::StaffHomePage,
            intake::StaffIntakePage,
            password::StaffPasswordPage,
            queues::{StaffDispatchPage, StaffInspectionPage, StaffVerifyPage},
            report_card::StaffReportCardPage,
            settings::{StaffCategoryPage, StaffSettingsPage},
            signin::StaffSigninPage,
            users::StaffUsersPage,
        },
        track::{ComplaintPage, TrackPage},
    },
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    hooks::use_location,
    path, SsrMode,
};
use std::sync::OnceLock;

/// The language of the current request: the `pasokh_lang` cookie, else Persian.
fn request_lang() -> Lang {
    use_context::<http::request::Parts>()
        .and_then(|parts| {
            parts
                .headers
                .get(http::header::COOKIE)
                .and_then(|v| v.to_str().ok())
                .map(Lang::from_cookie_header)
        })
        .unwrap_or_default()
}

/// The stylesheet's URL. With `hash-files` cargo-leptos writes the content
/// hashes to `hash.txt` beside the server binary; hashed names let us serve
/// `/pkg` with a year-long immutable cache.
fn stylesheet_href(options: &LeptosOptions) -> &'static str {
    static HREF: OnceLock<String> = OnceLock::new();
    HREF.get_or_init(|| {
        let name = &options.output_name;
        let pkg = &options.site_pkg_dir;
        let hash = options
            .hash_files
            .then(|| {
                let exe = std::env::current_exe().ok()?;
                let text =
                    std::fs::read_to_string(exe.parent()?.join(options.hash_file.as_ref())).ok()?;
                text.lines().find_map(|line| {
                    let (file, hash) = line.split_once(':')?;
                    (file.trim() == "css").then(|| hash.trim().to_owned())
                })
            })
            .flatten();
        match hash {
            Some(hash) => format!("/{pkg}/{name}.{hash}.css"),
            None => format!("/{pkg}/{name}.css"),
        }
    })
}

/// `scheme://host[:port]` of a URL template, for the CSP.
fn origin_of(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    if !matches!(scheme, "http" | "https") {
        return None;
    }
    let host_len = rest.find('/').unwrap_or(rest.len());
    let host = &rest[..host_len];
    let ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'{' | b'}'));
    ok.then(|| &url[..scheme.len() + 3 + host_len])
}

/// Content-Security-Policy for pages: scripts only from us or inline with this
/// response's nonce; wasm compilation allowed; images also from the map's
/// tile server; nothing may frame us.
fn page_csp(nonce: &str, tile_origin: Option<&str>) -> String {
    let tiles = tile_origin
        .map(|o| format!(" {}", o.replace("{s}", "*")))
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:{tiles}; font-src 'self'; \
         connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; \
         base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Puts the hydration tags kept in `<template id="hydration">` into the head
/// after the load event and the first contentful paint (at most 3 s after
/// load: a page loaded in a background tab may not paint). Cloned script
/// elements run, and keep the response's nonce.
const WAKE_ISLANDS: &str =
    "addEventListener('load',()=>{let t=document.getElementById('hydration'),\
w=()=>{t&&document.head.append(t.content.cloneNode(true));t=null};setTimeout(w,3e3);\
try{new PerformanceObserver(l=>l.getEntriesByName('first-contentful-paint').length&&setTimeout(w))\
.observe({type:'paint',buffered:true})}catch{w()}},{once:true})";

/// The whole HTML document for every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = request_lang();
    provide_context(lang);
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        let tile_url = use_context::<crate::api::ports::SiteSettings>().map(|s| s.tile_url);
        let csp = page_csp(nonce.as_inner(), tile_url.as_deref().and_then(origin_of));
        if let Ok(value) = http::HeaderValue::from_str(&csp) {
            response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
    let css = stylesheet_href(&options);
    let nonce = leptos::nonce::use_nonce().map(|n| n.as_inner().to_string());
    let enhance = format!(
        "/js/enhance.js?v={}",
        use_context::<crate::api::ports::SiteSettings>()
            .map(|s| s.asset_version)
            .unwrap_or_default()
    );
    view! {
        <!DOCTYPE html>
        <html lang=lang.tag() dir=lang.dir()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
                <meta name="theme-color" content="#0b6e4f" />
                <meta name="description" content=Msg::HomeLead.text(lang) />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="icon" type="image/png" sizes="32x32" href="/icons/favicon-32.png" />
                <link rel="apple-touch-icon" href="/icons/apple-touch-icon.png" />
                // Persian pages need the font at once; English pages may never need it.
                {(lang == Lang::Fa)
                    .then(|| {
                        view! {
                            <link rel="preload" href="/fonts/vazirmatn-nl.woff2" r#as="font" r#type="font/woff2" crossorigin="" />
                        }
                    })}
                <link rel="stylesheet" href=css />
                // The islands' wasm (and its JS) must not compete with the
                // page's own CSS, font and first paint on a slow phone:
                // Leptos's hydration tags wait inert in a template until the
                // page has loaded and painted, then go into the head (islands
                // wake on idle anyway; every form works before they do).
                <template id="hydration">
                    <HydrationScripts options islands=true />
                </template>
                <script type="module" nonce=nonce.clone()>{WAKE_ISLANDS}</script>
                <MetaTags />
            </head>
            <body>
                <App />
                // Plain-JS enhancements (copy button; on /report the map,
                // photo resizing, upload progress, nearby check). Optional:
                // every form works without them.
                <script type="module" src=enhance nonce=nonce></script>
            </body>
        </html>
    }
}

/// Header, navigation, routes and footer.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = use_lang();
    view! {
        <Title text=Msg::AppName.text(lang) />
        <Router>
            <a class="skip-link" href="#main">{t(Msg::SkipToContent)}</a>
            <SiteHeader />
            <main id="main" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage />
                    // Pages that load data render whole before the first byte
                    // (SsrMode::Async): out-of-order streaming would need
                    // JavaScript to put the late parts in place, and the
                    // status code (404, 422) must be known before headers go.
                    <Route path=path!("/report") view=ReportPage ssr=SsrMode::Async />
                    <Route path=path!("/track") view=TrackPage ssr=SsrMode::Async />
                    <Route path=path!("/offline") view=OfflinePage />
                    // The lobby kiosk: its own frame, no site navigation.
                    <Route path=path!("/kiosk") view=KioskPage />
                    <Route path=path!("/kiosk/report") view=KioskReportPage ssr=SsrMode::Async />
                    <Route path=path!("/kiosk/done/:code") view=KioskDonePage ssr=SsrMode::Async />
                    <Route path=path!("/kiosk/track") view=KioskTrackPage ssr=SsrMode::Async />
                    <Route path=path!("/track/:code") view=ComplaintPage ssr=SsrMode::Async />
                    <Route path=path!("/signin") view=SigninPage ssr=SsrMode::Async />
                    <Route path=path!("/me") view=MinePage ssr=SsrMode::Async />
                    // The back office: server-rendered, plain forms, no islands.
                    <Route path=path!("/staff/signin") view=StaffSigninPage ssr=SsrMode::Async />
                    <Route path=path!("/staff") view=StaffHomePage ssr=SsrMode::Async />
                    <Route path=path!("/staff/password") view=StaffPasswordPage ssr=SsrMode::Async />
                    <Route path=path!("/staff/cartable") view=StaffCartablePage ssr=SsrMode::Async />
                    <Route path=path!("/staff/complaints/:code") view=StaffComplaintPage ssr=SsrMode::Async />
                    <Route path=path!("/staff/intake") view=StaffIntakePage ssr=SsrMode::Async />
                    <Route path=path!("/staff/dispatch") view=StaffDispatchPage ssr=SsrMode::Async />
                    <Route path=path!("/staff/verify") view=StaffVerifyPage ssr=SsrMode::Async />
                    <Route path=path!("/staff/inspection") view=StaffInspectionPage ssr=SsrMode::Async />
                    <Route path=path!("/staff/audit") view=StaffAuditPage ssr=SsrMode::Async />
                    <Route path=path!("/staff/report-card") view=StaffReportCardPage ssr=SsrMode::Async />
                    <Route path=path!("/staff/feedback") view=StaffFeedbackPage ssr=SsrMode::Async />
                    <Route path=path!("/feedback") view=FeedbackPage ssr=SsrMode::Async />
                    <Route path=path!("/feedback/:code") view=FeedbackItemPage ssr=SsrMode::Async />
                    <Route path=path!("/staff/admin/users") view=StaffUsersPage ssr=SsrMode::Async />
                    <Route path=path!("/staff/admin/settings") view=StaffSettingsPage ssr=SsrMode::Async />
                    <Route path=path!("/staff/council") view=StaffCouncilPage ssr=SsrMode::Async />
                    <Route path=path!("/staff/council/:id") view=StaffCouncilThreadPage ssr=SsrMode::Async />
                    <Route path=path!("/staff/admin/settings/categories/:code") view=StaffCategoryPage ssr=SsrMode::Async />
                </Routes>
            </main>
            <SiteFooter />
            <PwaStrings />
        </Router>
    }
}

/// Whether this request is for a kiosk screen, which has its own frame.
fn on_kiosk() -> bool {
    let here = use_location().pathname.get_untracked();
    here == "/kiosk" || here.starts_with("/kiosk/")
}

/// The footer; none on the kiosk.
#[component]
fn SiteFooter() -> impl IntoView {
    (!on_kiosk()).then(|| {
        view! {
            <footer class="site-footer">
                <p>{t(Msg::FooterNote)}</p>
            </footer>
        }
    })
}

/// Brand, main navigation and the language switch (none on the kiosk: a
/// lobby screen leads nowhere else).
#[component]
fn SiteHeader() -> impl IntoView {
    let lang = use_lang();
    let here = use_location().pathname.get_untracked();
    if on_kiosk() {
        return None;
    }
    let switch_href = format!("/lang/{}?next={}", lang.other().tag(), encode_path(&here));
    let training = use_context::<crate::api::ports::SiteSettings>()
        .and_then(|s| s.simulated_clock)
        .map(|now| {
            view! {
                <p class="training-banner" role="status" data-testid="simulated-clock">
                    {t(Msg::SimulatedClockBanner)} " "
                    <time>{crate::i18n::jalali::date_time(now.get(), lang)}</time>
                </p>
            }
        });
    Some(view! {
        {training}
        <header class="site-header">
            <a class="brand" href="/">
                <img src="/icons/icon-192.png" alt="" width="32" height="32" />
                <span class="brand-name">{t(Msg::AppName)}</span>
                <span class="brand-tagline">{t(Msg::AppTagline)}</span>
            </a>
            <nav aria-label=t(Msg::NavMain)>
                <ul class="nav-list">
                    <li><a href="/report">{t(Msg::NavReport)}</a></li>
                    <li><a href="/track">{t(Msg::NavTrack)}</a></li>
                    <li><a href="/feedback">{t(Msg::NavFeedback)}</a></li>
                    {match crate::api::ports::viewer() {
                        Some(_) => view! {
                            <li><a href="/me" data-testid="nav-mine">{t(Msg::NavMine)}</a></li>
                            <li>
                                <form method="post" action="/signout" class="inline-form">
                                    <button type="submit" class="link-button">{t(Msg::NavSignOut)}</button>
                                </form>
                            </li>
                        }
                        .into_any(),
                        // Staff go to their desks instead of the citizens' sign-in.
                        None if crate::api::staff::staff_viewer().is_some() => view! {
                            <li><a href="/staff" data-testid="nav-staff">{t(Msg::StaffNavLink)}</a></li>
                        }
                        .into_any(),
                        None => view! {
                            <li><a href="/signin" data-testid="nav-signin">{t(Msg::NavSignIn)}</a></li>
                        }
                        .into_any(),
                    }}
                </ul>
            </nav>
            <a
                class="lang-switch"
                data-testid="lang-switch"
                href=switch_href
                hreflang=lang.other().tag()
                lang=lang.other().tag()
            >
                {Msg::LangSwitchLabel.text(lang)}
            </a>
        </header>
    })
}

/// Percent-encodes a path for a query parameter (only what a path may contain).
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tile_origin_is_allowed_and_nothing_else() {
        assert_eq!(
            origin_of("https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
            Some("https://tile.openstreetmap.org")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:3199/tiles/{z}/{x}/{y}.png"),
            Some("http://127.0.0.1:3199")
        );
        assert_eq!(origin_of("javascript:alert(1)"), None);
        assert_eq!(origin_of("https://a.example;script-src */x"), None);
        let csp = page_csp("n", Some("https://{s}.tile.example"));
        assert!(csp.contains("img-src 'self' data: blob: https://*.tile.example;"));
    }
}
