//! `time`: clocks, blocking sleep, and conversions between timestamps, `struct_time` and text
//! (`gmtime`, `localtime`, `mktime`, `strftime`, `asctime`, `ctime`).
//!
//! Invariant: `strftime` behaves as CPython on glibc in the C locale: the C `tm` fields are
//! the tuple's (weekday shifted to Sunday=0, year day made 0-based), unknown directives are
//! copied through, and the `-`, `_`, `0`, `^`, `#` flags and field widths are honoured.

use super::structseq;
use super::tz::Zone;
use crate::types::float::float_of;
use crate::types::int::int_of;
use crate::vm::limits::Capability;
use crate::vm::object::{Args, NativeFn, ObjKind};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const FIELDS: [&str; 9] = [
    "tm_year", "tm_mon", "tm_mday", "tm_hour", "tm_min", "tm_sec", "tm_wday", "tm_yday", "tm_isdst",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Per-interpreter state: the `struct_time` type and the local zone.
struct TimeState {
    struct_time: ObjRef,
    zone: Zone,
}

/// Creates the `time` module.
pub fn create(vm: &mut Vm) -> ObjRef {
    let (m, d) = super::new_module(vm, "time");
    let st = structseq::new_type(
        vm,
        "time",
        "struct_time",
        &FIELDS,
        &["tm_zone", "tm_gmtoff"],
    );
    vm.dict_set_str(&d, "struct_time", Value::Obj(st.clone()));
    // The host's time zone is part of the clock: without the capability the local zone is
    // UTC, and nothing is read from `TZ` or `/etc/localtime`.
    let zone = if vm.granted(Capability::Clock) {
        Zone::local()
    } else {
        Zone::utc()
    };
    // As CPython's init_timezone: the offsets in force on January 1 and July 1 this year.
    let now = now_secs().floor() as i64;
    let (year, ..) = civil_from_days(now.div_euclid(86400));
    let jan = days_from_civil(year, 1, 1) * 86400;
    let jul = days_from_civil(year, 7, 1) * 86400;
    let (mut a, mut b) = (zone.at(jan).clone(), zone.at(jul).clone());
    if a.offset > b.offset {
        std::mem::swap(&mut a, &mut b);
    }
    vm.dict_set_str(&d, "timezone", Value::Int(-a.offset));
    vm.dict_set_str(&d, "altzone", Value::Int(-b.offset));
    vm.dict_set_str(&d, "daylight", Value::Int((a.offset != b.offset) as i64));
    let (an, bn) = (vm.new_str(a.abbr), vm.new_str(b.abbr));
    let names = vm.new_tuple(vec![an, bn]);
    vm.dict_set_str(&d, "tzname", names);
    vm.ext.insert(
        "time",
        Box::new(TimeState {
            struct_time: st,
            zone,
        }),
    );
    let funcs: &[(&str, NativeFn)] = &[
        ("time", time),
        ("time_ns", time_ns),
        ("monotonic", monotonic),
        ("monotonic_ns", monotonic_ns),
        ("perf_counter", monotonic),
        ("perf_counter_ns", monotonic_ns),
        ("process_time", process_time),
        ("process_time_ns", process_time_ns),
        ("sleep", sleep),
        ("gmtime", gmtime),
        ("localtime", localtime),
        ("mktime", mktime),
        ("strftime", strftime),
        ("asctime", asctime),
        ("ctime", ctime),
    ];
    super::add_functions(vm, &d, funcs);
    m
}

fn state(vm: &Vm) -> &TimeState {
    vm.ext
        .get("time")
        .and_then(|s| s.downcast_ref::<TimeState>())
        .expect("the time module is initialised")
}

fn now_secs() -> f64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    }
}

fn time(vm: &mut Vm, _args: Args) -> PyResult {
    vm.require(Capability::Clock, "time.time()")?;
    Ok(Value::from_f64(now_secs()))
}

fn time_ns(vm: &mut Vm, _args: Args) -> PyResult {
    vm.require(Capability::Clock, "time.time_ns()")?;
    let ns = match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i64,
        Err(e) => -(e.duration().as_nanos() as i64),
    };
    Ok(Value::Int(ns))
}

