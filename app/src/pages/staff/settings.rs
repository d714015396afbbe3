//! `/staff/admin/settings` (پیکربندی, admins): the categories with their
//! deadlines, a form for a new one, the routing table and the holidays; and
//! `/staff/admin/settings/categories/{code}`: one category's fields and its
//! extra questions. Plain forms; every change applies at once and is audited.

use crate::{
    api::{
        forms::{refusal, HolidaysForm, Refused},
        ports::services,
        settings::{
            CategoryAdmin, CategoryForm, DistrictShape, DistrictsUpload, QuestionForm, Route,
            RoutingForm, UnitLine, UnitsForm, WorkWeekForm,
        },
        staff::{Desk, Holiday},
    },
    components::{error_page::ErrorPage, textarea_text},
    error::AppError,
    i18n::{t, use_lang, Msg},
    model::{
        calendar::Weekday,
        question::{QuestionKind, MAX_LABEL_CHARS},
    },
    pages::staff::{admit, StaffNav},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

fn kind_msg(kind: QuestionKind) -> Msg {
    match kind {
        QuestionKind::Text => Msg::QuestionKindText,
        QuestionKind::Number => Msg::QuestionKindNumber,
        QuestionKind::Choice => Msg::QuestionKindChoice,
    }
}

/// `/staff/admin/settings`.
#[component]
pub fn StaffSettingsPage() -> impl IntoView {
    let viewer = match admit(Some(Desk::Settings)) {
        Ok(v) => v,
        Err(page) => return page,
    };
    let load = {
        let viewer = viewer.clone();
        Resource::new_blocking(
            || (),
            move |_| {
                let viewer = viewer.clone();
                async move {
                    let s = services()?;
                    let categories = s.settings.categories(&viewer).await?;
                    let kinds = s.settings.unit_kinds(&viewer).await?;
                    let routing = s.settings.routing(&viewer).await?;
                    let holidays = s.staff.holidays(&viewer).await?;
                    let week = s.settings.work_week(&viewer).await?;
                    let districts = s.settings.districts(&viewer).await?;
                    let units = s.settings.units(&viewer).await?;
                    let lists = (routing, holidays, units);
                    Ok::<_, AppError>((categories, kinds, lists, week, districts))
                }
            },
        )
    };
    view! {
        <Title text=t(Msg::StaffDeskSettings) />
        <StaffNav viewer />
        <section class="card staff-page">
            <h1>{t(Msg::StaffDeskSettings)}</h1>
            <p>{t(Msg::SettingsLead)}</p>
        </section>
        <Suspense>
            {move || {
                let refused = refusal::<CategoryForm>();
                let refused_routing = refusal::<RoutingForm>();
                let refused_holidays = refusal::<HolidaysForm>();
                let refused_week = refusal::<WorkWeekForm>();
                let refused_districts = refusal::<DistrictsUpload>();
                let refused_units = refusal::<UnitsForm>();
                Suspend::new(async move {
                    match load.await {
                        Ok((categories, kinds, (routing, holidays, units), week, districts)) => view! {
                            <CategoryList categories />
                            <NewCategory kinds refused />
                            <UnitsSection units refused=refused_units />
                            <RoutingSection routing refused=refused_routing />
                            <WorkWeekSection week refused=refused_week />
                            <HolidaysSection holidays refused=refused_holidays />
                            <DistrictsSection districts refused=refused_districts />
                        }
                        .into_any(),
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
fn CategoryList(categories: Vec<CategoryAdmin>) -> impl IntoView {
    let lang = use_lang();
    let rows = categories
        .into_iter()
        .map(|c| {
            let href = format!("/staff/admin/settings/categories/{}", c.code);
            let sla = t(Msg::SettingsSla)
                .replacen("{}", &lang.digits(&c.first_response_hours.to_string()), 1)
                .replacen("{}", &lang.digits(&c.resolution_hours.to_string()), 1);
            let routed = t(Msg::SettingsRouted).replacen("{}", &lang.digits(&c.routed_districts.to_string()), 1);
            view! {
                <tr data-testid="category-row" data-code=c.code.clone()>
                    <td>
                        <a href=href>{format!("{} {}", c.icon, c.name.get(lang)).trim().to_owned()}</a>
                        {c.urgent.then(|| view! { " " <span class="badge badge-urgent">{t(Msg::StaffUrgent)}</span> })}
                        {(!c.active).then(|| view! { " " <span class="badge">{t(Msg::SettingsInactive)}</span> })}
                    </td>
                    <td>{c.group.get(lang).to_owned()}</td>
                    <td>{sla}</td>
                    <td>{lang.digits(&c.questions.len().to_string())}</td>
                    <td>{routed}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card staff-page" data-testid="categories">
            <h2>{t(Msg::SettingsCategories)}</h2>
            <div class="table-scroll">
                <table class="cartable">
                    <thead>
                        <tr>
                            <th scope="col">{t(Msg::FieldCategory)}</th>
                            <th scope="col">{t(Msg::CategoryGroupFa)}</th>
                            <th scope="col">{t(Msg::StaffDeadline)}</th>
                            <th scope="col">{t(Msg::QuestionsTitle)}</th>
                            <th scope="col">{t(Msg::RoutingTitle)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn NewCategory(kinds: Vec<String>, refused: Option<Refused<CategoryForm>>) -> impl IntoView {
    let lang = use_lang();
    let error = refused.as_ref().map(|r| r.error.message(lang));
    let typed = refused.map(|r| r.form).unwrap_or_else(|| CategoryForm {
        active: "on".into(),
        unit_kind: "district".into(),
        ..CategoryForm::default()
    });
    view! {
        <section class="card staff-page" data-testid="new-category">
            <h2>{t(Msg::SettingsNewCategory)}</h2>
            {error.map(|msg| view! { <p class="form-error" role="alert" id="category-error">{msg}</p> })}
            <form method="post" action="/staff/admin/categories" class="settings-form">
                <CategoryFields typed kinds new=true />
                <button type="submit" class="button button-primary" data-testid="category-create">
                    {t(Msg::CategoryCreate)}
                </button>
            </form>
        </section>
    }
}

/// The fields of a category's form; the code is typed only for a new one.
#[component]
fn CategoryFields(typed: CategoryForm, kinds: Vec<String>, new: bool) -> impl IntoView {
    let text = |id: &'static str, msg: Msg, value: String, dir: Option<&'static str>| {
        view! {
            <label for=id>{t(msg)}</label>
            <input id=id name=id type="text" maxlength=MAX_LABEL_CHARS dir=dir value=value />
        }
    };
    let number = |id: &'static str, msg: Msg, value: String| {
        view! {
            <label for=id>{t(msg)}</label>
            <input id=id name=id type="text" inputmode="numeric" dir="ltr" maxlength="6" required value=value />
        }
    };
    let check = |id: &'static str, msg: Msg, on: bool| {
        view! {
            <label for=id class="check">
                <input id=id name=id type="checkbox" checked=on />
                {t(msg)}
            </label>
        }
    };
    let chosen = typed.unit_kind.clone();
    let kind_options = kinds
        .into_iter()
        .map(|k| {
            let selected = k == chosen;
            let shown = k.clone();
            view! { <option value=k selected=selected>{shown}</option> }
        })
        .collect_view();
    view! {
        {if new {
            view! {
                <label for="code">{t(Msg::CategoryCodeLabel)}</label>
                <input id="code" name="code" type="text" dir="ltr" maxlength="40" required pattern="[a-z0-9-]{2,40}" value=typed.code.clone() />
            }
            .into_any()
        } else {
            view! { <input type="hidden" name="code" value=typed.code.clone() /> }.into_any()
        }}
        {text("name_fa", Msg::CategoryNameFa, typed.name_fa.clone(), None)}
        {text("name_en", Msg::CategoryNameEn, typed.name_en.clone(), Some("ltr"))}
        {text("group_fa", Msg::CategoryGroupFa, typed.group_fa.clone(), None)}
        {text("group_en", Msg::CategoryGroupEn, typed.group_en.clone(), Some("ltr"))}
        <label for="icon">{t(Msg::CategoryIconLabel)}</label>
        <input id="icon" name="icon" type="text" maxlength="8" value=typed.icon.clone() />
        {number("first_response_hours", Msg::CategoryResponseHours, typed.first_response_hours.clone())}
        {number("resolution_hours", Msg::CategoryResolutionHours, typed.resolution_hours.clone())}
        {number("nearby_radius_m", Msg::CategoryRadius, typed.nearby_radius_m.clone())}
        <label for="unit_kind">{t(Msg::CategoryUnitKind)}</label>
        <select id="unit_kind" name="unit_kind" aria-describedby="unit-kind-hint">{kind_options}</select>
        <p class="hint" id="unit-kind-hint">{t(Msg::CategoryUnitKindHint)}</p>
        {check("urgent", Msg::CategoryUrgentLabel, typed.urgent == "on")}
        {check("active", Msg::CategoryActive, typed.active == "on")}
    }
}

#[component]
fn UnitsSection(units: Vec<UnitLine>, refused: Option<Refused<UnitsForm>>) -> impl IntoView {
    let lang = use_lang();
    let error = refused.as_ref().map(|r| r.error.message(lang));
    let text = match refused {
        Some(r) => r.form.units,
        None => units
            .iter()
            .map(|u| {
                let district = u.district.as_deref().unwrap_or("");
                format!(
                    "{},{},{},{},{district}\n",
                    u.code, u.kind, u.name.fa, u.name.en
                )
            })
            .collect(),
    };
    view! {
        <section class="card staff-page" data-testid="units">
            <h2>{t(Msg::UnitsTitle)}</h2>
            <p class="hint" id="units-lead">{t(Msg::UnitsLead)}</p>
            {error.map(|msg| view! { <p class="form-error" role="alert" id="units-error">{msg}</p> })}
            <form method="post" action="/staff/admin/units">
                <label for="units-list">{t(Msg::UnitsTitle)}</label>
                <textarea id="units-list" name="units" rows="10" dir="auto" aria-describedby="units-lead" data-testid="units-list">
                    {textarea_text(&text)}
                </textarea>
                <button type="submit" class="button button-primary" data-testid="units-save">{t(Msg::UnitsSave)}</button>
            </form>
        </section>
    }
}

#[component]
fn RoutingSection(routing: Vec<Route>, refused: Option<Refused<RoutingForm>>) -> impl IntoView {
    let lang = use_lang();
    let error = refused.as_ref().map(|r| r.error.message(lang));
    let text = match refused {
        Some(r) => r.form.routing,
        None => routing
            .iter()
            .map(|r| format!("{},{},{}\n", r.category, r.district, r.unit))
            .collect(),
    };
    view! {
        <section class="card staff-page" data-testid="routing">
            <h2>{t(Msg::RoutingTitle)}</h2>
            <p class="hint" id="routing-lead">{t(Msg::RoutingLead)}</p>
            {error.map(|msg| view! { <p class="form-error" role="alert" id="routing-error">{msg}</p> })}
            <form method="post" action="/staff/admin/routing">
                <label for="routing-list">{t(Msg::RoutingTitle)}</label>
                <textarea id="routing-list" name="routing" rows="10" dir="ltr" aria-describedby="routing-lead" data-testid="routing-list">
                    {textarea_text(&text)}
                </textarea>
                <button type="submit" class="button button-primary" data-testid="routing-save">{t(Msg::RoutingSave)}</button>
            </form>
        </section>
    }
}

/// The districts drawn as an SVG map (no script, no tiles): longitude
/// scaled by the cosine of the middle latitude, north up, 1000 units across.
fn district_map(districts: &[DistrictShape], lang: crate::i18n::Lang) -> Option<AnyView> {
    let points = districts.iter().flat_map(|d| d.rings.iter().flatten());
    let (mut min_lon, mut min_lat, mut max_lon, mut max_lat) =
        (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for [lon, lat] in points {
        (min_lon, min_lat) = (min_lon.min(*lon), min_lat.min(*lat));
        (max_lon, max_lat) = (max_lon.max(*lon), max_lat.max(*lat));
    }
    if min_lon >= max_lon || min_lat >= max_lat {
        return None;
    }
    let squeeze = ((min_lat + max_lat) / 2.0).to_radians().cos();
    let (w, h) = ((max_lon - min_lon) * squeeze, max_lat - min_lat);
    let scale = 1000.0 / w.max(h);
    let xy = |[lon, lat]: [f64; 2]| ((lon - min_lon) * squeeze * scale, (max_lat - lat) * scale);
    let shapes = districts
        .iter()
        .map(|d| {
            let path: String = d
                .rings
                .iter()
                .map(|ring| {
                    let mut out = String::new();
                    for (i, p) in ring.iter().enumerate() {
                        let (x, y) = xy(*p);
                        out.push_str(&format!("{}{x:.1} {y:.1} ", if i == 0 { "M" } else { "L" }));
                    }
                    out.push('Z');
                    out
                })
                .collect();
            let name = d.name.get(lang).to_owned();
            // The label at the middle of the outer ring's box.
            let [a, b, c, e] = crate::model::geo::Polygon(d.rings.clone()).bbox();
            let (x, y) = xy([(a + c) / 2.0, (b + e) / 2.0]);
            view! {
                <g data-code=d.code.clone()>
                    <path d=path fill-rule="evenodd"><title>{name.clone()}</title></path>
                    <text x=format!("{x:.1}") y=format!("{y:.1}") text-anchor="middle">{name}</text>
                </g>
            }
        })
        .collect_view();
    Some(
        view! {
            <svg
                class="district-map"
                viewBox=format!("0 0 {:.0} {:.0}", w * scale, h * scale)
                role="img"
                aria-label=t(Msg::DistrictsMap)
                data-testid="district-map"
            >
                {shapes}
            </svg>
        }
        .into_any(),
    )
}

#[component]
fn DistrictsSection(
    districts: Vec<DistrictShape>,
    refused: Option<Refused<DistrictsUpload>>,
) -> impl IntoView {
    let lang = use_lang();
    let error = refused.as_ref().map(|r| r.error.message(lang));
    view! {
        <section class="card staff-page" data-testid="districts">
            <h2>{t(Msg::DistrictsTitle)}</h2>
            {district_map(&districts, lang)}
            <p class="hint" id="districts-lead">{t(Msg::DistrictsLead)}</p>
            {error.map(|msg| view! { <p class="form-error" role="alert" id="districts-error">{msg}</p> })}
            <form method="post" action="/staff/admin/districts" enctype="multipart/form-data" class="settings-form">
                <label for="geojson">{t(Msg::DistrictsFile)}</label>
                <input id="geojson" name="geojson" type="file" accept=".geojson,.json,application/geo+json,application/json" required aria-describedby="districts-lead" />
                <button type="submit" class="button button-primary" data-testid="districts-import">{t(Msg::DistrictsImport)}</button>
            </form>
        </section>
    }
}

fn weekday_msg(d: Weekday) -> Msg {
    match d {
        Weekday::Sat => Msg::WeekdaySat,
        Weekday::Sun => Msg::WeekdaySun,
        Weekday::Mon => Msg::WeekdayMon,
        Weekday::Tue => Msg::WeekdayTue,
        Weekday::Wed => Msg::WeekdayWed,
        Weekday::Thu => Msg::WeekdayThu,
        Weekday::Fri => Msg::WeekdayFri,
    }
}

/// Office hours, the weekend (a checkbox a day) and a short Thursday.
#[component]
fn WorkWeekSection(week: WorkWeekForm, refused: Option<Refused<WorkWeekForm>>) -> impl IntoView {
    let lang = use_lang();
    let error = refused.as_ref().map(|r| r.error.message(lang));
    let typed = refused.map(|r| r.form).unwrap_or(week);
    let days = Weekday::ALL
        .into_iter()
        .map(|d| {
            let id = format!("weekend_{}", d.as_str());
            let (label_for, name) = (id.clone(), id.clone());
            view! {
                <label for=label_for class="check">
                    <input id=id name=name type="checkbox" checked=typed.is_weekend(d) />
                    {t(weekday_msg(d))}
                </label>
            }
        })
        .collect_view();
    view! {
        <section class="card staff-page" data-testid="work-week">
            <h2>{t(Msg::WorkWeekTitle)}</h2>
            <p class="hint">{t(Msg::WorkWeekLead)}</p>
            {error.map(|msg| view! { <p class="form-error" role="alert" id="week-error">{msg}</p> })}
            <form method="post" action="/staff/admin/work-week" class="settings-form">
                <label for="hours">{t(Msg::WorkWeekHours)}</label>
                <input id="hours" name="hours" type="text" dir="ltr" maxlength="20" required value=typed.hours.clone() />
                <label for="thursday_until">{t(Msg::WorkWeekThursday)}</label>
                <input id="thursday_until" name="thursday_until" type="text" dir="ltr" maxlength="10" value=typed.thursday_until.clone() />
                <fieldset class="roles">
                    <legend>{t(Msg::WorkWeekWeekend)}</legend>
                    {days}
                </fieldset>
                <button type="submit" class="button button-primary" data-testid="week-save">{t(Msg::WorkWeekSave)}</button>
            </form>
        </section>
    }
}

/// `/staff/admin/settings/categories/{code}`.
#[component]
pub fn StaffCategoryPage() -> impl IntoView {
    let viewer = match admit(Some(Desk::Settings)) {
        Ok(v) => v,
        Err(page) => return page,
    };
    let code = use_params_map()
        .get_untracked()
        .get("code")
        .unwrap_or_default();
    let load = {
        let viewer = viewer.clone();
        Resource::new_blocking(
            || (),
            move |_| {
                let (viewer, code) = (viewer.clone(), code.clone());
                async move {
                    let s = services()?;
                    let category = s
                        .settings
                        .category(&viewer, &code)
                        .await?
                        .ok_or(AppError::NotFound)?;
                    let kinds = s.settings.unit_kinds(&viewer).await?;
                    Ok::<_, AppError>((category, kinds))
                }
            },
        )
    };
    view! {
        <StaffNav viewer />
        <Suspense>
            {move || {
                let refused = refusal::<CategoryForm>();
                let refused_question = refusal::<QuestionForm>();
                Suspend::new(async move {
                    match load.await {
                        Ok((category, kinds)) => view! {
                            <CategoryEdit category kinds refused refused_question />
                        }
                        .into_any(),
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
fn CategoryEdit(
    category: CategoryAdmin,
    kinds: Vec<String>,
    refused: Option<Refused<CategoryForm>>,
    refused_question: Option<Refused<QuestionForm>>,
) -> impl IntoView {
    let lang = use_lang();
    let name = category.name.get(lang).to_owned();
    let base = format!("/staff/admin/settings/categories/{}", category.code);
    let post = format!("/staff/admin/categories/{}", category.code);
    let error = refused.as_ref().map(|r| r.error.message(lang));
    let typed = refused.map(|r| r.form).unwrap_or_else(|| category.form());
    let questions = category
        .questions
        .iter()
        .map(|q| {
            let remove = format!("{post}/questions/{}/remove", q.id);
            let choices = (!q.choices.is_empty()).then(|| {
                let list = q
                    .choices
                    .iter()
                    .map(|c| c.get(lang).to_owned())
                    .collect::<Vec<_>>()
                    .join("، ");
                view! { <p class="hint">{list}</p> }
            });
            view! {
                <li data-testid="question-row">
                    <strong>{q.label.get(lang).to_owned()}</strong>
                    " · " {t(kind_msg(q.kind))}
                    {q.required.then(|| view! { " " {t(Msg::QuestionRequired)} })}
                    {choices}
                    <form method="post" action=remove class="inline-form">
                        <button type="submit" class="button">{t(Msg::QuestionRemove)}</button>
                    </form>
                </li>
            }
        })
        .collect_view();
    let question_error = refused_question.as_ref().map(|r| r.error.message(lang));
    let q = refused_question.map(|r| r.form).unwrap_or_default();
    let kind_options = QuestionKind::ALL
        .into_iter()
        .map(|k| view! { <option value=k.as_str() selected=q.kind == k.as_str()>{t(kind_msg(k))}</option> })
        .collect_view();
    let none = category.questions.is_empty();
    view! {
        <Title text=name.clone() />
        <section class="card staff-page" data-testid="category-edit">
            <p><a href="/staff/admin/settings">{t(Msg::StaffDeskSettings)}</a></p>
            <h1>{name}</h1>
            {error.map(|msg| view! { <p class="form-error" role="alert" id="category-error">{msg}</p> })}
            <form method="post" action=post.clone() class="settings-form">
                <CategoryFields typed kinds new=false />
                <button type="submit" class="button button-primary" data-testid="category-save">{t(Msg::CategorySave)}</button>
            </form>
        </section>
        <section class="card staff-page" data-testid="questions" data-page=base>
            <h2>{t(Msg::QuestionsTitle)}</h2>
            <p class="hint">{t(Msg::QuestionsLead)}</p>
            {none.then(|| view! { <p class="notice">{t(Msg::QuestionsNone)}</p> })}
            <ol class="question-list">{questions}</ol>
            {question_error.map(|msg| view! { <p class="form-error" role="alert" id="question-error">{msg}</p> })}
            <form method="post" action=format!("{post}/questions") class="settings-form" data-testid="question-form">
                <label for="kind">{t(Msg::QuestionKindLabel)}</label>
                <select id="kind" name="kind">{kind_options}</select>
                <label for="label_fa">{t(Msg::QuestionLabelFa)}</label>
                <input id="label_fa" name="label_fa" type="text" maxlength=MAX_LABEL_CHARS required value=q.label_fa.clone() />
                <label for="label_en">{t(Msg::QuestionLabelEn)}</label>
                <input id="label_en" name="label_en" type="text" dir="ltr" maxlength=MAX_LABEL_CHARS value=q.label_en.clone() />
                <label for="choices">{t(Msg::QuestionChoicesLabel)}</label>
                <textarea id="choices" name="choices" rows="4" aria-describedby="choices-hint">{textarea_text(&q.choices)}</textarea>
                <p class="hint" id="choices-hint">{t(Msg::QuestionChoicesHint)}</p>
                <label for="required" class="check">
                    <input id="required" name="required" type="checkbox" checked=q.required == "on" />
                    {t(Msg::QuestionRequiredLabel)}
                </label>
                <button type="submit" class="button button-primary" data-testid="question-add">{t(Msg::QuestionAdd)}</button>
            </form>
        </section>
    }
}

/// The holidays deadlines skip: the whole list in one CSV textarea (edit a
/// line to change one, paste a year's list to import it).
#[component]
fn HolidaysSection(
    holidays: Vec<Holiday>,
    refused: Option<Refused<HolidaysForm>>,
) -> impl IntoView {
    let lang = use_lang();
    let error = refused.as_ref().map(|r| r.error.message(lang));
    let text = match refused {
        Some(r) => r.form.holidays,
        None => holidays
            .iter()
            .map(|h| format!("{},{}\n", h.day, h.name))
            .collect(),
    };
    view! {
        <section class="card staff-page" data-testid="holidays">
            <h2 id="holidays-title">{t(Msg::HolidaysTitle)}</h2>
            <p class="hint" id="holidays-lead">{t(Msg::HolidaysLead)}</p>
            {error.map(|msg| view! { <p class="form-error" role="alert" id="holidays-error">{msg}</p> })}
            <form method="post" action="/staff/admin/holidays">
                <label for="holidays-list">{t(Msg::HolidaysTitle)}</label>
                <textarea
                    id="holidays-list"
                    name="holidays"
                    rows="8"
                    dir="auto"
                    aria-describedby="holidays-lead"
                    data-testid="holidays-list"
                >
                    {textarea_text(&text)}
                </textarea>
                <button type="submit" class="button button-primary" data-testid="holidays-save">
                    {t(Msg::HolidaysSave)}
                </button>
            </form>
        </section>
    }
}
