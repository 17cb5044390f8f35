//! The seller's legal details printed on every document, and their checks.
//!
//! Kazakhstan (`KZ`): BIN/IIN — 12 digits with the check digit of the
//! national identification number rules (weights 1…11, then 3…11,1,2 when
//! the first sum gives 10); IIK — a KZ IBAN (20 characters, ISO 13616
//! mod-97); BIK — the bank's SWIFT-style code (`XXXXKZXX`); KBe — the
//! beneficiary code, two digits (residency 1/2, economic sector 1–9).
//! Russia (`RU`): INN — 10 digits (organisation) or 12 (entrepreneur) with
//! the FNS check digits; KPP — 9 characters; BIK — 9 digits (`04…`);
//! settlement and correspondent accounts — 20 digits with the Bank of
//! Russia control key against the BIK.

use serde::{Deserialize, Serialize};

use crate::Currency;

/// The seller as documents show it. `jurisdiction` decides which fields
/// apply and the currency (`KZ` → tenge, `RU` → roubles).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Seller {
    /// `KZ` or `RU`.
    pub jurisdiction: String,
    /// Legal name, e.g. `ТОО «Жетісу Азық»`.
    pub name: String,
    /// BIN/IIN (KZ) or INN (RU).
    pub tax_id: String,
    /// KPP (RU only).
    pub kpp: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub bank_name: String,
    /// IIK (KZ IBAN) or the settlement account (RU).
    pub account: String,
    pub bik: String,
    /// Correspondent account (RU only).
    pub corr_account: String,
    /// Beneficiary code (KZ only).
    pub kbe: String,
    /// VAT registration (KZ: the certificate's series and number; RU: any
    /// note); empty when the seller is not a VAT payer ("без НДС").
    pub vat_registration: String,
    pub director: String,
    pub accountant: String,
    /// How many days an invoice for prepayment is valid.
    pub invoice_valid_days: u32,
}

impl Default for Seller {
    fn default() -> Self {
        Seller {
            jurisdiction: "KZ".into(),
            name: String::new(),
            tax_id: String::new(),
            kpp: String::new(),
            address: String::new(),
            phone: String::new(),
            email: String::new(),
            bank_name: String::new(),
            account: String::new(),
            bik: String::new(),
            corr_account: String::new(),
            kbe: String::new(),
            vat_registration: String::new(),
            director: String::new(),
            accountant: String::new(),
            invoice_valid_days: 3,
        }
    }
}

/// Which field is wrong and why (`code` is a message key `seller-invalid-…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SellerError {
    pub field: &'static str,
    pub code: &'static str,
}

const MAX_TEXT: usize = 300;

fn err(field: &'static str, code: &'static str) -> SellerError {
    SellerError { field, code }
}

impl Seller {
    pub fn currency(&self) -> Currency {
        if self.jurisdiction == "RU" {
            Currency::Rub
        } else {
            Currency::Kzt
        }
    }

    pub fn vat_payer(&self) -> bool {
        !self.vat_registration.trim().is_empty()
    }

    /// Whether the details were ever filled in (documents say so when not).
    pub fn is_set(&self) -> bool {
        !self.name.trim().is_empty()
    }

    /// The same details with surrounding spaces trimmed and codes upper-cased
    /// and without inner spaces (as people paste them).
    pub fn normalized(&self) -> Seller {
        let code = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        Seller {
            jurisdiction: code(&self.jurisdiction),
            name: self.name.trim().into(),
            tax_id: code(&self.tax_id),
            kpp: code(&self.kpp),
            address: self.address.trim().into(),
            phone: self.phone.trim().into(),
            email: self.email.trim().into(),
            bank_name: self.bank_name.trim().into(),
            account: code(&self.account),
            bik: code(&self.bik),
            corr_account: code(&self.corr_account),
            kbe: code(&self.kbe),
            vat_registration: self.vat_registration.trim().into(),
            director: self.director.trim().into(),
            accountant: self.accountant.trim().into(),
            invoice_valid_days: self.invoice_valid_days,
        }
    }

