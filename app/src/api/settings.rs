//! The admin's configuration (پیکربندی): categories with their deadlines
//! and extra questions, and the routing table that says which unit answers
//! a category in a district. Changes take effect on the next request, on
//! every server process (they are read from the database), and each one is
//! audited. Holidays live beside them (`forms::HolidaysForm`).

use crate::{
    api::staff::StaffViewer,
    error::{AppError, Invalid},
    model::{
        calendar::{CalendarError, Weekday, WorkCalendar},
        complaint::Named,
        digits::to_latin,
        question::{label, parse_choices, Question, QuestionKind, QuestionSpec},
    },
};
use serde::{Deserialize, Serialize};

/// Longest deadline an admin may set, in hours (a year).
pub const MAX_SLA_HOURS: i64 = 24 * 366;
/// Widest "already reported nearby?" radius, in metres.
pub const MAX_RADIUS_M: i64 = 5_000;
/// Most lines in one routing list.
pub const MAX_ROUTES: usize = 20_000;

/// `POST /staff/admin/categories` (new) and
/// `POST /staff/admin/categories/{code}` (edit; the code is the path's):
/// a category as typed. Checkboxes send `on` or nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct CategoryForm {
    /// Latin letters, digits and `-` (it appears in URLs and the API).
    pub code: String,
    /// An emoji or a short mark shown before the name; optional.
    pub icon: String,
    pub name_fa: String,
    pub name_en: String,
    pub group_fa: String,
    pub group_en: String,
    /// An urban-services emergency: clock-hour deadlines, the district's
    /// emergency unit, top of every cartable.
    pub urgent: String,
    /// Hours, in any digit script.
    pub first_response_hours: String,
    pub resolution_hours: String,
    pub nearby_radius_m: String,
    /// Which kind of unit a new category is routed to in every district
    /// (`district`, `emergency`, or an organisation's kind).
    pub unit_kind: String,
    pub active: String,
}

/// A checked [`CategoryForm`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategorySpec {
    pub code: String,
    pub icon: String,
    pub name: Named,
    pub group: Named,
    pub urgent: bool,
    pub first_response_hours: i64,
    pub resolution_hours: i64,
    pub nearby_radius_m: i64,
    pub unit_kind: String,
    pub active: bool,
}

fn checked(raw: &str) -> bool {
    matches!(raw.trim(), "on" | "true" | "1")
}

fn whole(raw: &str, max: i64, invalid: Invalid) -> Result<i64, Invalid> {
    to_latin(raw.trim())
        .parse::<i64>()
        .ok()
        .filter(|n| (0..=max).contains(n))
        .ok_or(invalid)
}

/// A code: 2–40 of lowercase Latin letters, digits and `-`.
fn code(raw: &str) -> Result<String, Invalid> {
    let c = raw.trim();
    if crate::model::text::is_code(c) {
        Ok(c.to_owned())
    } else {
        Err(Invalid::CategoryCode)
    }
}

impl CategoryForm {
    pub fn parse(&self) -> Result<CategorySpec, Invalid> {
        let code = code(&self.code)?;
        let icon = self.icon.trim().to_owned();
        if icon.chars().count() > 8 {
            return Err(Invalid::CategoryIcon);
        }
        let name = label(&self.name_fa, &self.name_en, Invalid::CategoryName)?;
        let group = label(&self.group_fa, &self.group_en, Invalid::CategoryGroup)?;
        let first_response_hours = whole(
            &self.first_response_hours,
            MAX_SLA_HOURS,
            Invalid::ResponseHours,
        )?;
        let resolution_hours = whole(
            &self.resolution_hours,
            MAX_SLA_HOURS,
            Invalid::ResolutionHours,
        )?;
        if first_response_hours == 0 || resolution_hours < first_response_hours {
            return Err(Invalid::ResolutionHours);
        }
        let nearby_radius_m = whole(&self.nearby_radius_m, MAX_RADIUS_M, Invalid::NearbyRadius)?;
        let unit_kind = self.unit_kind.trim().to_owned();
        if unit_kind.is_empty() || unit_kind.len() > 40 {
            return Err(Invalid::UnitKindUnknown);
        }
        Ok(CategorySpec {
            code,
            icon,
            name,
            group,
            urgent: checked(&self.urgent),
            first_response_hours,
            resolution_hours,
            nearby_radius_m,
            unit_kind,
            active: checked(&self.active),
        })
    }
}

