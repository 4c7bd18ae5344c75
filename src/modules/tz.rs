//! The local time zone, read from a TZif file the way the C library finds it: the `TZ`
//! variable (`:Region/City` or `Region/City`) or `/etc/localtime`; UTC when neither can be
//! read. Only the transition table is used (times past its end keep the last offset).
//! Invariant: lookups never fail; a zone always has at least one local time type.

/// One local time type: offset east of UTC, whether it is daylight saving time, its name.
#[derive(Clone, Debug, PartialEq)]
pub struct LocalType {
    pub offset: i64,
    pub isdst: bool,
    pub abbr: String,
}

/// A time zone: transition instants (UTC seconds) and the type in force from each.
#[derive(Clone, Debug)]
pub struct Zone {
    transitions: Vec<i64>,
    indices: Vec<usize>,
    types: Vec<LocalType>,
}

impl Zone {
    /// Coordinated Universal Time.
    pub fn utc() -> Zone {
        Zone {
            transitions: Vec::new(),
            indices: Vec::new(),
            types: vec![LocalType {
                offset: 0,
                isdst: false,
                abbr: "UTC".into(),
            }],
        }
    }

    /// The process's local zone.
    pub fn local() -> Zone {
        let path = match std::env::var("TZ") {
            Ok(tz) if !tz.is_empty() => {
                let name = tz.trim_start_matches(':');
                if matches!(name, "UTC" | "UTC0" | "GMT" | "GMT0" | "Etc/UTC") {
                    return Zone::utc();
                }
                if name.starts_with('/') {
                    std::path::PathBuf::from(name)
                } else {
                    std::path::Path::new("/usr/share/zoneinfo").join(name)
                }
            }
            _ => std::path::PathBuf::from("/etc/localtime"),
        };
        std::fs::read(path)
            .ok()
            .and_then(|data| parse_tzif(&data))
            .unwrap_or_else(Zone::utc)
    }

    /// The local time type in force at UTC instant `t`.
    pub fn at(&self, t: i64) -> &LocalType {
        if self.transitions.is_empty() || t < self.transitions[0] {
            // Before the first transition: the first standard type, as the C library does.
            return self
                .types
                .iter()
                .find(|ty| !ty.isdst)
                .unwrap_or(&self.types[0]);
        }
        let i = self.transitions.partition_point(|&x| x <= t) - 1;
        &self.types[self.indices[i]]
    }

    /// UTC instant for local wall-clock seconds `local` (`mktime`); `isdst` < 0 lets the zone
    /// decide, otherwise an ambiguous or skipped time is resolved toward that flag.
    pub fn to_utc(&self, local: i64, isdst: i64) -> i64 {
        let mut t = local - self.at(local).offset;
        for _ in 0..2 {
            t = local - self.at(t).offset;
        }
        if isdst >= 0 {
            let ty = self.at(t);
            if ty.isdst != (isdst > 0) {
                if let Some(other) = self.types.iter().find(|x| x.isdst == (isdst > 0)) {
                    let alt = local - other.offset;
                    if self.at(alt).isdst == other.isdst {
                        return alt;
                    }
                    // CPython (through mktime) shifts by the DST difference.
                    return t + (ty.offset - other.offset);
                }
            }
        }
        t
    }
}

fn be32(b: &[u8], at: usize) -> Option<i64> {
    let s = b.get(at..at + 4)?;
    Some(i32::from_be_bytes([s[0], s[1], s[2], s[3]]) as i64)
}

fn be64(b: &[u8], at: usize) -> Option<i64> {
    let s = b.get(at..at + 8)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(s);
    Some(i64::from_be_bytes(a))
}

/// Parses the version-2 (64-bit) block when present, else the version-1 block.
fn parse_tzif(data: &[u8]) -> Option<Zone> {
    if data.get(0..4)? != b"TZif" {
        return None;
    }
    let counts = |at: usize| -> Option<[usize; 6]> {
        let mut c = [0usize; 6];
        for (i, slot) in c.iter_mut().enumerate() {
            *slot = usize::try_from(be32(data, at + 20 + 4 * i)?).ok()?;
        }
        Some(c)
    };
    let c1 = counts(0)?;
    let v1_len = c1[3] * 5 + c1[4] * 6 + c1[5] + c1[2] * 8 + c1[1] + c1[0];
    let version = *data.get(4)?;
    if version >= b'2' {
        let start = 44 + v1_len;
        if data.get(start..start + 4)? == b"TZif" {
            let c2 = counts(start)?;
            return parse_block(data, start + 44, c2, 8);
        }
    }
    parse_block(data, 44, c1, 4)
}

fn parse_block(data: &[u8], at: usize, c: [usize; 6], tsize: usize) -> Option<Zone> {
    let [_isut, _isstd, _leap, timecnt, typecnt, charcnt] = c;
    if typecnt == 0 {
        return None;
    }
    let mut p = at;
    let mut transitions = Vec::with_capacity(timecnt);
    for _ in 0..timecnt {
        transitions.push(if tsize == 8 {
            be64(data, p)?
        } else {
            be32(data, p)?
        });
        p += tsize;
    }
    let mut indices = Vec::with_capacity(timecnt);
    for _ in 0..timecnt {
        let i = *data.get(p)? as usize;
        if i >= typecnt {
            return None;
        }
        indices.push(i);
        p += 1;
    }
    let types_at = p;
    let chars_at = types_at + typecnt * 6;
    let chars = data.get(chars_at..chars_at + charcnt)?;
    let mut types = Vec::with_capacity(typecnt);
    for k in 0..typecnt {
        let q = types_at + k * 6;
        let offset = be32(data, q)?;
        let isdst = *data.get(q + 4)? != 0;
        let ai = *data.get(q + 5)? as usize;
        let abbr = chars.get(ai..).unwrap_or(&[]);
        let end = abbr.iter().position(|&b| b == 0).unwrap_or(abbr.len());
        types.push(LocalType {
            offset,
            isdst,
            abbr: String::from_utf8_lossy(&abbr[..end]).into_owned(),
        });
    }
    Some(Zone {
        transitions,
        indices,
        types,
    })
}