    /// Checks normalized details; the first problem found.
    pub fn validate(&self) -> Result<(), SellerError> {
        let texts = [
            ("name", &self.name),
            ("address", &self.address),
            ("phone", &self.phone),
            ("email", &self.email),
            ("bank_name", &self.bank_name),
            ("vat_registration", &self.vat_registration),
            ("director", &self.director),
            ("accountant", &self.accountant),
        ];
        for (field, v) in texts {
            if v.chars().count() > MAX_TEXT || v.chars().any(char::is_control) {
                return Err(err(field, "seller-invalid-text"));
            }
        }
        for (field, v) in [("name", &self.name), ("address", &self.address), ("director", &self.director)] {
            if v.trim().is_empty() {
                return Err(err(field, "seller-invalid-required"));
            }
        }
        if !(1..=90).contains(&self.invoice_valid_days) {
            return Err(err("invoice_valid_days", "seller-invalid-days"));
        }
        match self.jurisdiction.as_str() {
            "KZ" => {
                if !bin_valid(&self.tax_id) {
                    return Err(err("tax_id", "seller-invalid-bin"));
                }
                if !kz_iban_valid(&self.account) {
                    return Err(err("account", "seller-invalid-iik"));
                }
                if !kz_bik_valid(&self.bik) {
                    return Err(err("bik", "seller-invalid-bik"));
                }
                if !kbe_valid(&self.kbe) {
                    return Err(err("kbe", "seller-invalid-kbe"));
                }
                if self.bank_name.is_empty() {
                    return Err(err("bank_name", "seller-invalid-required"));
                }
                Ok(())
            }
            "RU" => {
                if !inn_valid(&self.tax_id) {
                    return Err(err("tax_id", "seller-invalid-inn"));
                }
                // An entrepreneur (12-digit INN) has no KPP.
                let no_kpp = self.kpp.is_empty() && self.tax_id.len() == 12;
                if !no_kpp && !kpp_valid(&self.kpp) {
                    return Err(err("kpp", "seller-invalid-kpp"));
                }
                if !ru_bik_valid(&self.bik) {
                    return Err(err("bik", "seller-invalid-bik"));
                }
                if !ru_account_valid(&self.account, &self.bik) {
                    return Err(err("account", "seller-invalid-account"));
                }
                if !self.corr_account.is_empty() && !ru_corr_account_valid(&self.corr_account, &self.bik) {
                    return Err(err("corr_account", "seller-invalid-account"));
                }
                if self.bank_name.is_empty() {
                    return Err(err("bank_name", "seller-invalid-required"));
                }
                Ok(())
            }
            _ => Err(err("jurisdiction", "seller-invalid-jurisdiction")),
        }
    }
}

fn digits(s: &str) -> Option<Vec<u32>> {
    s.chars().map(|c| c.to_digit(10)).collect()
}

/// A Kazakh BIN or IIN: 12 digits, the last a check digit.
pub fn bin_valid(s: &str) -> bool {
    let Some(d) = digits(s) else { return false };
    if d.len() != 12 {
        return false;
    }
    let sum = |w: &dyn Fn(usize) -> u32| (0..11).map(|i| d[i] * w(i)).sum::<u32>() % 11;
    let mut check = sum(&|i| i as u32 + 1);
    if check == 10 {
        check = sum(&|i| ((i + 2) % 11) as u32 + 1);
        if check == 10 {
            return false;
        }
    }
    check == d[11]
}

/// ISO 13616 mod-97 over an IBAN (already without spaces, upper case).
fn iban_mod97(s: &str) -> bool {
    if s.len() < 5 || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    let (head, tail) = s.split_at(4);
    let mut rem: u32 = 0;
    for c in tail.chars().chain(head.chars()) {
        let v = match c.to_digit(36) {
            Some(v) => v,
            None => return false,
        };
        rem = if v >= 10 { (rem * 100 + v) % 97 } else { (rem * 10 + v) % 97 };
    }
    rem == 1
}

/// A Kazakh IIK: `KZ`, 2 check digits, a 3-digit bank code, 13 characters.
pub fn kz_iban_valid(s: &str) -> bool {
    s.len() == 20
        && s.starts_with("KZ")
        && s[2..7].bytes().all(|b| b.is_ascii_digit())
        && s[7..].bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        && iban_mod97(s)
}

/// A Kazakh bank's BIK: its SWIFT-style code `XXXXKZXX` (or with a branch).
pub fn kz_bik_valid(s: &str) -> bool {
    (s.len() == 8 || s.len() == 11)
        && s[..4].bytes().all(|b| b.is_ascii_uppercase())
        && &s[4..6] == "KZ"
        && s[6..].bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// A beneficiary code: residency (1 resident, 2 non-resident) and sector 1–9.
pub fn kbe_valid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 2 && (b[0] == b'1' || b[0] == b'2') && (b'1'..=b'9').contains(&b[1])
}

fn weighted(d: &[u32], w: &[u32]) -> u32 {
    d.iter().zip(w).map(|(a, b)| a * b).sum::<u32>() % 11 % 10
}