/// The monotonic clock: time since an anchor taken on first use, plus the system uptime at
/// that moment so that values look like CPython's (seconds since boot).
fn monotonic_duration() -> Duration {
    static ANCHOR: std::sync::OnceLock<(Instant, Duration)> = std::sync::OnceLock::new();
    let (at, base) = ANCHOR.get_or_init(|| {
        let up = std::fs::read_to_string("/proc/uptime")
            .ok()
            .and_then(|s| {
                s.split_whitespace()
                    .next()
                    .and_then(|x| x.parse::<f64>().ok())
            })
            .unwrap_or(0.0);
        (Instant::now(), Duration::from_secs_f64(up))
    });
    *base + at.elapsed()
}

fn monotonic(_vm: &mut Vm, _args: Args) -> PyResult {
    Ok(Value::from_f64(monotonic_duration().as_secs_f64()))
}

fn monotonic_ns(_vm: &mut Vm, _args: Args) -> PyResult {
    Ok(Value::Int(monotonic_duration().as_nanos() as i64))
}

/// CPU time of this process in nanoseconds (from the scheduler's statistics).
fn cpu_ns() -> i64 {
    std::fs::read_to_string("/proc/self/schedstat")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|x| x.parse::<i64>().ok())
        })
        .unwrap_or_else(|| monotonic_duration().as_nanos() as i64)
}

fn process_time(_vm: &mut Vm, _args: Args) -> PyResult {
    Ok(Value::from_f64(cpu_ns() as f64 / 1e9))
}

fn process_time_ns(_vm: &mut Vm, _args: Args) -> PyResult {
    Ok(Value::Int(cpu_ns()))
}

fn not_integer(vm: &mut Vm, v: &Value) -> crate::vm::Exc {
    let msg = format!(
        "'{}' object cannot be interpreted as an integer",
        vm.type_name(v)
    );
    vm.type_error(msg)
}

fn sleep(vm: &mut Vm, args: Args) -> PyResult {
    args.no_kwargs(vm, "sleep")?;
    args.expect_range(vm, "sleep", 1, 1)?;
    let v = &args.pos[0];
    let secs = match (float_of(v), int_of(v)) {
        (Some(f), _) => f,
        (_, Some(i)) => i.to_f64().unwrap_or(f64::INFINITY),
        _ => return Err(not_integer(vm, v)),
    };
    if secs.is_nan() {
        return Err(vm.value_error("Invalid value NaN (not a number)".into()));
    }
    if secs < 0.0 {
        return Err(vm.value_error("sleep length must be non-negative".into()));
    }
    if secs > 1e12 {
        return Err(vm.overflow_error("sleep length is too large".into()));
    }
    sleep_checked(vm, Duration::from_secs_f64(secs))?;
    Ok(Value::None)
}

/// Blocks the thread for `d` in short slices, reaching a limit check point after each, so
/// the host's deadline and interrupt, Ctrl-C and signal handlers stop a long sleep as they
/// stop a loop.
pub fn sleep_checked(vm: &mut Vm, d: Duration) -> PyResult<()> {
    const SLICE: Duration = Duration::from_millis(20);
    let end = Instant::now() + d;
    loop {
        let now = Instant::now();
        if now >= end {
            return Ok(());
        }
        std::thread::sleep((end - now).min(SLICE));
        vm.check_slow()?;
    }
}

// ----- calendar arithmetic --------------------------------------------------------------

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number: (year, month 1-12, day 1-31).
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + (m <= 2) as i64, m, d)
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

/// A broken-down time in C's conventions (`wday` Sunday=0, `yday` 0-based, `mon` 1-based).
#[derive(Clone, Debug)]
struct Tm {
    year: i64,
    mon: i64,
    mday: i64,
    hour: i64,
    min: i64,
    sec: i64,
    wday: i64,
    yday: i64,
    isdst: i64,
    zone: Option<String>,
    gmtoff: Option<i64>,
}

fn tm_from_secs(t: i64, offset: i64, isdst: bool, zone: &str) -> Tm {
    let local = t + offset;
    let days = local.div_euclid(86400);
    let rem = local.rem_euclid(86400);
    let (year, mon, mday) = civil_from_days(days);
    Tm {
        year,
        mon,
        mday,
        hour: rem / 3600,
        min: rem % 3600 / 60,
        sec: rem % 60,
        wday: (days + 4).rem_euclid(7),
        yday: days - days_from_civil(year, 1, 1),
        isdst: isdst as i64,
        zone: Some(zone.to_string()),
        gmtoff: Some(offset),
    }
}

