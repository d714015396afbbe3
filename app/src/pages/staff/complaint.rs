//! `/staff/complaints/{code}`: one complaint as staff see it (the citizen's
//! number only for the desks that call back), its full timeline with the
//! internal notes, and one form per action the viewer may take now. Each
//! form posts multipart to `/staff/complaints/{code}/action` ([`ActionForm`]
//! with a `photo` part for resolve); the server answers 303 to
//! `?done=acted`, or renders this page again with the refusal shown beside
//! the form that was sent, its note as typed.

use crate::{
    api::{
        forms::{refusal, ActionForm, Refused, NOTE_MAX},
        ports::services,
        staff::{Member, StaffComplaint, StaffEvent, UnitOption},
    },
    components::{
        error_page::ErrorPage,
        photos::{PhotoLink, PhotoList},
        textarea_text,
    },
    error::AppError,
    i18n::{jalali, t, use_lang, Lang, Msg},
    model::{GeoPoint, StaffAction, TrackingCode},
    pages::{
        not_found::NotFound,
        staff::{action_hint, action_msg, admit, status_badge, StaffNav},
        track::event_msg,
    },
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// `/staff/complaints/{code}`.
#[component]
pub fn StaffComplaintPage() -> impl IntoView {
    let viewer = match admit(None) {
        Ok(v) => v,
        Err(page) => return page,
    };
    let raw = use_params_map()
        .get_untracked()
        .get("code")
        .unwrap_or_default();
    let refused = refusal::<ActionForm>();
    let load = {
        let viewer = viewer.clone();
        Resource::new_blocking(
            || (),
            move |_| {
                let (viewer, raw) = (viewer.clone(), raw.clone());
                async move {
                    let code = TrackingCode::parse(&raw).map_err(|_| AppError::NotFound)?;
                    let staff = services()?.staff;
                    let complaint = staff.complaint(&viewer, &code).await?;
                    // Only referring needs the units.
                    let units = if complaint.actions.contains(&StaffAction::Refer) {
                        staff.units().await?
                    } else {
                        Vec::new()
                    };
                    Ok::<_, AppError>((complaint, units))
                }
            },
        )
    };
    view! {
        <StaffNav viewer />
        <Suspense>
            {move || {
                let refused = refused.clone();
                Suspend::new(async move {
                    match load.await {
                        Ok((complaint, units)) => {
                            view! { <ComplaintView complaint units refused /> }.into_any()
                        }
                        Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

/// `geo:` opens the phone's map app; OpenStreetMap for a desktop.
fn map_links(p: GeoPoint) -> (String, String) {
    (
        format!("geo:{:.6},{:.6}", p.lat, p.lon),
        format!(
            "https://www.openstreetmap.org/?mlat={lat:.6}&mlon={lon:.6}#map=18/{lat:.6}/{lon:.6}",
            lat = p.lat,
            lon = p.lon
        ),
    )
}

fn channel_msg(channel: &str) -> Option<Msg> {
    Some(match channel {
        "web" => Msg::StaffChannelWeb,
        "app" => Msg::StaffChannelApp,
        "api" => Msg::StaffChannelApi,
        "phone" => Msg::StaffChannelPhone,
        "in_person" => Msg::StaffChannelInPerson,
        "kiosk" => Msg::StaffChannelKiosk,
        _ => return None,
    })
}

/// A link to another complaint's staff page.
fn code_link(code: &str, lang: Lang) -> impl IntoView {
    view! {
        <a href=format!("/staff/complaints/{code}") class="code">
            <bdi dir="ltr">{lang.digits(code)}</bdi>
        </a>
    }
}

#[component]
fn ComplaintView(
    complaint: StaffComplaint,
    units: Vec<UnitOption>,
    refused: Option<Refused<ActionForm>>,
) -> impl IntoView {
    let lang = use_lang();
    let c = complaint;
    let code = c.tracking_code.to_string();
    let title = format!("{} {}", t(Msg::StaffComplaintTitle), lang.digits(&code));
    let location = c.point.map(|p| {
        let (geo, osm) = map_links(p);
        let coords = format!("{:.6}, {:.6}", p.lat, p.lon);
        let accuracy = c.accuracy_m.map(|a| {
            t(Msg::StaffAccuracy).replacen("{}", &lang.digits(&format!("{a:.0}")), 1)
        });
        view! {
            <dt>{t(Msg::StaffLocation)}</dt>
            <dd>
                <bdi dir="ltr" data-testid="coordinates">{lang.digits(&coords)}</bdi>
                {accuracy.map(|a| view! { " " <span class="hint">{a}</span> })}
                <span class="map-links">
                    <a class="button" href=geo data-testid="geo-link">{t(Msg::StaffOpenMapApp)}</a>
                    <a class="button" href=osm target="_blank" rel="noopener noreferrer" data-testid="osm-link">
                        {t(Msg::StaffOpenOsm)}
                    </a>
                </span>
            </dd>
        }
    });
    let phone = c.citizen_phone.clone().map(|p| {
        view! {
            <dt>{t(Msg::StaffCitizenPhone)}</dt>
            <dd>
                <a href=format!("tel:{p}") class="button" data-testid="citizen-phone">
                    <bdi dir="ltr">{lang.digits(&p)}</bdi>
                </a>
            </dd>
        }
    });
    let channel = channel_msg(&c.channel)
        .map(|m| t(m).to_owned())
        .unwrap_or_else(|| c.channel.clone());
    let duplicates = (!c.duplicates.is_empty()).then(|| {
        view! {
            <dt>{t(Msg::StaffDuplicates)}</dt>
            <dd>
                <ul class="inline-list" data-testid="duplicates">
                    {c.duplicates.iter().map(|d| view! { <li>{code_link(d, lang)}</li> }).collect_view()}
                </ul>
            </dd>
        }
    });
    let actions = c.actions.clone();
    // A refusal of an action that has no form here (not offered, or no
    // longer: someone acted first) is shown above the forms.
    let stray_error = refused
        .as_ref()
        .filter(|r| !actions.iter().any(|a| a.as_str() == r.form.action))
        .map(|r| r.error.message(lang));
    let members = c.members.clone();
    let photos = c.photos.clone();
    let timeline = c.timeline.clone();
    view! {
        <Title text=title />
        <article class="card staff-page staff-complaint" data-testid="staff-complaint" data-status=c.status.as_str()>
            <h1>
                {t(Msg::StaffComplaintTitle)} " "
                <bdi class="code" dir="ltr" data-testid="complaint-code">{lang.digits(&code)}</bdi>
            </h1>
            <p>
                {status_badge(c.status)}
                {c.overdue.then(|| view! { " " <span class="badge badge-overdue" data-testid="overdue">{t(Msg::StaffOverdue)}</span> })}
            </p>
            <p class="description" data-testid="description">{c.description.clone()}</p>
            <dl class="facts">
                <dt>{t(Msg::FieldCategory)}</dt>
                <dd>{c.category.get(lang).to_owned()}</dd>
                {c.address.clone().map(|a| view! { <dt>{t(Msg::FieldAddress)}</dt><dd>{a}</dd> })}
                {location}
                <dt>{t(Msg::FieldDistrict)}</dt>
                <dd>{c.district.as_ref().map(|d| d.get(lang).to_owned()).unwrap_or_else(|| "—".into())}</dd>
                <dt>{t(Msg::FieldUnit)}</dt>
                <dd data-testid="unit">{c.unit.as_ref().map(|u| u.name.get(lang).to_owned()).unwrap_or_else(|| "—".into())}</dd>
                <dt>{t(Msg::StaffAssignee)}</dt>
                <dd data-testid="assignee">{c.assignee.as_ref().map(|m| m.display_name.clone()).unwrap_or_else(|| "—".into())}</dd>
                <dt>{t(Msg::FieldFiledAt)}</dt>
                <dd><time>{jalali::date_time(c.created_at, lang)}</time></dd>
                {c.sla_due_at.map(|at| view! {
                    <dt>{t(Msg::StaffDeadline)}</dt>
                    <dd><time>{jalali::date_time(at, lang)}</time></dd>
                })}
                <dt>{t(Msg::FieldSupport)}</dt>
                <dd>{lang.digits(&c.support_count.to_string())}</dd>
                <dt>{t(Msg::StaffChannel)}</dt>
                <dd data-testid="channel">{channel}</dd>
                {phone}
                {c.duplicate_of.clone().map(|d| view! {
                    <dt>{t(Msg::StaffDuplicateOf)}</dt>
                    <dd data-testid="duplicate-of">{code_link(&d, lang)}</dd>
                })}
                {duplicates}
                {c.rating.map(|r| view! {
                    <dt>{t(Msg::FieldRating)}</dt>
                    <dd>{lang.digits(&format!("{r}/5"))}</dd>
                })}
            </dl>
            {(!c.answers.is_empty()).then(|| {
                let rows = c
                    .answers
                    .iter()
                    .map(|a| view! { <dt>{a.label.get(lang).to_owned()}</dt><dd>{a.value.get(lang).to_owned()}</dd> })
                    .collect_view();
                view! {
                    <h2>{t(Msg::StaffAnswers)}</h2>
                    <dl class="facts" data-testid="answers">{rows}</dl>
                }
            })}
            {c.objection.clone().map(|o| view! {
                <div class="objection" data-testid="objection">
                    <h2>{t(Msg::StaffObjection)}</h2>
                    <p>{o}</p>
                </div>
            })}
            {(!photos.is_empty()).then(|| {
                let photos = photos
                    .into_iter()
                    .map(|p| PhotoLink {
                        kind: p.kind,
                        url: p.url,
                        thumb_url: p.thumb_url,
                    })
                    .collect::<Vec<_>>();
                view! { <PhotoList photos /> }
            })}
        </article>
        <section class="card staff-page staff-actions" aria-labelledby="actions-title" data-testid="actions">
            <h2 id="actions-title">{t(Msg::StaffActions)}</h2>
            {stray_error.map(|msg| view! { <p class="form-error" role="alert" data-testid="action-error">{msg}</p> })}
            {actions.is_empty().then(|| view! { <p data-testid="no-actions">{t(Msg::StaffNoActions)}</p> })}
            {actions
                .into_iter()
                .map(|action| {
                    let typed = refused
                        .as_ref()
                        .filter(|r| r.form.action == action.as_str())
                        .cloned();
                    view! {
                        <ActionFormView
                            code=code.clone()
                            action
                            units=units.clone()
                            members=members.clone()
                            refused=typed
                        />
                    }
                })
                .collect_view()}
        </section>
        <section class="card staff-page" aria-labelledby="timeline-title">
            <h2 id="timeline-title">{t(Msg::Timeline)}</h2>
            <ol class="timeline" data-testid="staff-timeline">
                {timeline.into_iter().map(|event| view! { <StaffTimelineEntry event /> }).collect_view()}
            </ol>
        </section>
    }
}

/// One action's form, with the refusal and what was typed when this form
/// was the one refused.
#[component]
fn ActionFormView(
    code: String,
    action: StaffAction,
    units: Vec<UnitOption>,
    members: Vec<Member>,
    refused: Option<Refused<ActionForm>>,
) -> impl IntoView {
    let lang = use_lang();
    let name = action.as_str();
    let error = refused.as_ref().map(|r| r.error.message(lang));
    let typed = refused.map(|r| r.form).unwrap_or_default();
    let note_id = format!("note-{name}");
    let error_id = format!("error-{name}");
    let described = error.as_ref().map(|_| error_id.clone());
    let note_label = match (action.note_is_public(), action.needs_note()) {
        (true, true) => Msg::StaffNotePublicRequired,
        (true, false) => Msg::StaffNotePublic,
        (false, true) => Msg::StaffNoteInternalRequired,
        (false, false) => Msg::StaffNoteInternal,
    };
    let extra = match action {
        StaffAction::Refer => {
            let chosen = typed.unit.clone();
            view! {
                <label for="action-unit">{t(Msg::FieldUnit)}</label>
                <select id="action-unit" name="unit" required data-testid="action-unit">
                    <option value="">{t(Msg::StaffChooseUnit)}</option>
                    {units
                        .into_iter()
                        .map(|u| {
                            let selected = u.code == chosen;
                            view! { <option value=u.code.clone() selected=selected>{u.name.get(lang).to_owned()}</option> }
                        })
                        .collect_view()}
                </select>
            }
            .into_any()
        }
        StaffAction::Assign => {
            let chosen = typed.assignee.clone();
            view! {
                <label for="action-assignee">{t(Msg::StaffAssignee)}</label>
                <select id="action-assignee" name="assignee" required data-testid="action-assignee">
                    <option value="">{t(Msg::StaffChoosePerson)}</option>
                    {members
                        .into_iter()
                        .map(|m| {
                            let id = m.user_id.to_string();
                            let selected = id == chosen;
                            view! { <option value=id selected=selected>{m.display_name}</option> }
                        })
                        .collect_view()}
                </select>
            }
            .into_any()
        }
        StaffAction::DuplicateOf => view! {
            <label for="action-duplicate-of">{t(Msg::StaffOriginalCode)}</label>
            <input
                id="action-duplicate-of"
                name="duplicate_of"
                type="text"
                dir="ltr"
                inputmode="numeric"
                autocomplete="off"
                required
                maxlength="20"
                data-testid="action-duplicate-of"
                value=typed.duplicate_of.clone()
            />
        }
        .into_any(),
        StaffAction::Resolve => view! {
            <label for="action-photo">{t(Msg::StaffProofPhoto)}</label>
            <input
                id="action-photo"
                name="photo"
                type="file"
                accept="image/jpeg,image/png,image/webp"
                capture="environment"
                data-testid="action-photo"
            />
        }
        .into_any(),
        _ => ().into_any(),
    };
    view! {
        <form
            id=format!("act-{name}")
            class="action-form"
            method="post"
            action=format!("/staff/complaints/{code}/action")
            enctype="multipart/form-data"
            data-testid=format!("action-form-{name}")
            data-action=name
        >
            <h3>{t(action_msg(action))}</h3>
            <p class="hint">{t(action_hint(action))}</p>
            {error.map(|msg| view! { <p class="form-error" role="alert" id=error_id.clone() data-testid="action-error">{msg}</p> })}
            <input type="hidden" name="action" value=name />
            {extra}
            <label for=note_id.clone()>{t(note_label)}</label>
            <textarea
                id=note_id
                name="note"
                rows="3"
                maxlength=NOTE_MAX.to_string()
                required=action.needs_note()
                aria-describedby=described
                data-testid=format!("action-note-{name}")
            >
                {textarea_text(&typed.note)}
            </textarea>
            <button type="submit" class="button button-primary button-wide" data-testid=format!("action-{name}")>
                {t(action_msg(action))}
            </button>
        </form>
    }
}

/// One timeline entry with who did it, the move, the note and whether the
/// citizen sees it.
#[component]
fn StaffTimelineEntry(event: StaffEvent) -> impl IntoView {
    let lang = use_lang();
    let actor = match (&event.actor, event.actor_role.as_str()) {
        (Some(name), _) => name.clone(),
        (None, "citizen" | "anonymous") => t(Msg::StaffActorCitizen).to_owned(),
        (None, _) => t(Msg::StaffActorSystem).to_owned(),
    };
    let arrow = if lang == Lang::Fa { " ← " } else { " → " };
    let (marker, marker_class) = if event.public {
        (Msg::StaffPublic, "badge badge-public")
    } else {
        (Msg::StaffInternal, "badge badge-internal")
    };
    view! {
        <li class="timeline-entry" data-kind=event.kind.clone() data-public=event.public.to_string() data-testid="staff-event">
            <time>{jalali::date_time(event.at, lang)}</time>
            <span class="what">{t(event_msg(&event.kind))}</span>
            <span class=marker_class>{t(marker)}</span>
            <span class="actor">{actor}</span>
            {(event.from.is_some() || event.to.is_some())
                .then(|| view! {
                    <span class="move">
                        {event.from.map(status_badge)}
                        {event.from.and(event.to).map(|_| view! { <span aria-hidden="true">{arrow}</span> })}
                        {event.to.map(status_badge)}
                    </span>
                })}
            {event.unit.as_ref().map(|u| view! { <span class="unit">{u.get(lang).to_owned()}</span> })}
            {event.linked.clone().map(|l| view! { <span class="unit">{code_link(&l, lang)}</span> })}
            {event.note.map(|n| view! { <p class="note">{n}</p> })}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Invalid;

    #[test]
    fn a_refused_action_comes_back_beside_its_form_as_typed() {
        let owner = Owner::new();
        owner.set();
        let refused = Refused {
            form: ActionForm {
                action: "resolve".into(),
                note: "</textarea><b>fixed</b>".into(),
                ..Default::default()
            },
            error: AppError::Invalid(Invalid::NoteMissing),
        };
        let html = view! {
            <ActionFormView
                code="1234567890".to_owned()
                action=StaffAction::Resolve
                units=Vec::new()
                members=Vec::new()
                refused=Some(refused)
            />
        }
        .to_html();
        assert!(html.contains("&lt;/textarea&gt;&lt;b&gt;fixed"), "{html}");
        assert!(!html.contains("<b>fixed"), "{html}");
        assert!(html.contains(r#"action="/staff/complaints/1234567890/action""#));
        assert!(html.contains(r#"enctype="multipart/form-data""#));
        assert!(html.contains(r#"data-testid="action-resolve""#));
        assert!(html.contains(r#"capture="environment""#));
        assert!(html.contains(r#"name="action" value="resolve""#));
        assert!(html.contains("required"));
        assert!(html.contains(Msg::ErrNoteMissing.text(Lang::Fa)));
    }

    #[test]
    fn map_links_carry_the_point() {
        let (geo, osm) = map_links(GeoPoint {
            lat: 36.2575,
            lon: 49.974,
        });
        assert_eq!(geo, "geo:36.257500,49.974000");
        assert!(osm.starts_with("https://www.openstreetmap.org/?mlat=36.257500&mlon=49.974000"));
    }
}
