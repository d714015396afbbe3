//! `/report`: filing a complaint. A plain multipart form that works without
//! JavaScript; the POST goes to the server's `/report` handler, which files
//! it and redirects to the tracking page, or renders this page again with the
//! refusal and everything the citizen typed (a [`Refused`] [`ReportForm`]).

use crate::{
    api::{
        forms::{refusal, Refused, ReportForm},
        ports::{services, viewer, CategoryOption, SiteSettings},
    },
    components::{
        error_page::ErrorPage, locate::LocateButton, pwa::OutboxList, questions::CategoryQuestions,
        textarea_text,
    },
    i18n::{t, use_lang, Lang, Msg},
};
use leptos::prelude::*;
use leptos_meta::Title;

/// Categories grouped for `<optgroup>`s, in display order.
pub(crate) fn grouped(
    categories: Vec<CategoryOption>,
    lang: Lang,
) -> Vec<(String, Vec<CategoryOption>)> {
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
    let refused = refusal::<ReportForm>();
    let categories = Resource::new_blocking(
        || (),
        |_| async move { services()?.catalog.categories().await },
    );
    view! {
        <Title text=t(Msg::ReportTitle) />
        <Suspense>
            {move || {
                let refused = refused.clone();
                Suspend::new(async move {
                    match categories.await {
                        Ok(list) => view! { <ReportFormView categories=list refused lang /> }.into_any(),
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn ReportFormView(
    categories: Vec<CategoryOption>,
    refused: Option<Refused<ReportForm>>,
    lang: Lang,
) -> impl IntoView {
    let error = refused.as_ref().map(|r| r.error.message(lang));
    let typed = refused.map(|r| r.form).unwrap_or_default();
    let chosen = typed.category.clone();
    // A retried submission of the same opened form files one complaint.
    let key = Some(typed.idempotency_key.clone())
        .filter(|k| !k.is_empty())
        .unwrap_or_else(|| crate::model::random_hex(16));
    let groups = grouped(categories.clone(), lang);
    let answers = typed.answers.clone();
    let settings = use_context::<SiteSettings>();
    let tile_url = settings
        .as_ref()
        .map(|s| s.tile_url.clone())
        .unwrap_or_default();
    let attribution = settings
        .as_ref()
        .map(|s| s.tile_attribution.clone())
        .unwrap_or_default();
    let bounds = settings.as_ref().and_then(|s| s.city_bounds.get());
    let center = bounds
        .map(|[a, b, c, d]| format!("{:.5},{:.5}", (a + c) / 2.0, (b + d) / 2.0))
        .unwrap_or_default();
    let bounds = bounds
        .map(|[a, b, c, d]| format!("{a:.5},{b:.5},{c:.5},{d:.5}"))
        .unwrap_or_default();
    let identity = match viewer() {
        Some(me) => view! {
            <p class="hint">{t(Msg::ReportSignedIn).replacen("{}", &lang.digits(&me.phone_masked), 1)}</p>
        }
        .into_any(),
        None => view! {
            <p class="hint">
                {t(Msg::AnonymousNote)} " "
                <a href="/signin?next=/report">{t(Msg::ReportSignInLink)}</a>
            </p>
        }
        .into_any(),
    };
    view! {
        <OutboxList />
        <section class="card report">
            <h1>{t(Msg::ReportTitle)}</h1>
            <p>{t(Msg::ReportLead)}</p>
            {error.map(|msg| view! { <p class="form-error" role="alert" id="report-error">{msg}</p> })}
            // data-* carry what the optional enhancement script (public/js)
            // needs: map settings and ready, translated strings.
            <form
                id="report-form"
                class="report-form"
                data-testid="report-form"
                method="post"
                action="/report"
                enctype="multipart/form-data"
                data-lang=lang.tag()
                data-tile-url=tile_url
                data-tile-attribution=attribution
                data-center=center
                data-bounds=bounds
                data-max-photos="5"
            >
                <input type="hidden" name="idempotency_key" value=key />
                // More strings than one element may carry attributes: the
                // script merges these into the form's dataset.
                <div id="report-msgs" hidden
                    data-msg-map-open=t(Msg::MapOpen)
                    data-msg-map-confirm=t(Msg::MapConfirm)
                    data-msg-map-hint=t(Msg::MapHint)
                    data-msg-map-confirmed=t(Msg::MapConfirmed)
                    data-msg-map-outside=t(Msg::MapOutside)
                    data-msg-photo-remove=t(Msg::PhotoRemove)
                    data-msg-photo-too-many=t(Msg::PhotoTooMany)
                    data-msg-photo-failed=t(Msg::PhotoFailed)
                    data-msg-uploading=t(Msg::Uploading)
                    data-msg-upload-failed=t(Msg::UploadFailed)
                    data-msg-nearby-title=t(Msg::NearbyTitle)
                    data-msg-nearby-lead=t(Msg::NearbyLead)
                    data-msg-nearby-support=t(Msg::NearbySupport)
                    data-msg-nearby-supported=t(Msg::NearbySupported)
                    data-msg-nearby-already=t(Msg::DoneAlreadySupported)
                    data-msg-nearby-failed=t(Msg::NearbyFailed)
                    data-msg-nearby-signin=t(Msg::NearbySignIn)
                    data-msg-nearby-view=t(Msg::NearbyView)
                    data-msg-nearby-distance=t(Msg::NearbyDistance)
                    data-msg-search-placeholder=t(Msg::SearchPlaceholder)
                    data-msg-search-none=t(Msg::SearchNone)
                ></div>
                <p class="urgent-call" data-testid="urgent-call">
                    {t(Msg::ReportDangerCall)} " "
                    <a href="tel:137" dir="ltr">"137"</a>
                </p>
                <label for="category">{t(Msg::FieldCategoryPick)}</label>
                // The category finder's place: public/js/search.js fills it,
                // and style/main.css gives it its final height from the
                // first paint, so the fields below never jump when the
                // script arrives (without scripts it is not shown).
                <div class="cat-finder"></div>
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
                                            // Urban-services emergencies say so in the list.
                                            let name = c.label(lang);
                                            view! {
                                                <option value=c.code.clone() selected=selected data-urgent=c.urgent.then_some("true")>
                                                    {name}
                                                </option>
                                            }
                                        })
                                        .collect_view()}
                                </optgroup>
                            }
                        })
                        .collect_view()}
                </select>
                <CategoryQuestions categories typed=answers lang />

                <label for="description">{t(Msg::FieldDescription)}</label>
                <textarea
                    id="description"
                    name="description"
                    rows="5"
                    maxlength="1000"
                    required
                    aria-describedby="description-hint"
                >
                    {textarea_text(&typed.description)}
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
                    <div id="map-slot"></div>
                    <label for="address">{t(Msg::FieldAddress)}</label>
                    <input
                        id="address"
                        name="address"
                        type="text"
                        maxlength="300"
                        autocomplete="street-address"
                        placeholder=t(Msg::AddressHint)
                        value=typed.address.clone()
                    />
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
                    <input type="hidden" id="accuracy_m" name="accuracy_m" value=typed.accuracy_m.clone() />
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
                <label for="photo-camera" class="camera-label">{t(Msg::TakePhoto)}</label>
                <input
                    id="photo-camera"
                    name="photo"
                    type="file"
                    accept="image/jpeg,image/png,image/webp"
                    capture="environment"
                    aria-describedby="photo-hint"
                />
                <p id="photo-hint" class="hint">{t(Msg::PhotosHint)}</p>
                <div id="photo-previews"></div>

                <div id="nearby-slot"></div>
                {identity}
                <button type="submit" class="button button-primary">{t(Msg::ReportSubmit)}</button>
            </form>
        </section>
    }
}