/// `POST /staff/admin/categories/{code}/questions`: an extra question.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct QuestionForm {
    /// `text`, `number` or `choice`.
    pub kind: String,
    pub label_fa: String,
    pub label_en: String,
    /// `choice` only: one option a line, `فارسی | English`.
    pub choices: String,
    pub required: String,
}

impl QuestionForm {
    pub fn parse(&self) -> Result<QuestionSpec, Invalid> {
        let kind = QuestionKind::parse(&self.kind).ok_or(Invalid::QuestionKind)?;
        let label = label(&self.label_fa, &self.label_en, Invalid::QuestionLabel)?;
        let choices = match kind {
            QuestionKind::Choice => {
                let list = parse_choices(&self.choices)?;
                if list.len() < 2 {
                    return Err(Invalid::ChoicesFormat);
                }
                list
            }
            _ => Vec::new(),
        };
        Ok(QuestionSpec {
            kind,
            label,
            choices,
            required: checked(&self.required),
        })
    }
}

/// `POST /staff/admin/routing` and `PUT /api/v1/admin/routing` (the body
/// as `text/csv`): the whole routing table, a line each:
/// `category-code,district-code,unit-code`. A (category, district) with no
/// line goes to dispatch (the operators place it by hand).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RoutingForm {
    pub routing: String,
}

/// A CSV list an admin pastes: each non-blank line split at commas into `N`
/// trimmed fields and built by `item` into a (key, value); a line with
/// another count, or more than [`MAX_ROUTES`] distinct keys, is `invalid`.
/// Each key is kept once, the last line winning, in first-seen order.
fn csv_list<'a, const N: usize, T>(
    text: &'a str,
    invalid: Invalid,
    item: impl Fn([&'a str; N]) -> Result<(String, T), Invalid>,
) -> Result<Vec<T>, Invalid> {
    let mut out: Vec<T> = Vec::new();
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let parts: Vec<&str> = line.split(',').map(str::trim).collect();
        let fields: [&str; N] = parts.try_into().map_err(|_| invalid)?;
        let (key, value) = item(fields)?;
        match seen.get(&key) {
            Some(&at) => out[at] = value,
            None => {
                seen.insert(key, out.len());
                out.push(value);
            }
        }
        if out.len() > MAX_ROUTES {
            return Err(invalid);
        }
    }
    Ok(out)
}

/// `POST /staff/admin/units` and `PUT /api/v1/admin/units` (the body as
/// `text/csv`): units a line each, `code,kind,name_fa,name_en,district`
/// (the district's code, or nothing for a city-wide unit). A known code is
/// renamed, re-kinded or moved; a new one is added. Units are never
/// removed here: complaints and staff refer to them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UnitsForm {
    pub units: String,
}

/// One unit, by codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UnitLine {
    pub code: String,
    /// `district` (an office), `emergency`, or an organisation's kind.
    pub kind: String,
    pub name: Named,
    /// The district's code; `None` for a city-wide unit.
    pub district: Option<String>,
}

impl UnitsForm {
    /// The lines, each code once (the last wins), or `UnitsLine`. Whether
    /// the districts exist is the server's check.
    pub fn parse(&self) -> Result<Vec<UnitLine>, Invalid> {
        let invalid = Invalid::UnitsLine;
        csv_list(
            &self.units,
            invalid,
            |[code, kind, name_fa, name_en, district]| {
                let kind_ok = crate::model::text::is_code(kind);
                let district_ok = district.is_empty() || crate::model::text::is_code(district);
                if !crate::model::text::is_code(code) || !kind_ok || !district_ok {
                    return Err(invalid);
                }
                let unit = UnitLine {
                    code: code.to_owned(),
                    kind: kind.to_owned(),
                    name: label(name_fa, name_en, invalid)?,
                    district: (!district.is_empty()).then(|| district.to_owned()),
                };
                Ok((code.to_owned(), unit))
            },
        )
    }
}

/// One routing line, by codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Route {
    pub category: String,
    pub district: String,
    pub unit: String,
}

