//! mod-calendar stand-in (`calendar 5.0`): `/calendar/calendars` CRUD to define opening hours
//! per service point, and the computed `GET /calendar/dates/{servicePointId}/surrounding-openings`
//! and `.../all-openings`.
//!
//! Day semantics follow mod-calendar: a normal-hours range `startDay startTime → endDay endTime`
//! is one continuous opening (end time inclusive, e.g. `23:59`); an exception replaces the normal
//! hours for its dates (no openings = closed); a date outside every calendar of the service point
//! is closed. Unlike mod-calendar, a service point with no calendar at all is open all day every
//! day, so that check-outs work without seeding calendars. Errors are mod-calendar's JSON
//! `{timestamp, status, errors:[{code, message}]}`.

use actix_web::http::{Method, StatusCode};
use actix_web::HttpResponse;
use chrono::{Datelike, Duration as Days, NaiveDate, NaiveTime, Timelike};
use serde_json::{json, Map, Value};

use super::descriptor::{handler, module_descriptor};
use super::request::{is_uuid, json_response, no_content, now_iso, Ctx};

pub(crate) const CALENDARS: &str = "/calendar/calendars";

/// How far (days) surrounding-openings looks for the previous/next open day.
const SEARCH_DAYS: i64 = 3 * 366;
const END_OF_DAY: u32 = 23 * 3600 + 59 * 60;

fn error(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    json_response(
        status,
        &json!({"timestamp": now_iso(), "status": status.as_u16(),
                "errors": [{"code": code, "message": message}]}),
    )
}

fn invalid(message: &str) -> HttpResponse {
    error(StatusCode::BAD_REQUEST, "invalidRequest", message)
}

#[derive(Debug, Clone)]
struct NormalHours {
    start_day: u32,
    start: u32,
    end_day: u32,
    end: u32,
}

#[derive(Debug, Clone)]
struct ExceptionOpening {
    start_date: NaiveDate,
    start: u32,
    end_date: NaiveDate,
    end: u32,
}

#[derive(Debug, Clone)]
struct Exception {
    name: String,
    start: NaiveDate,
    end: NaiveDate,
    openings: Vec<ExceptionOpening>,
}

#[derive(Debug, Clone)]
struct Calendar {
    id: String,
    name: String,
    start: NaiveDate,
    end: NaiveDate,
    assignments: Vec<String>,
    normal: Vec<NormalHours>,
    exceptions: Vec<Exception>,
}

fn date(v: Option<&Value>, what: &str) -> Result<NaiveDate, String> {
    let s = v
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{what} is required"))?;
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("{what} is not a date: {s}"))
}

fn time(v: Option<&Value>, what: &str) -> Result<u32, String> {
    let s = v
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{what} is required"))?;
    NaiveTime::parse_from_str(s, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M"))
        .map(|t| t.num_seconds_from_midnight())
        .map_err(|_| format!("{what} is not a time: {s}"))
}

fn weekday(v: Option<&Value>, what: &str) -> Result<u32, String> {
    let s = v
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{what} is required"))?;
    const DAYS: [&str; 7] = [
        "MONDAY",
        "TUESDAY",
        "WEDNESDAY",
        "THURSDAY",
        "FRIDAY",
        "SATURDAY",
        "SUNDAY",
    ];
    DAYS.iter()
        .position(|d| d.eq_ignore_ascii_case(s))
        .map(|p| p as u32)
        .ok_or_else(|| format!("{what} is not a weekday: {s}"))
}

fn array<'a>(v: &'a Value, key: &str) -> Result<&'a Vec<Value>, String> {
    v.get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{key} is required and must be an array"))
}