fn struct_time_of(vm: &mut Vm, tm: &Tm) -> Value {
    let items = vec![
        Value::Int(tm.year),
        Value::Int(tm.mon),
        Value::Int(tm.mday),
        Value::Int(tm.hour),
        Value::Int(tm.min),
        Value::Int(tm.sec),
        Value::Int((tm.wday + 6) % 7),
        Value::Int(tm.yday + 1),
        Value::Int(tm.isdst),
    ];
    let zone = match &tm.zone {
        Some(z) => vm.new_str(z.clone()),
        None => Value::None,
    };
    let off = tm.gmtoff.map(Value::Int).unwrap_or(Value::None);
    let cls = state(vm).struct_time.clone();
    structseq::instance(vm, &cls, items, &[("tm_zone", zone), ("tm_gmtoff", off)])
}

/// A timestamp argument (None: now), rounded toward minus infinity.
fn timestamp_arg(vm: &mut Vm, args: &Args, name: &str) -> PyResult<i64> {
    args.no_kwargs(vm, name)?;
    args.expect_range(vm, name, 0, 1)?;
    let v = match args.pos.first() {
        None | Some(Value::None) => {
            vm.require(Capability::Clock, &format!("time.{name}()"))?;
            return Ok(now_secs().floor() as i64);
        }
        Some(v) => v,
    };
    if let Some(f) = float_of(v) {
        if f.is_nan() {
            return Err(vm.value_error("Invalid value NaN (not a number)".into()));
        }
        let f = f.floor();
        if !(-9.2e18..9.2e18).contains(&f) {
            return Err(vm.overflow_error("timestamp out of range for platform time_t".into()));
        }
        return Ok(f as i64);
    }
    match int_of(v) {
        Some(crate::types::int::IntRef::Small(i)) => Ok(i),
        Some(_) => Err(vm.overflow_error("timestamp out of range for platform time_t".into())),
        None => Err(not_integer(vm, v)),
    }
}

/// Years beyond what the C library represents (a 32-bit `tm_year`).
fn check_year(vm: &mut Vm, t: i64) -> PyResult<()> {
    if t.abs() > 67_767_976_233_316_800 {
        return Err(vm.overflow_error("timestamp out of range for platform time_t".into()));
    }
    if !(-67_768_040_609_740_800..=67_767_976_233_532_799).contains(&t) {
        return Err(vm.new_exc_msg(
            "OSError",
            "[Errno 75] Value too large for defined data type".into(),
        ));
    }
    Ok(())
}

fn gmtime(vm: &mut Vm, args: Args) -> PyResult {
    let t = timestamp_arg(vm, &args, "gmtime")?;
    check_year(vm, t)?;
    let tm = tm_from_secs(t, 0, false, "GMT");
    Ok(struct_time_of(vm, &tm))
}

fn local_tm(vm: &Vm, t: i64) -> Tm {
    let ty = state(vm).zone.at(t).clone();
    tm_from_secs(t, ty.offset, ty.isdst, &ty.abbr)
}

fn localtime(vm: &mut Vm, args: Args) -> PyResult {
    let t = timestamp_arg(vm, &args, "localtime")?;
    check_year(vm, t)?;
    let tm = local_tm(vm, t);
    Ok(struct_time_of(vm, &tm))
}

/// Reads a 9-tuple or struct_time as CPython's `gettmarg` does.
fn tm_arg(vm: &mut Vm, v: &Value, fname: &str) -> PyResult<Tm> {
    let items: Vec<Value> = match v.kind() {
        Some(ObjKind::Tuple(t)) => t.to_vec(),
        _ => return Err(vm.type_error("Tuple or struct_time argument required".into())),
    };
    if items.len() != 9 {
        return Err(vm.type_error(format!("{fname}(): illegal time tuple argument")));
    }
    let mut f = [0i64; 9];
    for (slot, it) in f.iter_mut().zip(&items) {
        *slot = match int_of(it) {
            Some(crate::types::int::IntRef::Small(i)) => i,
            Some(_) => {
                return Err(vm.overflow_error("Python int too large to convert to C int".into()))
            }
            None => return Err(not_integer(vm, it)),
        };
        if *slot > i32::MAX as i64 || *slot < i32::MIN as i64 {
            return Err(vm.overflow_error(if slot.is_negative() {
                "signed integer is less than minimum".into()
            } else {
                "signed integer is greater than maximum".into()
            }));
        }
    }
    let mut zone = None;
    let mut gmtoff = None;
    let st = state(vm).struct_time.clone();
    if vm.isinstance(v, &st) {
        if let Some(z) = vm.getattr_opt(v, "tm_zone")? {
            zone = z.as_str().map(String::from);
        }
        if let Some(Value::Int(o)) = vm.getattr_opt(v, "tm_gmtoff")? {
            gmtoff = Some(o);
        }
    }
    Ok(Tm {
        year: f[0],
        mon: f[1],
        mday: f[2],
        hour: f[3],
        min: f[4],
        sec: f[5],
        wday: (f[6] + 1) % 7,
        yday: f[7] - 1,
        isdst: f[8],
        zone,
        gmtoff,
    })
}