impl RoutingForm {
    /// The lines, each (category, district) once (the last line wins), or
    /// `RoutingLine` when a line does not have three codes. Whether the
    /// codes exist is the server's check.
    pub fn parse(&self) -> Result<Vec<Route>, Invalid> {
        let invalid = Invalid::RoutingLine;
        csv_list(&self.routing, invalid, |[category, district, unit]| {
            if [category, district, unit]
                .iter()
                .any(|p| p.is_empty() || p.len() > 60)
            {
                return Err(invalid);
            }
            let route = Route {
                category: category.to_owned(),
                district: district.to_owned(),
                unit: unit.to_owned(),
            };
            Ok((format!("{category},{district}"), route))
        })
    }
}

/// `POST /staff/admin/work-week` and `PUT /api/v1/admin/work-week`: the
/// office hours, the weekend (a checkbox a day: `weekend_fri=on`) and an
/// optional short Thursday. Times in any digit script.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct WorkWeekForm {
    /// `07:00-14:00`.
    pub hours: String,
    /// `12:00`, or empty for a full Thursday.
    pub thursday_until: String,
    pub weekend_sat: String,
    pub weekend_sun: String,
    pub weekend_mon: String,
    pub weekend_tue: String,
    pub weekend_wed: String,
    pub weekend_thu: String,
    pub weekend_fri: String,
}

impl WorkWeekForm {
    fn days(&self) -> [(Weekday, &String); 7] {
        [
            (Weekday::Sat, &self.weekend_sat),
            (Weekday::Sun, &self.weekend_sun),
            (Weekday::Mon, &self.weekend_mon),
            (Weekday::Tue, &self.weekend_tue),
            (Weekday::Wed, &self.weekend_wed),
            (Weekday::Thu, &self.weekend_thu),
            (Weekday::Fri, &self.weekend_fri),
        ]
    }

    /// The settings as stored: (hours, weekend like `thu,fri`, Thursday),
    /// checked by building the calendar they describe.
    pub fn parse(&self) -> Result<(String, String, String), Invalid> {
        let hours = to_latin(self.hours.trim()).replace(' ', "");
        let thursday = to_latin(self.thursday_until.trim());
        let weekend = self
            .days()
            .iter()
            .filter(|(_, on)| checked(on))
            .map(|(d, _)| d.as_str())
            .collect::<Vec<_>>()
            .join(",");
        WorkCalendar::parse(&hours, &weekend, &thursday, &[]).map_err(|e| match e {
            CalendarError::Weekday | CalendarError::NoWorkingDay => Invalid::Weekend,
            CalendarError::Hours | CalendarError::Holiday => Invalid::WorkHours,
        })?;
        Ok((hours, weekend, thursday))
    }

    /// The form for `calendar`'s week.
    pub fn of(calendar: &WorkCalendar) -> Self {
        let (hours, weekend, thursday_until) = calendar.week_settings();
        let on = |d: Weekday| if weekend.contains(&d) { "on" } else { "" }.to_owned();
        Self {
            hours,
            thursday_until,
            weekend_sat: on(Weekday::Sat),
            weekend_sun: on(Weekday::Sun),
            weekend_mon: on(Weekday::Mon),
            weekend_tue: on(Weekday::Tue),
            weekend_wed: on(Weekday::Wed),
            weekend_thu: on(Weekday::Thu),
            weekend_fri: on(Weekday::Fri),
        }
    }

    /// Whether `day` is ticked.
    pub fn is_weekend(&self, day: Weekday) -> bool {
        self.days().iter().any(|(d, on)| *d == day && checked(on))
    }
}

/// `POST /staff/admin/districts` (multipart, a `geojson` file part): the
/// refusal's marker (the file itself is not shown again).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DistrictsUpload;

/// A district's boundary, for the configuration page's map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DistrictShape {
    pub code: String,
    pub name: Named,
    /// GeoJSON rings of `[lon, lat]`, the outer one first.
    pub rings: Vec<Vec<[f64; 2]>>,
}

/// A category as the admin's pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CategoryAdmin {
    pub code: String,
    pub icon: String,
    pub name: Named,
    pub group: Named,
    pub urgent: bool,
    pub first_response_hours: i64,
    pub resolution_hours: i64,
    pub nearby_radius_m: i64,
    pub unit_kind: String,
    pub active: bool,
    /// The questions citizens are asked now, in order.
    pub questions: Vec<Question>,
    /// Districts with a routing line for it.
    pub routed_districts: i64,
}

