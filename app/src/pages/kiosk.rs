//! `/kiosk`: the municipal lobby's touch screen (portrait, no OS keyboard).
//! The attract screen (file or track), the filing form (the public form's
//! plain POST to `/report` with channel `kiosk`), the end screen (the code,
//! a QR code of the tracking page made here as SVG, an 80 mm receipt) and
//! tracking by code. public/js/kiosk.js adds the on-screen keyboard and
//! numeric pad, and the idle wipe that leaves nothing for the next user;
//! its strings come from the `data-msg-*` attributes rendered here.

use crate::{
    api::{
        forms::{refusal, ReportForm},
        ports::{services, CategoryOption, SiteSettings},
        staff::PlaceOption,
    },
    components::{
        error_page::ErrorPage, questions::CategoryQuestions, status::status_view, textarea_text,
    },
    error::AppError,
    i18n::{jalali, t, use_lang, Lang, Msg},
    model::{complaint::PublicComplaint, TrackingCode},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The default idle time before the warning, in seconds
/// (`PASOKH_KIOSK_IDLE_SECONDS` overrides it).
pub const IDLE_SECONDS: u32 = 90;
/// The warning's countdown before the wipe, in seconds.
pub const WARN_SECONDS: u32 = 15;

/// The tracking page's QR code as an inline SVG: dark modules on white with
/// the quiet zone, at least 240 px. `None` only for data too long for a QR
/// code (a URL of ours never is).
pub fn qr_svg(data: &str) -> Option<String> {
    use qrcode::{render::svg, EcLevel, QrCode};
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).ok()?;
    let xml = code
        .render::<svg::Color>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    // Inline in HTML: the XML declaration goes.
    xml.find("<svg").map(|start| xml[start..].to_owned())
}