/// CPython's `checktm` after strftime's and asctime's normalisation of zero fields.
fn check_tm(vm: &mut Vm, tm: &mut Tm) -> PyResult<()> {
    if tm.mon == 0 {
        tm.mon = 1;
    }
    if tm.mday == 0 {
        tm.mday = 1;
    }
    if tm.yday == -1 {
        tm.yday = 0;
    }
    let msg = if !(1..=12).contains(&tm.mon) {
        "month out of range"
    } else if !(1..=31).contains(&tm.mday) {
        "day of month out of range"
    } else if !(0..=23).contains(&tm.hour) {
        "hour out of range"
    } else if !(0..=59).contains(&tm.min) {
        "minute out of range"
    } else if !(0..=61).contains(&tm.sec) {
        "seconds out of range"
    } else if tm.wday < 0 {
        "day of week out of range"
    } else if !(0..=365).contains(&tm.yday) {
        "day of year out of range"
    } else {
        return Ok(());
    };
    Err(vm.value_error(msg.into()))
}

fn local_secs(tm: &Tm) -> i64 {
    let days = days_from_civil(tm.year, 1, 1) + month_days_offset(tm.year, tm.mon) + tm.mday - 1;
    days * 86400 + tm.hour * 3600 + tm.min * 60 + tm.sec
}

/// Days from January 1 to the first of month `mon` (any int; months overflow into years).
fn month_days_offset(year: i64, mon: i64) -> i64 {
    let y = year + (mon - 1).div_euclid(12);
    let m = (mon - 1).rem_euclid(12) + 1;
    days_from_civil(y, m, 1) - days_from_civil(year, 1, 1)
}

fn mktime(vm: &mut Vm, args: Args) -> PyResult {
    args.no_kwargs(vm, "mktime")?;
    args.expect_range(vm, "mktime", 1, 1)?;
    let tm = tm_arg(vm, &args.pos[0], "mktime")?;
    let local = local_secs(&tm);
    let t = state(vm).zone.to_utc(local, tm.isdst);
    Ok(Value::from_f64(t as f64))
}

fn tm_or_now(vm: &mut Vm, v: Option<&Value>, fname: &str) -> PyResult<Tm> {
    match v {
        None => {
            vm.require(Capability::Clock, &format!("time.{fname}()"))?;
            let t = now_secs().floor() as i64;
            Ok(local_tm(vm, t))
        }
        Some(v) => tm_arg(vm, v, fname),
    }
}

fn strftime(vm: &mut Vm, args: Args) -> PyResult {
    args.no_kwargs(vm, "strftime")?;
    args.expect_range(vm, "strftime", 1, 2)?;
    let fmt = match args.pos[0].as_str() {
        Some(s) => s.to_string(),
        None => {
            let msg = format!(
                "strftime() argument 1 must be str, not {}",
                vm.type_name(&args.pos[0])
            );
            return Err(vm.type_error(msg));
        }
    };
    let mut tm = tm_or_now(vm, args.pos.get(1), "strftime")?;
    check_tm(vm, &mut tm)?;
    tm.isdst = tm.isdst.clamp(-1, 1);
    if fmt.contains('\0') {
        return Err(vm.value_error("embedded null character".into()));
    }
    let out = format_tm(vm, &fmt, &tm);
    Ok(vm.new_str(out))
}

fn asctime_text(tm: &Tm) -> String {
    format!(
        "{} {}{:3} {:02}:{:02}:{:02} {}",
        &DAYS[tm.wday.rem_euclid(7) as usize][..3],
        &MONTHS[(tm.mon - 1).rem_euclid(12) as usize][..3],
        tm.mday,
        tm.hour,
        tm.min,
        tm.sec,
        tm.year
    )
}

fn asctime(vm: &mut Vm, args: Args) -> PyResult {
    args.no_kwargs(vm, "asctime")?;
    args.expect_range(vm, "asctime", 0, 1)?;
    let mut tm = tm_or_now(vm, args.pos.first(), "asctime")?;
    check_tm(vm, &mut tm)?;
    let s = asctime_text(&tm);
    Ok(vm.new_str(s))
}

