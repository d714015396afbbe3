//! `/staff/report-card` (کارنامه ارزیابی): the mayor's page of who answers
//! and who does not over a Jalali range. A GET form (`from`, `to`), the
//! whole city's figures, a bar chart of the units' scores (SVG drawn here,
//! no script), the units ranked, then districts and managers; the score's
//! formula in words; links to the same figures as CSV and JSON. The print
//! layout (A4, Persian) is the page itself under `@media print`.

use crate::{
    api::{
        forms::ReportQuery,
        ports::services,
        staff::{Desk, EmployeeThanks, ReportCard, ReportRow},
    },
    components::error_page::ErrorPage,
    error::AppError,
    i18n::{t, use_lang, Lang, Msg},
    model::report::Figures,
    pages::staff::{admit, query_string, set_status, StaffNav},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/staff/report-card?from=&to=`.
#[component]
pub fn StaffReportCardPage() -> impl IntoView {
    let viewer = match admit(Some(Desk::ReportCard)) {
        Ok(v) => v,
        Err(page) => return page,
    };
    let query = use_query_map().get_untracked();
    let typed = ReportQuery {
        from: query.get("from").unwrap_or_default(),
        to: query.get("to").unwrap_or_default(),
    };
    let load = {
        let (viewer, typed) = (viewer.clone(), typed.clone());
        Resource::new_blocking(
            || (),
            move |_| {
                let (viewer, typed) = (viewer.clone(), typed.clone());
                async move {
                    let staff = services()?.staff;
                    // A range that does not parse is the page's own answer.
                    let range = match typed.parse(staff.today()) {
                        Ok(range) => range,
                        Err(invalid) => return Ok(Err(AppError::Invalid(invalid))),
                    };
                    Ok::<_, AppError>(Ok(staff.report_card(&viewer, &range).await?))
                }
            },
        )
    };
    view! {
        <Title text=t(Msg::CardTitle) />
        <StaffNav viewer />
        <Suspense>
            {move || {
                let typed = typed.clone();
                Suspend::new(async move {
                    match load.await {
                        Ok(card) => view! { <CardView card typed /> }.into_any(),
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
fn CardView(card: Result<ReportCard, AppError>, typed: ReportQuery) -> impl IntoView {
    let lang = use_lang();
    let (card, error) = match card {
        Ok(card) => (Some(card), None),
        Err(error) => {
            set_status(error.status_code());
            (None, Some(error.message(lang)))
        }
    };
    // The downloads cover what is on screen: the range as resolved.
    let query = match &card {
        Some(c) => query_string(&[("from", &c.from), ("to", &c.to)]),
        None => String::new(),
    };
    let placeholder = lang.digits("1404/07/01");
    let field = |id: &'static str, label: Msg, value: String| {
        view! {
            <div class="filter-field">
                <label for=format!("r-{id}")>{t(label)}</label>
                <input id=format!("r-{id}") name=id type="text" dir="ltr" maxlength="10" placeholder=placeholder.clone() value=value />
            </div>
        }
    };
    view! {
        <section class="card staff-page report-card" data-testid="report-card">
            <h1>{t(Msg::CardTitle)}</h1>
            {card.as_ref().map(|c| {
                let period = t(Msg::CardPeriod)
                    .replace("{from}", &lang.digits(&c.from))
                    .replace("{to}", &lang.digits(&c.to));
                view! { <p class="card-period" data-testid="card-period">{period}</p> }
            })}
            <p class="no-print">{t(Msg::CardLead)}</p>
            {error.map(|msg| view! { <p class="form-error" role="alert" data-testid="form-error">{msg}</p> })}
            <form method="get" action="/staff/report-card" class="staff-filter no-print" data-testid="card-filter">
                {field("from", Msg::StaffFrom, typed.from.clone())}
                {field("to", Msg::StaffTo, typed.to.clone())}
                <div class="filter-buttons">
                    <button type="submit" class="button button-primary" data-testid="card-submit">{t(Msg::CardShow)}</button>
                </div>
            </form>
            {card.map(|card| view! { <CardBody card query lang /> })}
        </section>
    }
}

#[component]
fn CardBody(card: ReportCard, query: String, lang: Lang) -> impl IntoView {
    let csv = format!("/staff/report-card.csv?{query}");
    let json = format!("/api/v1/staff/report-card?{query}");
    view! {
        <p class="card-actions no-print">
            <a class="button" href=csv download="report-card.csv" data-testid="card-csv">{t(Msg::CardCsv)}</a>
            " "
            <a class="button" href=json data-testid="card-json">{t(Msg::CardJson)}</a>
            " "
            // Shown by enhance.js; without it the browser's own print
            // (Ctrl+P) gives the same layout.
            <button type="button" class="button" data-print="" hidden=true data-testid="card-print">{t(Msg::CardPrint)}</button>
        </p>
        <h2>{t(Msg::CardCity)}</h2>
        <CityFigures f=card.city.clone() lang />
        <h2>{t(Msg::CardChart)}</h2>
        <ScoreChart rows=card.units.clone() lang />
        <h2>{t(Msg::CardUnits)}</h2>
        <CardTable rows=card.units lang testid="card-units" label=Msg::CardUnits />
        <h2>{t(Msg::CardDistricts)}</h2>
        <CardTable rows=card.districts lang testid="card-districts" label=Msg::CardDistricts />
        <h2>{t(Msg::CardManagers)}</h2>
        <CardTable rows=card.managers lang testid="card-managers" label=Msg::CardManagers />
        <h2>{t(Msg::CardEmployees)}</h2>
        <p class="hint">{t(Msg::CardEmployeesLead)}</p>
        <EmployeeTable rows=card.employees lang />
        <h2>{t(Msg::CardFormulaTitle)}</h2>
        <p data-testid="card-formula">{t(Msg::CardFormula)}</p>
        <p>{t(Msg::CardMedianNote)}</p>
    }
}

/// A time as the card shows it: "≤ 45 min", "≤ 3 h", "≤ 4 days", "> 30 days".
pub fn duration_text(secs: Option<i64>, lang: Lang) -> String {
    let Some(secs) = secs else {
        return "–".to_owned();
    };
    let (n, fa, en) = match secs {
        i64::MAX => {
            return lang.digits(if lang == Lang::Fa {
                "> ۳۰ روز"
            } else {
                "> 30 days"
            })
        }
        s if s <= 3600 => (s / 60, "دقیقه", "min"),
        s if s <= 2 * 86_400 => (s / 3600, "ساعت", "h"),
        s => (s / 86_400, "روز", "days"),
    };
    match lang {
        Lang::Fa => lang.digits(&format!("≤ {n} {fa}")),
        Lang::En => format!("≤ {n} {en}"),
    }
}

fn percent(v: Option<f64>, lang: Lang) -> String {
    v.map(|v| lang.digits(&format!("{:.0}%", v * 100.0)))
        .unwrap_or_else(|| "–".to_owned())
}

fn decimal(v: Option<f64>, lang: Lang) -> String {
    v.map(|v| lang.digits(&format!("{v:.1}")))
        .unwrap_or_else(|| "–".to_owned())
}

fn count(n: i64, lang: Lang) -> String {
    lang.digits(&n.to_string())
}

/// The city's figures as a definition list.
#[component]
fn CityFigures(f: Figures, lang: Lang) -> impl IntoView {
    let items = [
        (Msg::CardScore, decimal(f.score, lang)),
        (Msg::CardReceived, count(f.received, lang)),
        (Msg::CardOpen, count(f.open, lang)),
        (Msg::CardOverdue, count(f.overdue, lang)),
        (
            Msg::CardMedianResponse,
            duration_text(f.median_response_s, lang),
        ),
        (
            Msg::CardMedianResolution,
            duration_text(f.median_resolution_s, lang),
        ),
        (Msg::CardOnTime, percent(f.on_time_rate, lang)),
        (Msg::CardRating, decimal(f.average_rating, lang)),
        (Msg::CardReopen, percent(f.reopen_rate, lang)),
        (
            Msg::CardVerificationFailed,
            count(f.verification_failures, lang),
        ),
        (
            Msg::CardEscalations,
            format!(
                "{} / {}",
                count(f.escalations_to_manager, lang),
                count(f.escalations_to_inspection, lang)
            ),
        ),
        (Msg::CardThanks, count(f.thanks, lang)),
    ];
    view! {
        <dl class="card-city" data-testid="card-city">
            {items
                .into_iter()
                .map(|(label, value)| view! { <div><dt>{t(label)}</dt><dd>{value}</dd></div> })
                .collect_view()}
        </dl>
    }
}

/// One table of ranked rows.
#[component]
fn CardTable(rows: Vec<ReportRow>, lang: Lang, testid: &'static str, label: Msg) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="notice">{t(Msg::StaffListEmpty)}</p> }.into_any();
    }
    let head = [
        Msg::CardRank,
        Msg::CardName,
        Msg::CardScore,
        Msg::CardReceived,
        Msg::CardOpen,
        Msg::CardOverdue,
        Msg::CardMedianResponse,
        Msg::CardMedianResolution,
        Msg::CardOnTime,
        Msg::CardRating,
        Msg::CardReopen,
        Msg::CardVerificationFailed,
        Msg::CardEscalations,
        Msg::CardThanks,
    ];
    view! {
        // Scrolls sideways on a phone: focusable, so the keyboard scrolls it too.
        <div class="table-scroll" tabindex="0" role="region" aria-label=t(label)>
            <table class="card-table" data-testid=testid>
                <thead>
                    <tr>{head.into_iter().map(|h| view! { <th scope="col">{t(h)}</th> }).collect_view()}</tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|r| {
                            let f = r.figures;
                            let name = r.name.get(lang).to_owned();
                            let rank = r.rank.map(|n| count(n, lang)).unwrap_or_else(|| "–".into());
                            let who = (!r.managers.is_empty()).then(|| r.managers.join("، "));
                            view! {
                                <tr data-code=r.code>
                                    <td>{rank}</td>
                                    <th scope="row">
                                        {name}
                                        {who.map(|w| view! { <small class="card-managers">{w}</small> })}
                                    </th>
                                    <td class="card-score">{decimal(f.score, lang)}</td>
                                    <td>{count(f.received, lang)}</td>
                                    <td>{count(f.open, lang)}</td>
                                    <td>{count(f.overdue, lang)}</td>
                                    <td>{duration_text(f.median_response_s, lang)}</td>
                                    <td>{duration_text(f.median_resolution_s, lang)}</td>
                                    <td>{percent(f.on_time_rate, lang)}</td>
                                    <td>{decimal(f.average_rating, lang)}</td>
                                    <td>{percent(f.reopen_rate, lang)}</td>
                                    <td>{count(f.verification_failures, lang)}</td>
                                    <td>
                                        {count(f.escalations_to_manager, lang)} " / "
                                        {count(f.escalations_to_inspection, lang)}
                                    </td>
                                    <td>{count(f.thanks, lang)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Staff credited with thanks, most first.
#[component]
fn EmployeeTable(rows: Vec<EmployeeThanks>, lang: Lang) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="notice">{t(Msg::StaffListEmpty)}</p> }.into_any();
    }
    view! {
        <table class="card-table" data-testid="card-employees">
            <thead>
                <tr>
                    <th scope="col">{t(Msg::CardName)}</th>
                    <th scope="col">{t(Msg::CardThanks)}</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|e| view! {
                        <tr data-code=e.username>
                            <th scope="row">{e.display_name}</th>
                            <td>{count(e.thanks, lang)}</td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// The units' scores as horizontal bars, best first (units with nothing to
/// score are left out). Drawn from the start side of the page's direction.
#[component]
fn ScoreChart(rows: Vec<ReportRow>, lang: Lang) -> impl IntoView {
    const ROW: i64 = 22;
    const LABEL: i64 = 190;
    const BAR: i64 = 360;
    const WIDTH: i64 = LABEL + BAR + 50;
    let scored: Vec<(String, f64)> = rows
        .into_iter()
        .filter_map(|r| {
            let name = r.name.get(lang).to_owned();
            r.figures.score.map(|s| (name, s))
        })
        .collect();
    if scored.is_empty() {
        return view! { <p class="notice">{t(Msg::CardNoData)}</p> }.into_any();
    }
    let height = ROW * scored.len() as i64 + 4;
    let rtl = lang == Lang::Fa;
    let bars = scored
        .into_iter()
        .enumerate()
        .map(|(i, (name, score))| {
            let y = i as i64 * ROW + 2;
            let w = ((score / 20.0) * BAR as f64).round() as i64;
            // Label at the start side, bar after it, value after the bar.
            let (label_x, bar_x, value_x, anchor) = if rtl {
                (WIDTH - 4, WIDTH - LABEL - w, WIDTH - LABEL - w - 4, "end")
            } else {
                (4, LABEL, LABEL + w + 4, "start")
            };
            let value_anchor = anchor;
            view! {
                <g>
                    <text x=label_x y=y + 15 text-anchor=anchor class="chart-label">{name}</text>
                    <rect x=bar_x y=y + 3 width=w height=ROW - 6 class="chart-bar" />
                    <text x=value_x y=y + 15 text-anchor=value_anchor class="chart-value">
                        {lang.digits(&format!("{score:.1}"))}
                    </text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg
            class="card-chart"
            data-testid="card-chart"
            direction="ltr"
            viewBox=format!("0 0 {WIDTH} {height}")
            width=WIDTH
            height=height
            role="img"
            aria-label=t(Msg::CardChart)
        >
            {bars}
        </svg>
    }
    .into_any()
}