fn parse_calendar(v: &Value) -> Result<Calendar, String> {
    let name = v
        .get("name")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .ok_or("name is required")?
        .to_string();
    let start = date(v.get("startDate"), "startDate")?;
    let end = date(v.get("endDate"), "endDate")?;
    if end < start {
        return Err("The start date must be before the end date".into());
    }
    let mut assignments = Vec::new();
    for a in array(v, "assignments")? {
        match a.as_str() {
            Some(s) if is_uuid(s) => assignments.push(s.to_lowercase()),
            _ => return Err(format!("Invalid service point id in assignments: {a}")),
        }
    }
    let mut normal = Vec::new();
    for h in array(v, "normalHours")? {
        normal.push(NormalHours {
            start_day: weekday(h.get("startDay"), "startDay")?,
            start: time(h.get("startTime"), "startTime")?,
            end_day: weekday(h.get("endDay"), "endDay")?,
            end: time(h.get("endTime"), "endTime")?,
        });
    }
    let mut exceptions = Vec::new();
    for e in array(v, "exceptions")? {
        let mut openings = Vec::new();
        for o in array(e, "openings")? {
            openings.push(ExceptionOpening {
                start_date: date(o.get("startDate"), "startDate")?,
                start: time(o.get("startTime"), "startTime")?,
                end_date: date(o.get("endDate"), "endDate")?,
                end: time(o.get("endTime"), "endTime")?,
            });
        }
        exceptions.push(Exception {
            name: e
                .get("name")
                .and_then(Value::as_str)
                .ok_or("exception name is required")?
                .to_string(),
            start: date(e.get("startDate"), "startDate")?,
            end: date(e.get("endDate"), "endDate")?,
            openings,
        });
    }
    Ok(Calendar {
        id: v
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        name,
        start,
        end,
        assignments,
        normal,
        exceptions,
    })
}

/// One day's openings: intervals of seconds-of-day, end inclusive.
#[derive(Debug, Clone, PartialEq)]
struct Day {
    date: NaiveDate,
    intervals: Vec<(u32, u32)>,
    exceptional: bool,
    exception_name: Option<String>,
}

impl Day {
    fn open(&self) -> bool {
        !self.intervals.is_empty()
    }

    fn closed(date: NaiveDate) -> Day {
        Day {
            date,
            intervals: Vec::new(),
            exceptional: false,
            exception_name: None,
        }
    }

