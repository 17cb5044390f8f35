//! Money as integer minor units and the one rounding rule of the crate.
//!
//! `Money` is an `i64` count of tiyn (KZT) or kopecks (RUB): 1 234,50 ₸ is
//! `123_450`. There are no floats for money anywhere in the crate; a ratio
//! is applied with [`mul_div_half_up`], which rounds half away from zero
//! (half-up for the non-negative amounts the desk prices).

/// An amount in minor units (1/100 of the currency unit).
pub type Money = i64;

/// Basis points: 1/100 of a percent (`1200` = 12 %).
pub type Bp = u32;

/// `value × num / den` rounded half away from zero, computed in 128 bits so
/// it cannot overflow for any `i64` amount times a rate. `den` must not be 0
/// (callers pass constants or checked values); 0 is returned if it is.
pub fn mul_div_half_up(value: i64, num: i64, den: i64) -> i64 {
    if den == 0 {
        return 0;
    }
    let p = value as i128 * num as i128;
    let d = den as i128;
    let q = p / d;
    let r = p % d;
    let rounded = if 2 * r.abs() >= d.abs() { q + p.signum() * d.signum() } else { q };
    rounded.clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

/// `amount × bp / 10 000`, half-up: a percentage of an amount.
pub fn percent_of(amount: Money, bp: Bp) -> Money {
    mul_div_half_up(amount, bp as i64, 10_000)
}

/// The VAT contained in a VAT-inclusive `gross` amount at `rate` basis
/// points: `gross × rate / (10 000 + rate)`, half-up.
pub fn vat_included(gross: Money, rate: Bp) -> Money {
    mul_div_half_up(gross, rate as i64, 10_000 + rate as i64)
}

/// Reads a decimal amount typed by a person or found in a file: `1234`,
/// `1234.5`, `1234,50`, `1 234,50` (spaces, incl. no-break, as thousands
/// separators). At most two decimals; negative amounts are refused.
pub fn parse_amount(s: &str) -> Option<Money> {
    let t: String = s.trim().chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}')).collect();
    if t.is_empty() || t.starts_with('-') || t.starts_with('+') {
        return None;
    }
    let (whole, frac) = match t.find(['.', ',']) {
        Some(i) => (&t[..i], &t[i + 1..]),
        None => (t.as_str(), ""),
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 2 {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let w: i64 = whole.parse().ok()?;
    let f: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().ok()? };
    w.checked_mul(100)?.checked_add(f)
}

/// Writes minor units as `1234.50` (the format [`parse_amount`] reads).
pub fn format_amount(m: Money) -> String {
    let sign = if m < 0 { "-" } else { "" };
    let a = m.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_up() {
        assert_eq!(mul_div_half_up(5, 1, 2), 3); // 2.5 → 3
        assert_eq!(mul_div_half_up(7, 1, 2), 4); // 3.5 → 4
        assert_eq!(mul_div_half_up(4, 1, 3), 1); // 1.33 → 1
        assert_eq!(mul_div_half_up(5, 1, 3), 2); // 1.67 → 2
        assert_eq!(mul_div_half_up(-5, 1, 2), -3);
        assert_eq!(percent_of(12_345, 500), 617); // 617.25 → 617
        assert_eq!(percent_of(12_350, 500), 618); // 617.5 → 618
        assert_eq!(mul_div_half_up(1, 1, 0), 0);
    }

    #[test]
    fn vat_inside_a_gross_amount() {
        // 11 200 gross at 12 %: 11 200 × 12 / 112 = 1 200 exactly.
        assert_eq!(vat_included(11_200, 1200), 1200);
        // 100 at 20 %: 100 × 20 / 120 = 16.67 → 17.
        assert_eq!(vat_included(100, 2000), 17);
        assert_eq!(vat_included(100, 0), 0);
    }

    #[test]
    fn amounts_parse_and_format() {
        assert_eq!(parse_amount("1234"), Some(123_400));
        assert_eq!(parse_amount("1234.5"), Some(123_450));
        assert_eq!(parse_amount("1 234,05"), Some(123_405));
        assert_eq!(parse_amount("0"), Some(0));
        for bad in ["", "-1", "1.234", "abc", "1.2.3", ",5", "1e3"] {
            assert_eq!(parse_amount(bad), None, "{bad}");
        }
        assert_eq!(format_amount(123_405), "1234.05");
        assert_eq!(format_amount(-5), "-0.05");
        assert_eq!(parse_amount(&format_amount(987_654_321)), Some(987_654_321));
    }
}
