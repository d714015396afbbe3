//! `/staff/intake`: an operator files what a caller (or a visitor at the
//! counter) reports. Keyboard first: the caller's number has the focus, the
//! fields follow in the order of the conversation. The form posts multipart
//! to `/staff/intake` ([`ReportForm`] with `caller_phone` and `channel`
//! `phone`/`in_person`, `photo` parts); the server answers 303 to
//! `?filed=CODE` (and `&sms=1` when the code went to the caller by text),
//! or renders this page again with the refusal and the form as typed. A GET
//! form "look up caller" (`?caller=PHONE`) shows the number's earlier
//! complaints above the form and fills the number in.

use crate::{
    api::{
        forms::{refusal, Refused, ReportForm},
        ports::{services, CategoryOption},
        staff::{CallerComplaint, Desk, PlaceOption},
    },
    components::{error_page::ErrorPage, questions::CategoryQuestions, textarea_text},
    error::{AppError, Invalid},
    i18n::{jalali, t, use_lang, Lang, Msg},
    model::{PhoneNumber, TrackingCode},
    pages::staff::{admit, set_status, status_badge, StaffNav},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/staff/intake?filed=&sms=&caller=`.
#[component]
pub fn StaffIntakePage() -> impl IntoView {
    let viewer = match admit(Some(Desk::Intake)) {
        Ok(v) => v,
        Err(page) => return page,
    };
    let query = use_query_map().get_untracked();
    let filed = query
        .get("filed")
        .and_then(|c| TrackingCode::parse(&c).ok())
        .map(|c| c.to_string());
    let sms = query.get("sms").is_some_and(|s| s == "1");
    // The number looked up, normalised; or why it is not a number.
    let caller = query
        .get("caller")
        .filter(|c| !c.trim().is_empty())
        .map(|c| {
            PhoneNumber::parse(&c)
                .map(|p| p.as_str().to_owned())
                .map_err(|_| c)
        });
    let refused = refusal::<ReportForm>();
    let load = {
        let viewer = viewer.clone();
        let phone = caller.clone().and_then(Result::ok);
        Resource::new_blocking(
            || (),
            move |_| {
                let (viewer, phone) = (viewer.clone(), phone.clone());
                async move {
                    let services = services()?;
                    let categories = services.catalog.categories().await?;
                    let places = services.staff.places().await?;
                    let history = match phone {
                        Some(phone) => Some(services.staff.caller_history(&viewer, &phone).await?),
                        None => None,
                    };
                    Ok::<_, AppError>((categories, places, history))
                }
            },
        )
    };
    view! {
        <Title text=t(Msg::StaffDeskIntake) />
        <StaffNav viewer />
        {filed.map(|code| view! { <FiledNotice code sms /> })}
        <Suspense>
            {move || {
                let (refused, caller) = (refused.clone(), caller.clone());
                Suspend::new(async move {
                    match load.await {
                        Ok((categories, places, history)) => {
                            view! { <IntakeView categories places history caller refused /> }.into_any()
                        }
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

/// The code just filed, big, to read out to the caller.
#[component]
fn FiledNotice(code: String, sms: bool) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="filed" role="status" data-testid="filed-notice">
            <h2>{t(Msg::StaffFiledReadOut)}</h2>
            <p class="big-code">
                <bdi dir="ltr" data-testid="filed-code">{lang.digits(&code)}</bdi>
            </p>
            {sms.then(|| view! { <p data-testid="filed-sms">{t(Msg::StaffFiledSmsSent)}</p> })}
            <p>
                <a href=format!("/staff/complaints/{code}") data-testid="filed-link">{t(Msg::StaffOpenComplaint)}</a>
            </p>
        </section>
    }
}

#[component]
fn IntakeView(
    categories: Vec<CategoryOption>,
    places: Vec<PlaceOption>,
    history: Option<Vec<CallerComplaint>>,
    caller: Option<Result<String, String>>,
    refused: Option<Refused<ReportForm>>,
) -> impl IntoView {
    let lang = use_lang();
    let (looked_up, lookup_error) = match &caller {
        Some(Ok(phone)) => (phone.clone(), None),
        Some(Err(typed)) => {
            set_status(http::StatusCode::UNPROCESSABLE_ENTITY);
            (
                typed.clone(),
                Some(AppError::Invalid(Invalid::PhoneFormat).message(lang)),
            )
        }
        None => (String::new(), None),
    };
    let error = refused.as_ref().map(|r| r.error.message(lang));
    let mut typed = refused.map(|r| r.form).unwrap_or_default();
    if typed.caller_phone.is_empty() {
        typed.caller_phone = caller.and_then(Result::ok).unwrap_or_default();
    }
    view! {
        <section class="card staff-page intake">
            <h1>{t(Msg::StaffDeskIntake)}</h1>
            <form method="get" action="/staff/intake" class="caller-lookup" role="search" data-testid="caller-lookup">
                <label for="caller">{t(Msg::StaffLookupCaller)}</label>
                <div class="input-row">
                    <input id="caller" name="caller" type="tel" inputmode="tel" dir="ltr" maxlength="20" autocomplete="off" value=looked_up />
                    <button type="submit" class="button" data-testid="caller-lookup-submit">{t(Msg::StaffLookup)}</button>
                </div>
            </form>
            {lookup_error.map(|msg| view! { <p class="form-error" role="alert" data-testid="lookup-error">{msg}</p> })}
            {history.map(|list| view! { <CallerHistory list lang /> })}
            {error.map(|msg| view! { <p class="form-error" role="alert" data-testid="form-error">{msg}</p> })}
            <IntakeForm categories places typed lang />
        </section>
    }
}

/// `{"submitted": "…", …}`: the statuses' names for the script.
fn status_names() -> String {
    let pairs: Vec<String> = crate::model::Status::ALL
        .into_iter()
        .map(|st| {
            let name = t(crate::pages::staff::status_msg(st))
                .replace('\\', "\\\\")
                .replace('"', "\\\"");
            format!("\"{}\":\"{name}\"", st.as_str())
        })
        .collect();
    format!("{{{}}}", pairs.join(","))
}

/// What this number filed before: a repeat caller is often asking about one.
#[component]
fn CallerHistory(list: Vec<CallerComplaint>, lang: Lang) -> impl IntoView {
    view! {
        <section class="caller-history" aria-labelledby="history-title" data-testid="caller-history">
            <h2 id="history-title">{t(Msg::StaffCallerHistory)}</h2>
            {list.is_empty().then(|| view! { <p data-testid="caller-history-empty">{t(Msg::StaffCallerNone)}</p> })}
            <ul class="mine-list">
                {list
                    .into_iter()
                    .map(|c| {
                        let code = c.tracking_code.clone();
                        view! {
                            <li data-testid="caller-history-row">
                                <a href=format!("/staff/complaints/{code}")>
                                    <bdi dir="ltr" class="code">{lang.digits(&code)}</bdi>
                                </a>
                                " " <span>{c.category.get(lang).to_owned()}</span>
                                " " {status_badge(c.status)}
                                " " <time>{jalali::date_time(c.created_at, lang)}</time>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn IntakeForm(
    categories: Vec<CategoryOption>,
    places: Vec<PlaceOption>,
    typed: ReportForm,
    lang: Lang,
) -> impl IntoView {
    // A retried submission of the same opened form files one complaint.
    let key = Some(typed.idempotency_key.clone())
        .filter(|k| !k.is_empty())
        .unwrap_or_else(|| crate::model::random_hex(16));
    let in_person = typed.channel == "in_person";
    // A refused form may carry a code (from the API) or a typed name.
    let shown_category = categories
        .iter()
        .find(|c| c.code == typed.category)
        .map(|c| c.name.get(lang).to_owned())
        .unwrap_or_else(|| typed.category.clone());
    view! {
        <form
            method="post"
            action="/staff/intake"
            enctype="multipart/form-data"
            class="report-form intake-form"
            data-testid="intake-form"
        >
            <input type="hidden" name="idempotency_key" value=key />
            <label for="caller_phone">{t(Msg::StaffCallerPhone)}</label>
            <input
                id="caller_phone"
                name="caller_phone"
                type="tel"
                inputmode="tel"
                autocomplete="off"
                dir="ltr"
                maxlength="20"
                autofocus
                aria-describedby="caller-phone-hint"
                value=typed.caller_phone.clone()
            />
            <p id="caller-phone-hint" class="hint">{t(Msg::StaffCallerPhoneHint)}</p>
            // With JavaScript, the caller's earlier complaints appear here as
            // soon as the number is typed (public/js/intake.js); without it,
            // the "look up caller" form above does the same.
            <div
                id="caller-history-live"
                aria-live="polite"
                data-lang=lang.tag()
                data-msg-title=t(Msg::StaffCallerHistory)
                data-msg-none=t(Msg::StaffCallerNone)
                data-status-names=status_names()
            ></div>
            <fieldset class="channel">
                <legend>{t(Msg::StaffChannel)}</legend>
                <label for="channel-phone" class="star">
                    <input type="radio" id="channel-phone" name="channel" value="phone" checked=!in_person />
                    {t(Msg::StaffChannelPhone)}
                </label>
                <label for="channel-in-person" class="star">
                    <input type="radio" id="channel-in-person" name="channel" value="in_person" checked=in_person />
                    {t(Msg::StaffChannelInPerson)}
                </label>
            </fieldset>
            // Typed, not picked from a long list: the browser suggests the
            // categories whose names contain what was typed (no script), and
            // the server takes a category's name or its code.
            <label for="category">{t(Msg::FieldCategoryPick)}</label>
            <input
                id="category"
                name="category"
                type="text"
                list="category-names"
                required
                autocomplete="off"
                aria-describedby="category-hint"
                value=shown_category
            />
            <p id="category-hint" class="hint">{t(Msg::StaffCategoryHint)}</p>
            <datalist id="category-names">
                {categories
                    .iter()
                    .map(|c| {
                        view! {
                            <option value=c.name.get(lang).to_owned() label=c.group.get(lang).to_owned()></option>
                        }
                    })
                    .collect_view()}
            </datalist>
            <CategoryQuestions categories=categories.clone() typed=typed.answers.clone() lang />
            <label for="description">{t(Msg::FieldDescription)}</label>
            <textarea id="description" name="description" rows="5" maxlength="1000" required aria-describedby="description-hint">
                {textarea_text(&typed.description)}
            </textarea>
            <p id="description-hint" class="hint">{t(Msg::DescriptionHint)}</p>
            <label for="address">{t(Msg::FieldAddress)}</label>
            <input
                id="address"
                name="address"
                type="text"
                maxlength="300"
                autocomplete="off"
                placeholder=t(Msg::AddressHint)
                value=typed.address.clone()
                list="known-places"
            />
            // The city's known places: the browser suggests them as the
            // operator types (no script), and the server takes a picked
            // place's point when no coordinates are given.
            <datalist id="known-places">
                {places
                    .into_iter()
                    .map(|p| view! { <option value=p.name.get(lang).to_owned()></option> })
                    .collect_view()}
            </datalist>
            <div class="coords">
                <div>
                    <label for="lat">{t(Msg::FieldLat)}</label>
                    <input id="lat" name="lat" type="text" inputmode="decimal" dir="ltr" value=typed.lat.clone() />
                </div>
                <div>
                    <label for="lon">{t(Msg::FieldLon)}</label>
                    <input id="lon" name="lon" type="text" inputmode="decimal" dir="ltr" value=typed.lon.clone() />
                </div>
            </div>
            <label for="photo">{t(Msg::FieldPhotos)}</label>
            <input id="photo" name="photo" type="file" accept="image/jpeg,image/png,image/webp" multiple />
            <button type="submit" class="button button-primary" data-testid="intake-submit">{t(Msg::StaffIntakeSubmit)}</button>
        </form>
    }
}