impl CategoryAdmin {
    /// The form that edits it, filled in.
    pub fn form(&self) -> CategoryForm {
        let on = |b: bool| if b { "on" } else { "" }.to_owned();
        CategoryForm {
            code: self.code.clone(),
            icon: self.icon.clone(),
            name_fa: self.name.fa.clone(),
            name_en: self.name.en.clone(),
            group_fa: self.group.fa.clone(),
            group_en: self.group.en.clone(),
            urgent: on(self.urgent),
            first_response_hours: self.first_response_hours.to_string(),
            resolution_hours: self.resolution_hours.to_string(),
            nearby_radius_m: self.nearby_radius_m.to_string(),
            unit_kind: self.unit_kind.clone(),
            active: on(self.active),
        }
    }
}

/// The configuration reads the admin's pages need.
#[async_trait::async_trait]
pub trait Settings: Send + Sync {
    /// Every category, active or not, in display order (admins).
    async fn categories(&self, who: &StaffViewer) -> Result<Vec<CategoryAdmin>, AppError>;
    /// One category, `None` when no category has this code (admins).
    async fn category(
        &self,
        who: &StaffViewer,
        code: &str,
    ) -> Result<Option<CategoryAdmin>, AppError>;
    /// The unit kinds a category may be routed to (admins).
    async fn unit_kinds(&self, who: &StaffViewer) -> Result<Vec<String>, AppError>;
    /// The routing table, by category then district (admins).
    async fn routing(&self, who: &StaffViewer) -> Result<Vec<Route>, AppError>;
    /// Every unit, by code (admins).
    async fn units(&self, who: &StaffViewer) -> Result<Vec<UnitLine>, AppError>;
    /// Adds and changes units (checked whole first; never removes one).
    async fn save_units(
        &self,
        who: &StaffViewer,
        form: &UnitsForm,
        client: &str,
    ) -> Result<(), AppError>;
    /// The districts with their boundaries, for the map (admins).
    async fn districts(&self, who: &StaffViewer) -> Result<Vec<DistrictShape>, AppError>;
    /// The working week deadlines count in now (admins).
    async fn work_week(&self, who: &StaffViewer) -> Result<WorkWeekForm, AppError>;
    /// Adds a category (`existing` is `None`; routed in every district to
    /// its unit kind) or changes the category `existing` (its code stays).
    /// Returns the code.
    async fn save_category(
        &self,
        who: &StaffViewer,
        existing: Option<&str>,
        form: &CategoryForm,
        client: &str,
    ) -> Result<String, AppError>;
    /// Adds a question at the end of a category's list.
    async fn add_question(
        &self,
        who: &StaffViewer,
        category: &str,
        form: &QuestionForm,
        client: &str,
    ) -> Result<(), AppError>;
    /// Stops asking a question (answers already given stay).
    async fn remove_question(
        &self,
        who: &StaffViewer,
        category: &str,
        question_id: i64,
        client: &str,
    ) -> Result<(), AppError>;
    /// Replaces the whole routing table (checked whole first).
    async fn replace_routing(
        &self,
        who: &StaffViewer,
        form: &RoutingForm,
        client: &str,
    ) -> Result<(), AppError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> CategoryForm {
        CategoryForm {
            code: "sinkhole".into(),
            icon: "🕳".into(),
            name_fa: "فرونشست".into(),
            name_en: "Sinkhole".into(),
            group_fa: "معابر".into(),
            group_en: "".into(),
            urgent: "on".into(),
            first_response_hours: "۲".into(),
            resolution_hours: "24".into(),
            nearby_radius_m: "100".into(),
            unit_kind: "emergency".into(),
            active: "on".into(),
        }
    }

    #[test]
    fn a_category_form_parses_in_any_digits() {
        let spec = form().parse().expect("valid");
        assert_eq!(spec.first_response_hours, 2);
        assert!(spec.urgent && spec.active);
        assert_eq!(spec.group.en, "معابر", "English falls back to Persian");
    }