/// The absolute URL of a complaint's public tracking page: the configured
/// public address, else the address this request came to.
fn tracking_url(code: &TrackingCode) -> String {
    let configured = use_context::<SiteSettings>().and_then(|s| s.public_url);
    let origin = configured.unwrap_or_else(|| {
        let host = use_context::<http::request::Parts>()
            .and_then(|p| {
                p.headers
                    .get(http::header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| "localhost".into());
        format!("http://{host}")
    });
    tracking_url_at(&origin, code)
}

/// `origin`'s tracking page of `code`.
pub fn tracking_url_at(origin: &str, code: &TrackingCode) -> String {
    format!("{}/track/{code}", origin.trim_end_matches('/'))
}

/// The idle settings the script reads: the server's, or `?idle=`/`?warn=`
/// (seconds) for a test or a trial on the device.
fn idle_settings() -> (String, String) {
    let query = use_query_map().get_untracked();
    let configured = use_context::<SiteSettings>()
        .map(|s| s.kiosk_idle_seconds)
        .unwrap_or(IDLE_SECONDS);
    let pick = |name: &str, default: u32| {
        query
            .get(name)
            .and_then(|v| v.trim().parse::<u32>().ok())
            .filter(|v| (1..=3600).contains(v))
            .unwrap_or(default)
            .to_string()
    };
    (pick("idle", configured), pick("warn", WARN_SECONDS))
}

/// What every kiosk screen shares: its stylesheet, the language switch, the
/// idle warning and the script's strings.
#[component]
fn KioskFrame(screen: &'static str, children: Children) -> impl IntoView {
    let lang = use_lang();
    let (idle, warn) = idle_settings();
    let version = use_context::<SiteSettings>()
        .map(|s| s.asset_version)
        .unwrap_or_default();
    let here = match screen {
        "report" => "/kiosk/report",
        "track" => "/kiosk/track",
        _ => "/kiosk",
    };
    let switch_href = format!("/lang/{}?next={here}", lang.other().tag());
    view! {
        <link rel="stylesheet" href=format!("/js/kiosk.css?v={version}") />
        <div
            id="kiosk"
            class="kiosk"
            data-testid="kiosk"
            data-screen=screen
            data-lang=lang.tag()
            data-idle=idle
            data-warn=warn
            data-msg-space=t(Msg::KioskSpace)
            data-msg-backspace=t(Msg::KioskBackspace)
            data-msg-layout=t(Msg::KioskLayout)
            data-msg-hide=t(Msg::KioskHideKeys)
        >
            <div class="kiosk-bar">
                <a class="kiosk-home" href="/kiosk" data-testid="kiosk-home">{t(Msg::KioskHome)}</a>
                <a class="kiosk-lang" href=switch_href hreflang=lang.other().tag() lang=lang.other().tag() data-testid="kiosk-lang">
                    {Msg::LangSwitchLabel.text(lang)}
                </a>
            </div>
            {children()}
            <div id="kiosk-keys" class="kiosk-keys" data-testid="kiosk-keys" hidden></div>
            <div id="kiosk-idle" class="kiosk-idle" role="alertdialog" aria-modal="true" aria-labelledby="kiosk-idle-title" data-testid="kiosk-idle" hidden>
                <div class="kiosk-idle-box">
                    <p id="kiosk-idle-title" class="kiosk-idle-title">{t(Msg::KioskIdleTitle)}</p>
                    <p>{t(Msg::KioskIdleBody)} " " <span class="kiosk-countdown" data-testid="kiosk-countdown"></span></p>
                    <button type="button" class="kiosk-button kiosk-primary" data-kiosk-continue data-testid="kiosk-continue">
                        {t(Msg::KioskContinue)}
                    </button>
                </div>
            </div>
        </div>
    }
}

/// `/kiosk`: the attract screen, two big choices.
#[component]
pub fn KioskPage() -> impl IntoView {
    view! {
        <Title text=t(Msg::KioskTitle) />
        <KioskFrame screen="attract">
            <section class="kiosk-attract">
                <h1>{t(Msg::KioskWelcome)}</h1>
                <p class="kiosk-lead">{t(Msg::KioskLead)}</p>
                <a class="kiosk-choice kiosk-primary" href="/kiosk/report" data-testid="kiosk-file">
                    {t(Msg::KioskFile)}
                </a>
                <a class="kiosk-choice" href="/kiosk/track" data-testid="kiosk-track">
                    {t(Msg::KioskTrack)}
                </a>
            </section>
        </KioskFrame>
    }
}

/// `/kiosk/report`: the public form's fields as touch tiles and on-screen
/// keys; posts to `/report` like the public form (channel `kiosk`), and a
/// refusal comes back here with what was typed.
#[component]
pub fn KioskReportPage() -> impl IntoView {
    let lang = use_lang();
    let refused = refusal::<ReportForm>();
    // The city's known places: a kiosk has no location of its own, and a
    // place's name as the address gives the filing its point (routed).
    let lists = Resource::new_blocking(
        || (),
        |_| async move {
            let services = services()?;
            Ok::<_, AppError>((
                services.catalog.categories().await?,
                services.staff.places().await?,
            ))
        },
    );
    view! {
        <Title text=t(Msg::KioskFile) />
        <KioskFrame screen="report">
            <Suspense>
                {move || {
                    let refused = refused.clone();
                    Suspend::new(async move {
                        match lists.await {
                            Ok((categories, places)) => {
                                let error = refused.as_ref().map(|r| r.error.message(lang).to_owned());
                                let typed = refused.map(|r| r.form).unwrap_or_default();
                                view! { <KioskForm categories places typed error lang /> }.into_any()
                            }
                            Err(error) => view! { <ErrorPage error /> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </KioskFrame>
    }
}

#[component]
fn KioskForm(
    categories: Vec<CategoryOption>,
    places: Vec<PlaceOption>,
    typed: ReportForm,
    error: Option<String>,
    lang: Lang,
) -> impl IntoView {
    let key = Some(typed.idempotency_key.clone())
        .filter(|k| !k.is_empty())
        .unwrap_or_else(|| crate::model::random_hex(16));
    let chosen = typed.category.clone();
    let with_questions = categories.clone();
    view! {
        <form
            id="kiosk-form"
            class="kiosk-form"
            data-testid="kiosk-form"
            method="post"
            action="/report"
            enctype="multipart/form-data"
            autocomplete="off"
        >
            <h1>{t(Msg::KioskFile)}</h1>
            {error.map(|msg| view! { <p class="form-error" role="alert" id="report-error">{msg}</p> })}
            <input type="hidden" name="idempotency_key" value=key />
            <input type="hidden" name="channel" value="kiosk" />
            <fieldset class="kiosk-categories">
                <legend>{t(Msg::FieldCategoryPick)}</legend>
                {categories
                    .into_iter()
                    .map(|c| {
                        let checked = c.code == chosen;
                        view! {
                            <label class="kiosk-tile">
                                <input type="radio" name="category" value=c.code.clone() checked=checked required />
                                <span>{c.label(lang)}</span>
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <CategoryQuestions categories=with_questions typed=typed.answers.clone() lang kiosk=true />
            <label for="description">{t(Msg::FieldDescription)}</label>
            <textarea
                id="description"
                name="description"
                rows="4"
                maxlength="1000"
                required
                inputmode="none"
                autocomplete="off"
                data-keys="text"
            >
                {textarea_text(&typed.description)}
            </textarea>
            <label for="address">{t(Msg::KioskAddress)}</label>
            <input
                id="address"
                name="address"
                type="text"
                maxlength="300"
                inputmode="none"
                autocomplete="off"
                data-keys="text"
                value=typed.address.clone()
            />
            // Tapping one types its name into the address (kiosk.js shows them).
            <div class="kiosk-places" data-places-for="address" data-testid="kiosk-places" hidden>
                <p class="hint">{t(Msg::KioskPlaces)}</p>
                {places
                    .into_iter()
                    .map(|p| {
                        let name = p.name.get(lang).to_owned();
                        let shown = name.clone();
                        view! { <button type="button" class="kiosk-place" data-place=name>{shown}</button> }
                    })
                    .collect_view()}
            </div>
            <label for="caller_phone">{t(Msg::KioskPhone)}</label>
            <input
                id="caller_phone"
                name="caller_phone"
                type="text"
                maxlength="20"
                inputmode="none"
                autocomplete="off"
                dir="ltr"
                data-keys="digits"
                aria-describedby="phone-hint"
                value=typed.caller_phone.clone()
            />
            <p id="phone-hint" class="hint">{t(Msg::KioskPhoneHint)}</p>
            <button type="submit" class="kiosk-button kiosk-primary" data-testid="kiosk-submit">{t(Msg::ReportSubmit)}</button>
        </form>
    }
}

/// `/kiosk/done/{code}`: the end screen and the receipt. Shows only what the
/// public tracking page shows (no name, phone or description).
#[component]
pub fn KioskDonePage() -> impl IntoView {
    let raw = use_params_map()
        .get_untracked()
        .get("code")
        .unwrap_or_default();
    let lookup = Resource::new_blocking(
        move || raw.clone(),
        |raw| async move { public_complaint(&raw).await },
    );
    view! {
        <Title text=t(Msg::KioskDoneTitle) />
        <KioskFrame screen="done">
            <Suspense>
                {move || Suspend::new(async move {
                    match lookup.await {
                        Ok(c) => view! { <Receipt complaint=c /> }.into_any(),
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                    }
                })}
            </Suspense>
        </KioskFrame>
    }
}

async fn public_complaint(raw: &str) -> Result<PublicComplaint, AppError> {
    let code = TrackingCode::parse(raw).map_err(|_| AppError::NotFound)?;
    services()?
        .tracking
        .public_view(&code)
        .await?
        .ok_or(AppError::NotFound)
}

#[component]
fn Receipt(complaint: PublicComplaint) -> impl IntoView {
    let lang = use_lang();
    let code = complaint.tracking_code.clone();
    let url = tracking_url(&code);
    // Our own markup from the URL's bits, never user text.
    let qr = qr_svg(&url).unwrap_or_default();
    view! {
        <section class="kiosk-done">
            <div class="kiosk-receipt" data-testid="kiosk-receipt">
                <p class="kiosk-receipt-title">{t(Msg::AppName)} " · " {t(Msg::KioskReceiptCode)}</p>
                <p class="kiosk-code" dir="ltr" data-testid="kiosk-code">{lang.digits(code.as_str())}</p>
                <div class="kiosk-qr" data-testid="kiosk-qr" inner_html=qr></div>
                <p class="kiosk-receipt-line">{complaint.category.get(lang).to_owned()}</p>
                <p class="kiosk-receipt-line">
                    <time>{jalali::date_time(complaint.created_at, lang)}</time>
                </p>
                <p class="kiosk-receipt-hint">{t(Msg::KioskReceiptHint)}</p>
            </div>
            <p class="kiosk-lead kiosk-screen-only">{t(Msg::KioskDoneLead)}</p>
            <div class="kiosk-actions kiosk-screen-only">
                <button type="button" class="kiosk-button" data-print hidden data-testid="kiosk-print">{t(Msg::KioskPrint)}</button>
                <button type="button" class="kiosk-button kiosk-primary" data-kiosk-finish data-testid="kiosk-finish">{t(Msg::KioskFinish)}</button>
            </div>
        </section>
    }
}

/// `/kiosk/track?code=…`: the numeric pad, then the public status.
#[component]
pub fn KioskTrackPage() -> impl IntoView {
    let typed = use_query_map().get_untracked().get("code");
    let lookup = Resource::new_blocking(
        move || typed.clone(),
        |typed| async move {
            match typed {
                Some(raw) if !raw.trim().is_empty() => Some(public_complaint(&raw).await),
                _ => None,
            }
        },
    );
    view! {
        <Title text=t(Msg::KioskTrack) />
        <KioskFrame screen="track">
            <section class="kiosk-track">
                <h1>{t(Msg::KioskTrack)}</h1>
                <Suspense>
                    {move || Suspend::new(async move {
                        match lookup.await {
                            Some(Ok(c)) => view! { <KioskStatus complaint=c /> }.into_any(),
                            Some(Err(AppError::NotFound)) => view! {
                                <p class="form-error" role="alert" data-testid="kiosk-not-found">{t(Msg::TrackNotFound)}</p>
                                <KioskTrackForm />
                            }
                            .into_any(),
                            Some(Err(error)) => view! { <ErrorPage error /> }.into_any(),
                            None => view! { <KioskTrackForm /> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </KioskFrame>
    }
}

#[component]
fn KioskTrackForm() -> impl IntoView {
    view! {
        <form class="kiosk-track-form" method="get" action="/kiosk/track" autocomplete="off">
            <label for="kiosk-code">{t(Msg::TrackCodeLabel)}</label>
            <input
                id="kiosk-code"
                name="code"
                type="text"
                maxlength="24"
                inputmode="none"
                autocomplete="off"
                dir="ltr"
                required
                data-keys="digits"
            />
            <button type="submit" class="kiosk-button kiosk-primary" data-testid="kiosk-track-submit">{t(Msg::TrackAction)}</button>
        </form>
    }
}

#[component]
fn KioskStatus(complaint: PublicComplaint) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="kiosk-status" data-testid="kiosk-status">
            <p class="kiosk-code" dir="ltr">{lang.digits(complaint.tracking_code.as_str())}</p>
            <p>{status_view(complaint.status)}</p>
            <p>{complaint.category.get(lang).to_owned()}</p>
            <p><time>{jalali::date_time(complaint.created_at, lang)}</time></p>
            {complaint.unit.map(|u| view! { <p>{u.get(lang).to_owned()}</p> })}
            <ol class="kiosk-timeline">
                {complaint
                    .timeline
                    .into_iter()
                    .filter_map(|e| e.note.map(|note| (e.at, note)))
                    .map(|(at, note)| view! {
                        <li><time>{jalali::date_time(at, lang)}</time> " " <span>{note}</span></li>
                    })
                    .collect_view()}
            </ol>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::{qr_svg, tracking_url_at};
    use crate::model::TrackingCode;

    #[test]
    fn the_qr_code_links_to_the_public_tracking_page() {
        let code = TrackingCode::parse("1234567894").expect("test value");
        assert_eq!(
            tracking_url_at("https://137.example.ir/", &code),
            "https://137.example.ir/track/1234567894"
        );
    }

    /// The dimension in `width="…"` of the root element.
    fn width(svg: &str) -> u32 {
        let rest = &svg[svg.find("width=\"").expect("a width") + 7..];
        rest[..rest.find('"').expect("test value")]
            .parse()
            .expect("test value")
    }

    #[test]
    fn qr_svg_is_one_well_formed_svg_element() {
        let svg = qr_svg("http://127.0.0.1:3000/track/1234567894").expect("test value");
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<svg").count(), 1);
        assert!(!svg.contains("<?xml"), "no XML declaration inside HTML");
        assert!(svg.contains("<path"), "dark modules drawn");
        assert!(width(&svg) >= 240);
    }

    #[test]
    fn qr_svg_grows_with_its_content_and_differs_per_url() {
        let short = qr_svg("http://a/track/1234567894").expect("test value");
        let long =
            qr_svg(&format!("https://{}/track/1234567894", "x".repeat(200))).expect("test value");
        let other = qr_svg("http://a/track/1234567898").expect("test value");
        // More data, more modules: the path gets longer.
        assert!(long.len() > short.len());
        assert_ne!(short, other);
    }
}
