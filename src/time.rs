//! Capture time. Every analysis step takes the packet's capture timestamp as an input; nothing in
//! the analysis path reads the wall clock, so a replayed capture behaves exactly like live traffic
//! and tests need no sleeps.

use std::fmt;

/// Nanoseconds since the Unix epoch, as stamped by the capture (never the wall clock).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub const ZERO: Timestamp = Timestamp(0);

    pub fn from_secs_nanos(secs: i64, nanos: u32) -> Timestamp {
        Timestamp(
            secs.saturating_mul(1_000_000_000)
                .saturating_add(nanos as i64),
        )
    }

    pub fn from_micros(us: i64) -> Timestamp {
        Timestamp(us.saturating_mul(1000))
    }

    pub fn nanos(self) -> i64 {
        self.0
    }

    /// Milliseconds from `earlier` to `self`; negative spans (clock steps in merged captures) give 0.
    pub fn ms_since(self, earlier: Timestamp) -> f64 {
        let d = self.0.saturating_sub(earlier.0).max(0);
        // Keep microsecond resolution in the printed value.
        (d / 1000) as f64 / 1000.0
    }

    pub fn saturating_add_secs(self, secs: u64) -> Timestamp {
        Timestamp(
            self.0
                .saturating_add((secs as i64).saturating_mul(1_000_000_000)),
        )
    }

    /// RFC 3339 UTC with microseconds, e.g. `2024-01-31T12:00:00.123456Z`.
    pub fn rfc3339(self) -> String {
        self.to_string()
    }
}

/// RFC 3339 UTC to the second from seconds since the epoch, e.g. `2024-01-31T12:00:00Z`
/// (certificate validity, which may lie far beyond what [`Timestamp`] can hold).
pub fn rfc3339_from_secs(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        y,
        m,
        d,
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    )
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.div_euclid(1_000_000_000);
        let micros = self.0.rem_euclid(1_000_000_000) / 1000;
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
            y,
            m,
            d,
            sod / 3600,
            (sod / 60) % 60,
            sod % 60,
            micros
        )
    }
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days` algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_rfc3339_with_micros() {
        assert_eq!(Timestamp(0).to_string(), "1970-01-01T00:00:00.000000Z");
        // 2024-02-29T23:59:59.123456Z (leap day)
        let t = Timestamp::from_secs_nanos(1_709_251_199, 123_456_789);
        assert_eq!(t.to_string(), "2024-02-29T23:59:59.123456Z");
        let t = Timestamp::from_secs_nanos(951_782_400, 0);
        assert_eq!(t.to_string(), "2000-02-29T00:00:00.000000Z");
        let t = Timestamp::from_secs_nanos(-1, 500_000_000);
        assert_eq!(t.to_string(), "1969-12-31T23:59:59.500000Z");
    }

    #[test]
    fn far_dates_in_seconds() {
        assert_eq!(rfc3339_from_secs(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_from_secs(253_402_300_799), "9999-12-31T23:59:59Z");
        assert_eq!(rfc3339_from_secs(-86_400), "1969-12-31T00:00:00Z");
    }

    #[test]
    fn ms_since_is_non_negative() {
        let a = Timestamp::from_secs_nanos(10, 0);
        let b = Timestamp::from_secs_nanos(10, 1_500_000);
        assert_eq!(b.ms_since(a), 1.5);
        assert_eq!(a.ms_since(b), 0.0);
    }
}