fn ctime(vm: &mut Vm, args: Args) -> PyResult {
    let t = timestamp_arg(vm, &args, "ctime")?;
    check_year(vm, t)?;
    let tm = local_tm(vm, t);
    let s = asctime_text(&tm);
    Ok(vm.new_str(s))
}

// ----- strftime -------------------------------------------------------------------------

/// glibc's ISO 8601 week helper: days since the Monday starting ISO week 1.
fn iso_week_days(yday: i64, wday: i64) -> i64 {
    let big = (366 / 7 + 2) * 7;
    yday - (yday - wday + 4 + big) % 7 + 3
}

fn iso_year_week(tm: &Tm) -> (i64, i64) {
    let mut year = tm.year;
    let mut days = iso_week_days(tm.yday, tm.wday);
    if days < 0 {
        year -= 1;
        days = iso_week_days(tm.yday + 365 + is_leap(year) as i64, tm.wday);
    } else {
        let d = iso_week_days(tm.yday - 365 - is_leap(year) as i64, tm.wday);
        if d >= 0 {
            year += 1;
            days = d;
        }
    }
    (year, days / 7 + 1)
}

/// How a numeric field is padded: glibc's default for the directive, or a flag's choice.
#[derive(Clone, Copy, PartialEq)]
enum Pad {
    Zero,
    Space,
    None,
}

struct Directive {
    pad: Option<Pad>,
    upper: bool,
    swap_case: bool,
    width: Option<usize>,
}

fn push_num(out: &mut String, n: i64, digits: usize, default: Pad, d: &Directive) {
    let pad = d.pad.unwrap_or(default);
    let width = d.width.unwrap_or(digits);
    let body = n.unsigned_abs().to_string();
    let sign = if n < 0 { "-" } else { "" };
    let fill = width.saturating_sub(body.len() + sign.len());
    match pad {
        Pad::None => {
            out.push_str(sign);
            out.push_str(&body);
        }
        Pad::Zero => {
            out.push_str(sign);
            out.extend(std::iter::repeat_n('0', fill));
            out.push_str(&body);
        }
        Pad::Space => {
            out.extend(std::iter::repeat_n(' ', fill));
            out.push_str(sign);
            out.push_str(&body);
        }
    }
}

fn push_text(out: &mut String, s: &str, d: &Directive) {
    let s = if d.upper {
        s.to_uppercase()
    } else if d.swap_case {
        // `#` on names: glibc upper-cases the abbreviations of days and months.
        s.to_uppercase()
    } else {
        s.to_string()
    };
    if let Some(w) = d.width {
        let n = s.chars().count();
        let fill = if d.pad == Some(Pad::Zero) { '0' } else { ' ' };
        out.extend(std::iter::repeat_n(fill, w.saturating_sub(n)));
    }
    out.push_str(&s);
}

fn format_tm(vm: &mut Vm, fmt: &str, tm: &Tm) -> String {
    let mut out = String::with_capacity(fmt.len() + 16);
    let chars: Vec<char> = fmt.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        let mut d = Directive {
            pad: None,
            upper: false,
            swap_case: false,
            width: None,
        };
        while i < chars.len() {
            match chars[i] {
                '-' => d.pad = Some(Pad::None),
                '_' => d.pad = Some(Pad::Space),
                '0' => d.pad = Some(Pad::Zero),
                '^' => d.upper = true,
                '#' => d.swap_case = true,
                _ => break,
            }
            i += 1;
        }
        let mut w = 0usize;
        let mut has_w = false;
        while i < chars.len() && chars[i].is_ascii_digit() {
            w = w
                .saturating_mul(10)
                .saturating_add(chars[i] as usize - '0' as usize);
            has_w = true;
            i += 1;
        }
        if has_w {
            d.width = Some(w.min(4096));
        }
        if i < chars.len() && (chars[i] == 'E' || chars[i] == 'O') {
            i += 1;
        }
        let Some(&conv) = chars.get(i) else {
            out.extend(&chars[start..]);
            break;
        };
        i += 1;
        if !directive(vm, &mut out, conv, tm, &d) {
            out.extend(&chars[start..i]);
        }
    }
    out
}

