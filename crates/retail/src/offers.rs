//! Offer prompts (004:229): while taking an order the operator draws the
//! client's attention to new items, to the special positions the commercial
//! department names, and to the items usual for this client type, and never
//! closes an order without offering three or four items beyond it. The
//! threshold is a setting ([`OfferSettings`], default 3).

use serde::{Deserialize, Serialize};

use crate::catalogue::Catalogue;

/// Why an item is suggested, in the order suggestions are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    /// A special position named by the commercial department.
    Special,
    /// New in the assortment.
    New,
    /// Usual for the client's type.
    Usual,
    /// Goes with something in the basket.
    Complement,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub sku: String,
    pub why: Why,
}

/// What the desk knows when suggesting.
#[derive(Debug, Clone, Copy, Default)]
pub struct OfferInput<'a> {
    pub special: &'a [String],
    pub new_items: &'a [String],
    /// The client type's usual items, most usual first.
    pub usual: &'a [String],
    pub basket: &'a [String],
    pub already_offered: &'a [String],
}

/// Up to `n` suggestions: special, then new, then usual items, then
/// complements of basket items; each SKU once; never an item already in the
/// basket or already offered, delisted, or out of stock.
pub fn suggest(cat: &Catalogue, input: &OfferInput<'_>, n: usize) -> Vec<Suggestion> {
    let complements: Vec<String> =
        input.basket.iter().filter_map(|s| cat.item(s)).flat_map(|i| i.complements.iter().cloned()).collect();
    let sources: [(&[String], Why); 4] = [
        (input.special, Why::Special),
        (input.new_items, Why::New),
        (input.usual, Why::Usual),
        (&complements, Why::Complement),
    ];
    let mut out: Vec<Suggestion> = Vec::with_capacity(n);
    for (skus, why) in sources {
        for sku in skus {
            if out.len() >= n {
                return out;
            }
            let offerable = cat.item(sku).is_some_and(|i| i.listed) && cat.stock.available(sku) > 0;
            if offerable
                && !input.basket.contains(sku)
                && !input.already_offered.contains(sku)
                && !out.iter().any(|s| s.sku == *sku)
            {
                out.push(Suggestion { sku: sku.clone(), why });
            }
        }
    }
    out
}

/// The offer setting: how many extra items must be offered before an
/// order may be closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferSettings {
    pub threshold: usize,
}

impl Default for OfferSettings {
    fn default() -> OfferSettings {
        OfferSettings { threshold: 3 }
    }
}

/// Items offered during one order, each once, with whether it was taken.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferLog {
    offered: Vec<(String, bool)>,
}

impl OfferLog {
    /// Records that `sku` was offered (again: no change).
    pub fn offered(&mut self, sku: &str) {
        if !self.offered.iter().any(|(s, _)| s == sku) {
            self.offered.push((sku.to_string(), false));
        }
    }

    /// Records that the client took an offered item (offered if not yet).
    pub fn accepted(&mut self, sku: &str) {
        self.offered(sku);
        if let Some(e) = self.offered.iter_mut().find(|(s, _)| s == sku) {
            e.1 = true;
        }
    }

    pub fn count(&self) -> usize {
        self.offered.len()
    }

    pub fn skus(&self) -> Vec<String> {
        self.offered.iter().map(|(s, _)| s.clone()).collect()
    }

    pub fn accepted_count(&self) -> usize {
        self.offered.iter().filter(|(_, a)| *a).count()
    }

    /// Whether enough distinct items were offered to close the order.
    pub fn enough_offered(&self, threshold: usize) -> bool {
        self.count() >= threshold
    }
}

/// In-stock, listed alternatives for an item (from its `alternatives`, in
/// their order); empty when the item is unknown.
pub fn alternatives(cat: &Catalogue, sku: &str) -> Vec<String> {
    cat.item(sku)
        .map(|i| {
            i.alternatives
                .iter()
                .filter(|a| cat.item(a).is_some_and(|x| x.listed) && cat.stock.available(a) > 0)
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{import, ImportRules};

    fn cat() -> Catalogue {
        let csv = "sku,name_ru,price_retail,stock,listed,alternatives,complements
A,a,1,main:5,,B;C;D,E;F
B,b,1,main:0,,,
C,c,1,main:2,,,
D,d,1,main:2,no,,
E,e,1,main:1,,,
F,f,1,main:1,,,
N,n,1,main:1,,,
S,s,1,main:1,,,
U,u,1,main:1,,,
";
        import(csv.as_bytes(), &ImportRules::default()).unwrap().unwrap().catalogue
    }

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn suggestions_follow_the_order_and_skip_what_cannot_be_offered() {
        let c = cat();
        let (special, new, usual, basket) = (v(&["S", "B", "D"]), v(&["N", "S"]), v(&["U", "A"]), v(&["A"]));
        let input =
            OfferInput { special: &special, new_items: &new, usual: &usual, basket: &basket, already_offered: &[] };
        let got: Vec<(String, Why)> = suggest(&c, &input, 10).into_iter().map(|s| (s.sku, s.why)).collect();
        // B is out of stock, D delisted, A in the basket, S only once.
        assert_eq!(
            got,
            vec![
                ("S".into(), Why::Special),
                ("N".into(), Why::New),
                ("U".into(), Why::Usual),
                ("E".into(), Why::Complement),
                ("F".into(), Why::Complement)
            ]
        );
        let offered = v(&["S", "E"]);
        let input = OfferInput { already_offered: &offered, ..input };
        assert_eq!(suggest(&c, &input, 2).iter().map(|s| s.sku.as_str()).collect::<Vec<_>>(), vec!["N", "U"]);
    }

    #[test]
    fn the_log_counts_distinct_offers_against_the_threshold() {
        let mut log = OfferLog::default();
        let t = OfferSettings::default().threshold;
        log.offered("S");
        log.offered("S");
        log.offered("N");
        assert!(!log.enough_offered(t));
        log.accepted("U");
        assert!(log.enough_offered(t));
        assert_eq!((log.count(), log.accepted_count()), (3, 1));
        assert!(!log.enough_offered(4));
    }

    #[test]
    fn alternatives_are_listed_and_in_stock() {
        assert_eq!(alternatives(&cat(), "A"), v(&["C"]));
        assert!(alternatives(&cat(), "nope").is_empty());
    }
}