/// A Russian INN: 10 digits (organisation) or 12 (person), with check digits.
pub fn inn_valid(s: &str) -> bool {
    let Some(d) = digits(s) else { return false };
    match d.len() {
        10 => weighted(&d, &[2, 4, 10, 3, 5, 9, 4, 6, 8]) == d[9],
        12 => {
            weighted(&d, &[7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == d[10]
                && weighted(&d, &[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == d[11]
        }
        _ => false,
    }
}

/// A KPP: 4 digits (tax office), 2 digits or letters (reason), 3 digits.
pub fn kpp_valid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 9
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4..6].iter().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        && b[6..].iter().all(u8::is_ascii_digit)
}

/// A Russian BIK: 9 digits starting with the country code 04.
pub fn ru_bik_valid(s: &str) -> bool {
    s.len() == 9 && s.starts_with("04") && s.bytes().all(|b| b.is_ascii_digit())
}

fn ru_key(prefix: &str, account: &str) -> bool {
    let Some(d) = digits(&format!("{prefix}{account}")) else { return false };
    const W: [u32; 3] = [7, 1, 3];
    d.len() == 23 && d.iter().enumerate().map(|(i, v)| v * W[i % 3]).sum::<u32>() % 10 == 0
}

/// A settlement account: 20 digits whose control key matches the bank's BIK.
pub fn ru_account_valid(account: &str, bik: &str) -> bool {
    account.len() == 20 && bik.len() == 9 && ru_key(&bik[6..], account)
}

/// A correspondent account: 20 digits (`301…`) checked with `0` + BIK digits 5–6.
pub fn ru_corr_account_valid(account: &str, bik: &str) -> bool {
    account.len() == 20 && bik.len() == 9 && ru_key(&format!("0{}", &bik[4..6]), account)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Details of a Kazakh seller that pass every check (a made-up BIN with
    /// its correct check digit, a KZ IBAN with correct mod-97 digits).
    pub fn kz() -> Seller {
        Seller {
            jurisdiction: "KZ".into(),
            name: "ТОО «Жетісу Азық»".into(),
            tax_id: "180340021791".into(),
            address: "Алматы, пр. Абая 10".into(),
            bank_name: "АО «Kaspi Bank»".into(),
            account: "KZ86125KZT5004100100".into(),
            bik: "CASPKZKA".into(),
            kbe: "17".into(),
            vat_registration: "60001 № 0123456".into(),
            director: "Сейітов А. Б.".into(),
            accountant: "Ахметова Г. Қ.".into(),
            ..Seller::default()
        }
    }

    #[test]
    fn kazakh_bin_check_digit() {
        assert!(bin_valid("180340021791"));
        assert!(!bin_valid("180340021792"), "wrong check digit");
        assert!(!bin_valid("18034002179"), "11 digits");
        assert!(!bin_valid("18034002179X"));
        // The first weighted sum of 00000000010 is 10, so the second weights
        // decide: 1 × 1 = 1.
        let valid: Vec<String> = (0..=9).map(|c| format!("00000000010{c}")).filter(|s| bin_valid(s)).collect();
        assert_eq!(valid, ["000000000101"]);
    }

    #[test]
    fn kazakh_iban_and_codes() {
        assert!(kz_iban_valid("KZ86125KZT5004100100"));
        assert!(!kz_iban_valid("KZ87125KZT5004100100"), "check digits");
        assert!(!kz_iban_valid("RU86125KZT5004100100"));
        assert!(!kz_iban_valid("KZ86125KZT500410010"), "19 characters");
        assert!(kz_bik_valid("CASPKZKA") && kz_bik_valid("HSBKKZKX"));
        assert!(!kz_bik_valid("CASPRUKA") && !kz_bik_valid("CASP"));
        assert!(kbe_valid("17") && kbe_valid("29"));
        assert!(!kbe_valid("30") && !kbe_valid("10") && !kbe_valid("1"));
    }

    #[test]
    fn russian_codes() {
        assert!(inn_valid("7707083893"), "Sberbank's INN");
        assert!(!inn_valid("7707083894"));
        assert!(inn_valid("500100732259"), "a person's INN");
        assert!(!inn_valid("500100732258"));
        assert!(kpp_valid("773601001") && !kpp_valid("77360100"));
        assert!(ru_bik_valid("044525225") && !ru_bik_valid("144525225"));
        assert!(ru_account_valid("40702810938000000001", "044525225"));
        assert!(!ru_account_valid("40702810838000000001", "044525225"));
        assert!(ru_corr_account_valid("30101810400000000225", "044525225"), "Sberbank's corr. account");
        assert!(!ru_corr_account_valid("30101810400000000226", "044525225"));
    }

    #[test]
    fn seller_validation_names_the_field() {
        let s = kz();
        assert_eq!(s.validate(), Ok(()));
        let mut bad = s.clone();
        bad.tax_id = "180340021790".into();
        assert_eq!(bad.validate().unwrap_err().field, "tax_id");
        let mut bad = s.clone();
        bad.account = "KZ00125KZT5004100100".into();
        assert_eq!(bad.validate().unwrap_err().code, "seller-invalid-iik");
        let mut bad = s.clone();
        bad.name = "  ".into();
        assert_eq!(
            bad.normalized().validate().unwrap_err(),
            SellerError { field: "name", code: "seller-invalid-required" }
        );
        let mut bad = s.clone();
        bad.jurisdiction = "US".into();
        assert_eq!(bad.validate().unwrap_err().field, "jurisdiction");
        let mut spaced = s.clone();
        spaced.account = "kz86 125K ZT50 0410 0100".into();
        assert_eq!(spaced.normalized().validate(), Ok(()), "spaces and case as pasted");
        assert_eq!(s.currency(), Currency::Kzt);
    }
}