    fn to_json(&self) -> Value {
        let fmt = |s: u32| format!("{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
        let all_day = !self.open()
            || (self.intervals.len() == 1
                && self.intervals[0].0 == 0
                && self.intervals[0].1 >= END_OF_DAY);
        let openings: Vec<Value> = self
            .intervals
            .iter()
            .map(|(s, e)| json!({"startTime": fmt(*s), "endTime": fmt(*e)}))
            .collect();
        let mut m = Map::new();
        m.insert(
            "date".into(),
            json!(self.date.format("%Y-%m-%d").to_string()),
        );
        m.insert("allDay".into(), json!(all_day));
        m.insert("open".into(), json!(self.open()));
        m.insert("exceptional".into(), json!(self.exceptional));
        if let Some(n) = &self.exception_name {
            m.insert("exceptionName".into(), json!(n));
        }
        m.insert("openings".into(), Value::Array(openings));
        Value::Object(m)
    }
}

fn merge(mut v: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    v.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::new();
    for (s, e) in v {
        match out.last_mut() {
            Some(last) if s <= last.1.saturating_add(60) => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// The openings of one service point (given its calendars) on one date.
fn day(cals: &[Calendar], date: NaiveDate) -> Day {
    if cals.is_empty() {
        return Day {
            date,
            intervals: vec![(0, END_OF_DAY)],
            exceptional: false,
            exception_name: None,
        };
    }
    let Some(cal) = cals.iter().find(|c| c.start <= date && date <= c.end) else {
        return Day::closed(date);
    };
    if let Some(ex) = cal
        .exceptions
        .iter()
        .find(|e| e.start <= date && date <= e.end)
    {
        let intervals = ex
            .openings
            .iter()
            .filter(|o| o.start_date <= date && date <= o.end_date)
            .map(|o| {
                let s = if o.start_date == date { o.start } else { 0 };
                let e = if o.end_date == date {
                    o.end
                } else {
                    END_OF_DAY
                };
                (s, e)
            })
            .filter(|(s, e)| s <= e)
            .collect();
        return Day {
            date,
            intervals: merge(intervals),
            exceptional: true,
            exception_name: Some(ex.name.clone()),
        };
    }
    let wd = date.weekday().num_days_from_monday();
    let mut intervals = Vec::new();
    for h in &cal.normal {
        let mut len = (h.end_day + 7 - h.start_day) % 7;
        if len == 0 && h.end < h.start {
            len = 7;
        }
        let offset = (wd + 7 - h.start_day) % 7;
        // A range of a full week (len 7) touches its start weekday twice.
        for d in [offset, offset + 7] {
            if d > len {
                continue;
            }
            let s = if d == 0 { h.start } else { 0 };
            let e = if d == len { h.end } else { END_OF_DAY };
            if s <= e {
                intervals.push((s, e));
            }
        }
    }
    Day {
        date,
        intervals: merge(intervals),
        exceptional: false,
        exception_name: None,
    }
}

fn calendars_for(ctx: &Ctx<'_>, sp: &str) -> Vec<Calendar> {
    let tenant = ctx.read();
    tenant
        .store(CALENDARS)
        .map(|s| {
            s.values()
                .filter_map(|v| parse_calendar(v).ok())
                .filter(|c| c.assignments.iter().any(|a| a == sp))
                .collect()
        })
        .unwrap_or_default()
}

fn surrounding(cals: &[Calendar], date: NaiveDate) -> Value {
    let first = cals.iter().map(|c| c.start).min();
    let last = cals.iter().map(|c| c.end).max();
    let search = |step: i64| -> Day {
        for i in 1..=SEARCH_DAYS {
            let Some(d) = date.checked_add_signed(Days::days(step * i)) else {
                break;
            };
            let past_the_end = if step < 0 {
                first.is_some_and(|f| d < f)
            } else {
                last.is_some_and(|l| d > l)
            };
            if past_the_end {
                break;
            }
            let day = day(cals, d);
            if day.open() {
                return day;
            }
        }
        Day::closed(date.checked_add_signed(Days::days(step)).unwrap_or(date))
    };
    json!({"openings": [search(-1).to_json(), day(cals, date).to_json(), search(1).to_json()]})
}

pub(crate) fn handle(ctx: &Ctx<'_>) -> Option<HttpResponse> {
    if let Some(rest) = ctx.path.strip_prefix("/calendar/dates/") {
        let (sp, what) = rest.split_once('/')?;
        if *ctx.method != Method::GET {
            return Some(error(
                StatusCode::METHOD_NOT_ALLOWED,
                "invalidRequest",
                "Method not allowed",
            ));
        }
        if !is_uuid(sp) {
            return Some(invalid(&format!("Invalid service point id: {sp}")));
        }
        let sp = sp.to_lowercase();
        return match what {
            "surrounding-openings" => Some(surrounding_openings(ctx, &sp)),
            "all-openings" => Some(all_openings(ctx, &sp)),
            _ => None,
        };
    }
    if ctx.path == CALENDARS {
        return Some(match *ctx.method {
            Method::GET => search(ctx),
            Method::POST => create(ctx),
            Method::DELETE => delete_many(ctx),
            _ => error(
                StatusCode::METHOD_NOT_ALLOWED,
                "invalidRequest",
                "Method not allowed",
            ),
        });
    }
    let id = ctx.path.strip_prefix("/calendar/calendars/")?;
    if id.contains('/') {
        return None;
    }
    let id = id.to_lowercase();
    Some(match *ctx.method {
        Method::GET => match ctx.read().store(CALENDARS).and_then(|s| s.get(&id)) {
            Some(v) => json_response(StatusCode::OK, v),
            None => not_found(&[id]),
        },
        Method::PUT => update(ctx, &id),
        Method::DELETE => match ctx.write().store_mut(CALENDARS).remove(&id) {
            Some(_) => no_content(),
            None => not_found(&[id]),
        },
        _ => error(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalidRequest",
            "Method not allowed",
        ),
    })
}

fn not_found(ids: &[String]) -> HttpResponse {
    error(
        StatusCode::NOT_FOUND,
        "calendarNotFound",
        &format!(
            "A calendar with UUIDs {} could not be found.",
            ids.join(" and ")
        ),
    )
}

fn date_param(ctx: &Ctx<'_>, name: &str) -> Result<NaiveDate, HttpResponse> {
    let v = ctx
        .param(name)
        .ok_or_else(|| invalid(&format!("Parameter {name} is required")))?;
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map_err(|_| invalid(&format!("Parameter {name} is not a date (YYYY-MM-DD): {v}")))
}

fn surrounding_openings(ctx: &Ctx<'_>, sp: &str) -> HttpResponse {
    let date = match date_param(ctx, "date") {
        Ok(d) => d,
        Err(r) => return r,
    };
    json_response(StatusCode::OK, &surrounding(&calendars_for(ctx, sp), date))
}

fn all_openings(ctx: &Ctx<'_>, sp: &str) -> HttpResponse {
    let (start, end) = match (date_param(ctx, "startDate"), date_param(ctx, "endDate")) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let include_closed = match ctx.param("includeClosed") {
        Some("true") => true,
        Some("false") => false,
        _ => return invalid("Parameter includeClosed is required (true or false)"),
    };
    let (offset, limit) = match ctx.paging() {
        Ok(p) => p,
        Err(_) => return invalid("Invalid offset or limit"),
    };
    if (end - start).num_days() > 3660 {
        return invalid("The date range is too long");
    }
    let cals = calendars_for(ctx, sp);
    let mut days = Vec::new();
    let mut d = start;
    while d <= end {
        let day = day(&cals, d);
        if include_closed || day.open() || day.exceptional {
            days.push(day.to_json());
        }
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    let total = days.len();
    let page: Vec<Value> = days.into_iter().skip(offset).take(limit).collect();
    json_response(
        StatusCode::OK,
        &json!({"dates": page, "totalRecords": total}),
    )
}

fn search(ctx: &Ctx<'_>) -> HttpResponse {
    let (offset, limit) = match ctx.paging() {
        Ok(p) => p,
        Err(_) => return invalid("Invalid offset or limit"),
    };
    let ids: Vec<String> = ctx
        .params
        .iter()
        .filter(|(k, _)| k == "id")
        .map(|(_, v)| v.to_lowercase())
        .collect();
    let sp = ctx.param("servicePointId").map(str::to_lowercase);
    let start = match ctx.param("startDate").map(|_| date_param(ctx, "startDate")) {
        Some(Err(r)) => return r,
        Some(Ok(d)) => Some(d),
        None => None,
    };
    let end = match ctx.param("endDate").map(|_| date_param(ctx, "endDate")) {
        Some(Err(r)) => return r,
        Some(Ok(d)) => Some(d),
        None => None,
    };
    let tenant = ctx.read();
    let all: Vec<Value> = tenant
        .store(CALENDARS)
        .map(|s| s.values().cloned().collect())
        .unwrap_or_default();
    let hits: Vec<Value> = all
        .into_iter()
        .filter(|v| {
            let Ok(c) = parse_calendar(v) else {
                return false;
            };
            (ids.is_empty() || ids.contains(&c.id))
                && sp.as_ref().is_none_or(|sp| c.assignments.contains(sp))
                && start.is_none_or(|s| c.end >= s)
                && end.is_none_or(|e| c.start <= e)
        })
        .collect();
    let total = hits.len();
    let page: Vec<Value> = hits.into_iter().skip(offset).take(limit).collect();
    json_response(
        StatusCode::OK,
        &json!({"calendars": page, "totalRecords": total}),
    )
}

/// Parses and checks a calendar body; fills ids; refuses overlaps (409).
fn prepare(ctx: &Ctx<'_>, id: &str) -> Result<Value, HttpResponse> {
    let mut obj = match serde_json::from_slice::<Value>(ctx.body) {
        Ok(Value::Object(m)) => m,
        Ok(_) => {
            return Err(invalid(
                "The request could not be parsed: expected a JSON object",
            ))
        }
        Err(e) => return Err(invalid(&format!("The request could not be parsed: {e}"))),
    };
    obj.insert("id".into(), json!(id));
    if let Some(Value::Array(hours)) = obj.get_mut("normalHours") {
        for h in hours.iter_mut().filter_map(Value::as_object_mut) {
            h.insert("calendarId".into(), json!(id));
        }
    }
    let value = Value::Object(obj);
    let cal = parse_calendar(&value).map_err(|m| invalid(&m))?;
    let tenant = ctx.read();
    if let Some(store) = tenant.store(CALENDARS) {
        for other in store.values().filter_map(|v| parse_calendar(v).ok()) {
            if other.id == id || other.end < cal.start || cal.end < other.start {
                continue;
            }
            let shared: Vec<&String> = cal
                .assignments
                .iter()
                .filter(|a| other.assignments.contains(a))
                .collect();
            if !shared.is_empty() {
                return Err(json_response(
                    StatusCode::CONFLICT,
                    &json!({"timestamp": now_iso(), "status": 409, "errors": [{
                        "code": "calendarDateOverlap",
                        "message": format!(
                            "This calendar cannot be created due to an overlap with \"{}\" (which is from {} to {})",
                            other.name, other.start, other.end),
                        "data": {"conflictingServicePointIds": shared}}]}),
                ));
            }
        }
    }
    Ok(value)
}

fn create(ctx: &Ctx<'_>) -> HttpResponse {
    let id = match serde_json::from_slice::<Value>(ctx.body)
        .ok()
        .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_lowercase))
    {
        Some(id) if is_uuid(&id) => id,
        Some(id) => return invalid(&format!("Invalid calendar id: {id}")),
        None => uuid::Uuid::new_v4().to_string(),
    };
    if ctx
        .read()
        .store(CALENDARS)
        .and_then(|s| s.get(&id))
        .is_some()
    {
        return invalid(&format!("A calendar with id {id} already exists"));
    }
    let value = match prepare(ctx, &id) {
        Ok(v) => v,
        Err(r) => return r,
    };
    ctx.write()
        .store_mut(CALENDARS)
        .put(id.clone(), value.clone());
    HttpResponse::Created()
        .insert_header(("Location", format!("{CALENDARS}/{id}")))
        .content_type("application/json")
        .body(value.to_string())
}

fn update(ctx: &Ctx<'_>, id: &str) -> HttpResponse {
    if ctx
        .read()
        .store(CALENDARS)
        .and_then(|s| s.get(id))
        .is_none()
    {
        return not_found(&[id.to_string()]);
    }
    let value = match prepare(ctx, id) {
        Ok(v) => v,
        Err(r) => return r,
    };
    ctx.write()
        .store_mut(CALENDARS)
        .put(id.to_string(), value.clone());
    json_response(StatusCode::OK, &value)
}

fn delete_many(ctx: &Ctx<'_>) -> HttpResponse {
    let ids: Vec<String> = ctx
        .params
        .iter()
        .filter(|(k, _)| k == "id")
        .map(|(_, v)| v.to_lowercase())
        .collect();
    if ids.is_empty() {
        return invalid("At least one id is required");
    }
    let mut tenant = ctx.write();
    let store = tenant.store_mut(CALENDARS);
    let missing: Vec<String> = ids
        .iter()
        .filter(|i| store.get(i).is_none())
        .cloned()
        .collect();
    if !missing.is_empty() {
        return not_found(&missing);
    }
    for id in &ids {
        store.remove(id);
    }
    no_content()
}

/// `mod-calendar-standin-1.0.0`: interface `calendar 5.0`.
pub fn descriptor() -> Value {
    module_descriptor(
        "mod-calendar-standin-1.0.0",
        "Calendar (in-memory stand-in)",
        vec![(
            "calendar",
            "5.0",
            vec![
                handler(&["GET", "POST", "DELETE"], CALENDARS),
                handler(
                    &["GET", "PUT", "DELETE"],
                    "/calendar/calendars/{calendarId}",
                ),
                handler(
                    &["GET"],
                    "/calendar/dates/{servicePointId}/surrounding-openings",
                ),
                handler(&["GET"], "/calendar/dates/{servicePointId}/all-openings"),
            ],
        )],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn cal() -> Calendar {
        parse_calendar(&json!({
            "id": "c", "name": "Weekdays", "startDate": "2026-01-01", "endDate": "2026-12-31",
            "assignments": ["3a40852d-49fd-4df2-a1f9-6e2641a6e91f"],
            "normalHours": [
                {"startDay": "MONDAY", "startTime": "09:00", "endDay": "MONDAY", "endTime": "17:00"},
                {"startDay": "TUESDAY", "startTime": "09:00:00", "endDay": "WEDNESDAY", "endTime": "12:00"},
                {"startDay": "FRIDAY", "startTime": "08:00", "endDay": "FRIDAY", "endTime": "12:00"},
                {"startDay": "FRIDAY", "startTime": "13:00", "endDay": "FRIDAY", "endTime": "18:00"}
            ],
            "exceptions": [{"name": "Holiday", "startDate": "2026-03-02", "endDate": "2026-03-02",
                            "openings": []}]
        }))
        .unwrap()
    }

    #[test]
    fn normal_hours_spanning_days() {
        let c = [cal()];
        // 2026-03-03 is a Tuesday.
        assert_eq!(
            day(&c, d("2026-03-03")).intervals,
            vec![(9 * 3600, END_OF_DAY)]
        );
        assert_eq!(day(&c, d("2026-03-04")).intervals, vec![(0, 12 * 3600)]);
        assert!(!day(&c, d("2026-03-05")).open());
        assert_eq!(day(&c, d("2026-03-06")).intervals.len(), 2);
        let holiday = day(&c, d("2026-03-02"));
        assert!(!holiday.open() && holiday.exceptional);
        assert!(!day(&c, d("2027-01-04")).open());
    }

    #[test]
    fn surrounding_skips_closed_days() {
        let c = [cal()];
        let v = surrounding(&c, d("2026-03-05")); // Thursday
        assert_eq!(v["openings"][0]["date"], json!("2026-03-04"));
        assert_eq!(v["openings"][1]["open"], json!(false));
        assert_eq!(v["openings"][2]["date"], json!("2026-03-06"));
        let none = surrounding(&[], d("2026-03-05"));
        assert_eq!(none["openings"][1]["allDay"], json!(true));
        assert_eq!(
            none["openings"][1]["openings"][0]["endTime"],
            json!("23:59:00")
        );
    }
}