    #[test]
    fn bad_category_fields_are_refused_by_field() {
        let with = |f: fn(&mut CategoryForm)| {
            let mut c = form();
            f(&mut c);
            c.parse()
        };
        assert_eq!(
            with(|c| c.code = "Bad Code".into()),
            Err(Invalid::CategoryCode)
        );
        assert_eq!(with(|c| c.name_fa = " ".into()), Err(Invalid::CategoryName));
        assert_eq!(
            with(|c| c.first_response_hours = "x".into()),
            Err(Invalid::ResponseHours)
        );
        assert_eq!(
            with(|c| c.resolution_hours = "1".into()),
            Err(Invalid::ResolutionHours)
        );
        assert_eq!(
            with(|c| c.nearby_radius_m = "-1".into()),
            Err(Invalid::NearbyRadius)
        );
        assert_eq!(
            with(|c| c.unit_kind = "".into()),
            Err(Invalid::UnitKindUnknown)
        );
    }

    #[test]
    fn a_choice_question_needs_two_choices() {
        let q = |kind: &str, choices: &str| QuestionForm {
            kind: kind.into(),
            label_fa: "کدام سمت؟".into(),
            label_en: "".into(),
            choices: choices.into(),
            required: "on".into(),
        };
        assert_eq!(q("choice", "شمال").parse(), Err(Invalid::ChoicesFormat));
        assert_eq!(
            q("choice", "شمال\nجنوب").parse().map(|s| s.choices.len()),
            Ok(2)
        );
        assert_eq!(
            q("number", "ignored").parse().map(|s| s.choices.len()),
            Ok(0)
        );
        assert_eq!(q("date", "").parse(), Err(Invalid::QuestionKind));
    }

    #[test]
    fn a_work_week_is_checked_as_the_calendar_it_makes() {
        let week = WorkWeekForm {
            hours: "۰۷:۳۰ - ۱۵:۰۰".into(),
            thursday_until: "12:00".into(),
            weekend_fri: "on".into(),
            weekend_thu: "".into(),
            ..WorkWeekForm::default()
        };
        assert_eq!(
            week.parse(),
            Ok(("07:30-15:00".into(), "fri".into(), "12:00".into()))
        );
        let calendar = WorkCalendar::parse("07:30-15:00", "fri", "12:00", &[]).expect("valid");
        assert_eq!(
            WorkWeekForm::of(&calendar).parse(),
            week.parse(),
            "round trip"
        );
        let bad_hours = WorkWeekForm {
            hours: "15:00-07:00".into(),
            ..week.clone()
        };
        assert_eq!(bad_hours.parse(), Err(Invalid::WorkHours));
        let every_day = WorkWeekForm {
            weekend_sat: "on".into(),
            weekend_sun: "on".into(),
            weekend_mon: "on".into(),
            weekend_tue: "on".into(),
            weekend_wed: "on".into(),
            weekend_thu: "on".into(),
            ..week
        };
        assert_eq!(every_day.parse(), Err(Invalid::Weekend));
    }

    #[test]
    fn unit_lines_need_five_fields_and_codes() {
        let f = |s: &str| UnitsForm { units: s.into() }.parse();
        let got = f(
            "lighting,lighting,سازمان روشنایی,Lighting,\nd1-office,district,شهرداری منطقه ۱,,d1\n",
        )
        .expect("valid");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].district, None);
        assert_eq!(got[1].name.en, "شهرداری منطقه ۱");
        assert_eq!(f("lighting,lighting,روشنایی"), Err(Invalid::UnitsLine));
        assert_eq!(f("Light ing,lighting,روشنایی,,"), Err(Invalid::UnitsLine));
        assert_eq!(f("lighting,lighting,,Lighting,"), Err(Invalid::UnitsLine));
    }

    #[test]
    fn routing_lines_need_three_codes_and_the_last_wins() {
        let f = |s: &str| RoutingForm { routing: s.into() }.parse();
        let got =
            f("pothole,d1,d1-office\n\npothole , d1 , civil\nwaste,d2,waste\n").expect("valid");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].unit, "civil");
        assert_eq!(f("pothole,d1"), Err(Invalid::RoutingLine));
        assert_eq!(f("pothole,d1,x,y"), Err(Invalid::RoutingLine));
        assert_eq!(f("pothole,,x"), Err(Invalid::RoutingLine));
    }
}