/// Writes one directive; false when it is unknown (the caller copies it through).
fn directive(vm: &mut Vm, out: &mut String, conv: char, tm: &Tm, d: &Directive) -> bool {
    let wday = tm.wday.rem_euclid(7) as usize;
    let mon = (tm.mon - 1).rem_euclid(12) as usize;
    let hour12 = if tm.hour % 12 == 0 { 12 } else { tm.hour % 12 };
    match conv {
        'a' => push_text(out, &DAYS[wday][..3], d),
        'A' => push_text(out, DAYS[wday], d),
        'b' | 'h' => push_text(out, &MONTHS[mon][..3], d),
        'B' => push_text(out, MONTHS[mon], d),
        'c' => {
            let s = format_tm(vm, "%a %b %e %H:%M:%S %Y", tm);
            push_text(out, &s, d);
        }
        'C' => push_num(out, tm.year.div_euclid(100), 2, Pad::Zero, d),
        'd' => push_num(out, tm.mday, 2, Pad::Zero, d),
        'D' => {
            let s = format_tm(vm, "%m/%d/%y", tm);
            push_text(out, &s, d);
        }
        'e' => push_num(out, tm.mday, 2, Pad::Space, d),
        'F' => {
            let s = format_tm(vm, "%Y-%m-%d", tm);
            push_text(out, &s, d);
        }
        'g' => push_num(out, iso_year_week(tm).0.rem_euclid(100), 2, Pad::Zero, d),
        'G' => push_num(out, iso_year_week(tm).0, 1, Pad::Zero, d),
        'H' => push_num(out, tm.hour, 2, Pad::Zero, d),
        'I' => push_num(out, hour12, 2, Pad::Zero, d),
        'j' => push_num(out, tm.yday + 1, 3, Pad::Zero, d),
        'k' => push_num(out, tm.hour, 2, Pad::Space, d),
        'l' => push_num(out, hour12, 2, Pad::Space, d),
        'm' => push_num(out, tm.mon, 2, Pad::Zero, d),
        'M' => push_num(out, tm.min, 2, Pad::Zero, d),
        'n' => out.push('\n'),
        't' => out.push('\t'),
        'p' => push_text(out, if tm.hour < 12 { "AM" } else { "PM" }, d),
        'P' => push_text(out, if tm.hour < 12 { "am" } else { "pm" }, d),
        'r' => {
            let s = format_tm(vm, "%I:%M:%S %p", tm);
            push_text(out, &s, d);
        }
        'R' => {
            let s = format_tm(vm, "%H:%M", tm);
            push_text(out, &s, d);
        }
        's' => {
            let t = state(vm).zone.to_utc(local_secs(tm), tm.isdst);
            push_num(out, t, 1, Pad::Zero, d);
        }
        'S' => push_num(out, tm.sec, 2, Pad::Zero, d),
        'T' | 'X' => {
            let s = format_tm(vm, "%H:%M:%S", tm);
            push_text(out, &s, d);
        }
        'u' => push_num(
            out,
            if wday == 0 { 7 } else { wday as i64 },
            1,
            Pad::Zero,
            d,
        ),
        'U' => push_num(out, (tm.yday + 7 - tm.wday) / 7, 2, Pad::Zero, d),
        'V' => push_num(out, iso_year_week(tm).1, 2, Pad::Zero, d),
        'w' => push_num(out, wday as i64, 1, Pad::Zero, d),
        'W' => push_num(out, (tm.yday + 7 - (tm.wday + 6) % 7) / 7, 2, Pad::Zero, d),
        'x' => {
            let s = format_tm(vm, "%m/%d/%y", tm);
            push_text(out, &s, d);
        }
        'y' => push_num(out, tm.year.rem_euclid(100), 2, Pad::Zero, d),
        'Y' => push_num(out, tm.year, 1, Pad::Zero, d),
        'z' => {
            let off = match tm.gmtoff {
                Some(o) => o,
                None => state(vm).zone.at(local_secs(tm)).offset,
            };
            let sign = if off < 0 { '-' } else { '+' };
            let a = off.abs() / 60;
            out.push(sign);
            push_num(out, a / 60 * 100 + a % 60, 4, Pad::Zero, d);
        }
        'Z' => {
            let name = match &tm.zone {
                Some(z) => z.clone(),
                None => {
                    let zone = &state(vm).zone;
                    let ty = zone.at(zone.to_utc(local_secs(tm), tm.isdst));
                    ty.abbr.clone()
                }
            };
            push_text(out, &name, d);
        }
        '%' => out.push('%'),
        _ => return false,
    }
    true
}
