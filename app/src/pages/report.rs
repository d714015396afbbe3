//! `/report`: filing a complaint. A plain multipart form that works without
//! JavaScript; the POST goes to the server's `/report` handler, which files
//! it and redirects to the tracking page, or renders this page again with the
//! refusal and everything the citizen typed.

use crate::{
    api::ports::{services, CategoryOption, ReportOutcome},
    components::locate::LocateButton,
    i18n::{Lang, Msg},
    pages::error::ErrorPage,
    shell::{t, use_lang},
};
use leptos::prelude::*;
use leptos_meta::Title;

/// A fresh idempotency key for this form: a retried submission of the same
/// opened form files one complaint, not two.
fn new_form_key() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Categories grouped for `<optgroup>`s, in display order.
fn grouped(categories: Vec<CategoryOption>, lang: Lang) -> Vec<(String, Vec<CategoryOption>)> {
    let mut groups: Vec<(String, Vec<CategoryOption>)> = Vec::new();
    for c in categories {
        let g = c.group.get(lang).to_owned();
        match groups.iter_mut().find(|(name, _)| *name == g) {
            Some((_, list)) => list.push(c),
            None => groups.push((g, vec![c])),
        }
    }
    groups
}

#[component]
pub fn ReportPage() -> impl IntoView {
    let lang = use_lang();
    let outcome = use_context::<ReportOutcome>().unwrap_or_default();
    if outcome.error.is_some() {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            let status = outcome
                .error
                .as_ref()
                .map(|e| e.status_code())
                .unwrap_or(422);
            response.set_status(
                http::StatusCode::from_u16(status)
                    .unwrap_or(http::StatusCode::UNPROCESSABLE_ENTITY),
            );
        }
    }
    let categories = Resource::new_blocking(
        || (),
        |_| async move { services()?.catalog.categories().await },
    );
    view! {
        <Title text=t(Msg::ReportTitle) />
        <Suspense>
            {move || {
                let outcome = outcome.clone();
                Suspend::new(async move {
                    match categories.await {
                        Ok(list) => view! { <ReportForm categories=list outcome lang /> }.into_any(),
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn ReportForm(
    categories: Vec<CategoryOption>,
    outcome: ReportOutcome,
    lang: Lang,
) -> impl IntoView {
    let value = |k: &str| outcome.values.get(k).cloned().unwrap_or_default();
    let chosen = value("category");
    let key = outcome
        .values
        .get("idempotency_key")
        .filter(|k| !k.is_empty())
        .cloned()
        .unwrap_or_else(new_form_key);
    let error = outcome.error.as_ref().map(|e| e.message(lang));
    let groups = grouped(categories, lang);
    view! {
        <section class="card report">
            <h1>{t(Msg::ReportTitle)}</h1>
            <p>{t(Msg::ReportLead)}</p>
            {error.map(|msg| view! { <p class="form-error" role="alert" id="report-error">{msg}</p> })}
            <form
                class="report-form"
                data-testid="report-form"
                method="post"
                action="/report"
                enctype="multipart/form-data"
            >
                <input type="hidden" name="idempotency_key" value=key />
                <label for="category">{t(Msg::FieldCategoryPick)}</label>
                <select id="category" name="category" required>
                    <option value="">{t(Msg::CategoryPlaceholder)}</option>
                    {groups
                        .into_iter()
                        .map(|(group, list)| {
                            let chosen = chosen.clone();
                            view! {
                                <optgroup label=group>
                                    {list
                                        .into_iter()
                                        .map(|c| {
                                            let selected = c.code == chosen;
                                            view! {
                                                <option value=c.code.clone() selected=selected>
                                                    {c.name.get(lang).to_owned()}
                                                </option>
                                            }
                                        })
                                        .collect_view()}
                                </optgroup>
                            }
                        })
                        .collect_view()}
                </select>

                <label for="description">{t(Msg::FieldDescription)}</label>
                <textarea
                    id="description"
                    name="description"
                    rows="5"
                    maxlength="1000"
                    required
                    aria-describedby="description-hint"
                >
                    {value("description")}
                </textarea>
                <p id="description-hint" class="hint">{t(Msg::DescriptionHint)}</p>

                <fieldset class="location">
                    <legend>{t(Msg::LocationLegend)}</legend>
                    <p class="hint">{t(Msg::LocationHint)}</p>
                    <LocateButton
                        label=t(Msg::LocateMe).to_owned()
                        locating=t(Msg::Locating).to_owned()
                        fixed=t(Msg::LocateFixed).to_owned()
                        failed=t(Msg::LocateFailed).to_owned()
                        persian=lang == Lang::Fa
                    />
                    <label for="address">{t(Msg::FieldAddress)}</label>
                    <input
                        id="address"
                        name="address"
                        type="text"
                        maxlength="300"
                        autocomplete="street-address"
                        placeholder=t(Msg::AddressHint)
                        value=value("address")
                    />
                    <div class="coords">
                        <div>
                            <label for="lat">{t(Msg::FieldLat)}</label>
                            <input id="lat" name="lat" type="text" inputmode="decimal" dir="ltr" value=value("lat") />
                        </div>
                        <div>
                            <label for="lon">{t(Msg::FieldLon)}</label>
                            <input id="lon" name="lon" type="text" inputmode="decimal" dir="ltr" value=value("lon") />
                        </div>
                    </div>
                    <input type="hidden" id="accuracy_m" name="accuracy_m" value=value("accuracy_m") />
                </fieldset>

                <label for="photo">{t(Msg::FieldPhotos)}</label>
                <input
                    id="photo"
                    name="photo"
                    type="file"
                    accept="image/jpeg,image/png,image/webp"
                    multiple
                    aria-describedby="photo-hint"
                />
                <p id="photo-hint" class="hint">{t(Msg::PhotosHint)}</p>

                <p class="hint">{t(Msg::AnonymousNote)}</p>
                <button type="submit" class="button button-primary">{t(Msg::ReportSubmit)}</button>
            </form>
        </section>
    }
}
