//! The order lifecycle and the checks of a new order.
//!
//! ```text
//! new → confirmed → paid → picked → packed → shipped → delivered → closed
//!                 ╰──────(pay on delivery / deferred terms)──╯
//! cancelled ← new | confirmed | paid | picked | packed | shipped
//! ```
//!
//! Cash on delivery and deferred invoices skip `paid` before picking
//! (payment comes at delivery or later); self-pick-up goes from `packed`
//! straight to `delivered` (handed over at the counter). Every transition
//! names the customer notice it produces (003:170) and its stock and refund
//! effects; confirming an order that did not come in by a live call needs an
//! outbound confirmation call first (001:564: "обзвон и подтверждение новых
//! заказов") — on a call the operator reads the order back instead.

use serde::{Deserialize, Serialize};

use crate::catalogue::Catalogue;
use crate::Money;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    New,
    Confirmed,
    Paid,
    Picked,
    Packed,
    Shipped,
    Delivered,
    Closed,
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Confirmed => "confirmed",
            Status::Paid => "paid",
            Status::Picked => "picked",
            Status::Packed => "packed",
            Status::Shipped => "shipped",
            Status::Delivered => "delivered",
            Status::Closed => "closed",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::New,
            Status::Confirmed,
            Status::Paid,
            Status::Picked,
            Status::Packed,
            Status::Shipped,
            Status::Delivered,
            Status::Closed,
            Status::Cancelled,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// Where an order came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Taken by an operator during a live call: read back on the call.
    Call,
    Chat,
    Email,
    Messenger,
    WebForm,
    Api,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMethod {
    Courier,
    Post,
    PickupPoint,
    SelfPickup,
}

impl DeliveryMethod {
    /// Whether the method needs a delivery address.
    pub fn needs_address(self) -> bool {
        matches!(self, DeliveryMethod::Courier | DeliveryMethod::Post)
    }
    /// Whether the method needs a date/time slot.
    pub fn needs_slot(self) -> bool {
        matches!(self, DeliveryMethod::Courier)
    }
    /// Whether the method needs a pick-up point.
    pub fn needs_point(self) -> bool {
        matches!(self, DeliveryMethod::PickupPoint)
    }
    /// Whether shipping needs a tracking number.
    pub fn needs_tracking(self) -> bool {
        matches!(self, DeliveryMethod::Post | DeliveryMethod::PickupPoint)
    }
}

/// The price of a delivery method: a flat amount, free from a goods total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryTariff {
    pub method: DeliveryMethod,
    pub price: Money,
    /// Free when the goods total reaches this amount.
    pub free_from: Option<Money>,
}

/// The delivery cost for a method and goods total; `None` when the shop
/// has no tariff for the method (the method is not offered).
pub fn delivery_cost(tariffs: &[DeliveryTariff], method: DeliveryMethod, goods_total: Money) -> Option<Money> {
    let t = tariffs.iter().find(|t| t.method == method)?;
    Some(if t.free_from.is_some_and(|f| goods_total >= f) { 0 } else { t.price })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    CardLink,
    CashOnDelivery,
    BankTransfer,
}

/// When the money is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Terms {
    /// Before picking.
    Prepaid,
    /// At delivery (cash on delivery).
    OnDelivery,
    /// Invoice with deferred payment, `days` after delivery (uses credit).
    Deferred { days: u32 },
}

impl PaymentMethod {
    /// The terms a method allows: a card link is prepaid, cash on delivery
    /// is on delivery, a bank transfer is prepaid or deferred.
    pub fn allows(self, terms: Terms) -> bool {
        matches!(
            (self, terms),
            (PaymentMethod::CardLink, Terms::Prepaid)
                | (PaymentMethod::CashOnDelivery, Terms::OnDelivery)
                | (PaymentMethod::BankTransfer, Terms::Prepaid | Terms::Deferred { .. })
        )
    }
}

impl Terms {
    /// Whether the order uses the client's credit (for `credit::gate`).
    pub fn on_credit(self) -> bool {
        matches!(self, Terms::Deferred { .. })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelReason {
    Customer,
    Stock,
    DeliveryProblem,
}

/// An action on an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Confirm { call_done: bool },
    Pay { amount: Money },
    Pick,
    Pack,
    Ship { carrier: String, tracking: String },
    Deliver,
    Close,
    Cancel { reason: CancelReason },
}

/// What the order is, as far as the lifecycle cares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderState {
    pub status: Status,
    pub source: Source,
    pub delivery: DeliveryMethod,
    pub payment: PaymentMethod,
    pub terms: Terms,
    pub total: Money,
    /// Money received so far.
    pub paid: Money,
}

/// What happens to stock when a transition is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockEffect {
    None,
    /// Release the order's reservations.
    Release,
    /// Take the reserved goods off hand.
    Ship,
    /// Goods came back (cancelled after shipping): on hand again.
    Return,
}

/// The outcome of an allowed action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub from: Status,
    pub to: Status,
    /// The customer notice key (`order-confirmed`, …).
    pub notice: &'static str,
    pub stock: StockEffect,
    /// Money to give back (cancellation of a paid order).
    pub refund: Money,
    /// Money received with this action (payment, cash at delivery).
    pub received: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    #[error("an order that is {from} cannot be {action}")]
    NotAllowed { from: &'static str, action: &'static str },
    #[error("the order came in by {0:?}: make the confirmation call first")]
    ConfirmationCallNeeded(Source),
    #[error("payment of {got} does not match the order total {total}")]
    WrongAmount { got: Money, total: Money },
    #[error("{0} is required to ship")]
    ShippingField(&'static str),
    #[error("the order is not paid yet")]
    NotPaid,
}

/// Whether confirming an order from this source needs an outbound call.
pub fn needs_confirmation_call(source: Source) -> bool {
    source != Source::Call
}

/// The notice key for a new order.
pub const NOTICE_CREATED: &str = "order-created";

fn action_name(a: &Action) -> &'static str {
    match a {
        Action::Confirm { .. } => "confirmed",
        Action::Pay { .. } => "paid",
        Action::Pick => "picked",
        Action::Pack => "packed",
        Action::Ship { .. } => "shipped",
        Action::Deliver => "delivered",
        Action::Close => "closed",
        Action::Cancel { .. } => "cancelled",
    }
}

/// Checks an action against the order and says what it does; the caller
/// applies it (status, stock, refund record, notice, event) in one go.
pub fn apply(o: &OrderState, action: &Action) -> Result<Transition, LifecycleError> {
    use Status::*;
    let not_allowed = || LifecycleError::NotAllowed { from: o.status.as_str(), action: action_name(action) };
    let t = |to: Status, notice: &'static str, stock: StockEffect| Transition {
        from: o.status,
        to,
        notice,
        stock,
        refund: 0,
        received: 0,
    };
    match (o.status, action) {
        (New, Action::Confirm { call_done }) => {
            if needs_confirmation_call(o.source) && !call_done {
                return Err(LifecycleError::ConfirmationCallNeeded(o.source));
            }
            Ok(t(Confirmed, "order-confirmed", StockEffect::None))
        }
        (Confirmed, Action::Pay { amount }) if o.terms == Terms::Prepaid => {
            if *amount != o.total - o.paid {
                return Err(LifecycleError::WrongAmount { got: *amount, total: o.total });
            }
            Ok(Transition { received: *amount, ..t(Paid, "order-paid", StockEffect::None) })
        }
        (Paid, Action::Pick) => Ok(t(Picked, "order-picked", StockEffect::None)),
        (Confirmed, Action::Pick) if o.terms != Terms::Prepaid => Ok(t(Picked, "order-picked", StockEffect::None)),
        (Confirmed, Action::Pick) => Err(LifecycleError::NotPaid),
        (Picked, Action::Pack) => Ok(t(Packed, "order-packed", StockEffect::None)),
        (Packed, Action::Ship { carrier, tracking }) if o.delivery != DeliveryMethod::SelfPickup => {
            if carrier.trim().is_empty() {
                return Err(LifecycleError::ShippingField("carrier"));
            }
            if o.delivery.needs_tracking() && tracking.trim().is_empty() {
                return Err(LifecycleError::ShippingField("tracking number"));
            }
            Ok(t(Shipped, "order-shipped", StockEffect::Ship))
        }
        (Shipped, Action::Deliver) | (Packed, Action::Deliver) => {
            if o.status == Packed && o.delivery != DeliveryMethod::SelfPickup {
                return Err(not_allowed());
            }
            let stock = if o.status == Packed { StockEffect::Ship } else { StockEffect::None };
            let received = if o.terms == Terms::OnDelivery { o.total - o.paid } else { 0 };
            Ok(Transition { received, ..t(Delivered, "order-delivered", stock) })
        }
        (Delivered, Action::Close) => {
            if o.paid < o.total && !o.terms.on_credit() {
                return Err(LifecycleError::NotPaid);
            }
            Ok(t(Closed, "order-closed", StockEffect::None))
        }
        (New | Confirmed | Paid | Picked | Packed, Action::Cancel { .. }) => {
            Ok(Transition { refund: o.paid, ..t(Cancelled, "order-cancelled", StockEffect::Release) })
        }
        // Refused at the door or lost by the carrier: the goods come back.
        (Shipped, Action::Cancel { reason: CancelReason::Customer | CancelReason::DeliveryProblem }) => {
            Ok(Transition { refund: o.paid, ..t(Cancelled, "order-cancelled", StockEffect::Return) })
        }
        _ => Err(not_allowed()),
    }
}

// ------------------------------------------------------------ new orders

/// A receiver of the goods.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receiver {
    pub name: String,
    pub phone: String,
}

/// A new order as the desk, the API or the web form sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOrder {
    /// (SKU, quantity).
    pub lines: Vec<(String, i64)>,
    pub receiver: Receiver,
    pub delivery: DeliveryMethod,
    pub address: String,
    pub pickup_point: String,
    /// Delivery slot, Unix seconds, half-open.
    pub slot: Option<(i64, i64)>,
    pub payment: PaymentMethod,
    pub terms: Terms,
}

/// A field-level error: `field` is a path such as `lines[2].qty`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
}

/// Largest quantity of one line.
pub const MAX_QTY: i64 = 1_000_000;

/// Every problem of a new order at once (an empty list = valid); `now` for
/// the slot. Line indexes are 0-based.
pub fn validate(o: &NewOrder, cat: &Catalogue, now: i64) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut err = |field: String, code: &'static str| errs.push(FieldError { field, code });
    if o.lines.is_empty() {
        err("lines".into(), "no-lines");
    }
    for (i, (sku, qty)) in o.lines.iter().enumerate() {
        if o.lines[..i].iter().any(|(s, _)| s == sku) {
            err(format!("lines[{i}].sku"), "duplicate-line");
        }
        match cat.item(sku) {
            None => err(format!("lines[{i}].sku"), "unknown-item"),
            Some(item) if !item.listed => err(format!("lines[{i}].sku"), "delisted"),
            Some(_) if cat.price(sku).is_none() => err(format!("lines[{i}].sku"), "no-price"),
            Some(_) => {
                if *qty <= 0 || *qty > MAX_QTY {
                    err(format!("lines[{i}].qty"), "bad-quantity");
                } else if cat.stock.available(sku) < *qty {
                    err(format!("lines[{i}].qty"), "out-of-stock");
                }
            }
        }
    }
    if o.receiver.name.trim().is_empty() {
        err("receiver.name".into(), "required");
    }
    if domain::customer::normalize_phone(&o.receiver.phone).is_err() {
        err("receiver.phone".into(), "invalid-phone");
    }
    if o.delivery.needs_address() && o.address.trim().is_empty() {
        err("address".into(), "required");
    }
    if o.delivery.needs_point() && o.pickup_point.trim().is_empty() {
        err("pickup_point".into(), "required");
    }
    match o.slot {
        None if o.delivery.needs_slot() => err("slot".into(), "required"),
        Some((from, until)) if until <= from => err("slot".into(), "bad-slot"),
        Some((from, _)) if from < now => err("slot".into(), "slot-in-past"),
        _ => {}
    }
    if !o.payment.allows(o.terms) {
        err("terms".into(), "terms-not-allowed");
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{import, ImportRules};

    fn order(source: Source, delivery: DeliveryMethod, payment: PaymentMethod, terms: Terms) -> OrderState {
        OrderState { status: Status::New, source, delivery, payment, terms, total: 10_000, paid: 0 }
    }

    fn run(mut o: OrderState, actions: &[Action]) -> Result<(OrderState, Vec<Transition>), LifecycleError> {
        let mut done = Vec::new();
        for a in actions {
            let t = apply(&o, a)?;
            o.status = t.to;
            o.paid += t.received - t.refund;
            done.push(t);
        }
        Ok((o, done))
    }

    fn ship() -> Action {
        Action::Ship { carrier: "Kazpost".into(), tracking: "RR123KZ".into() }
    }

    #[test]
    fn a_prepaid_courier_order_goes_the_whole_way_with_a_notice_each_step() {
        let o = order(Source::Call, DeliveryMethod::Courier, PaymentMethod::CardLink, Terms::Prepaid);
        let actions = [
            Action::Confirm { call_done: false },
            Action::Pay { amount: 10_000 },
            Action::Pick,
            Action::Pack,
            ship(),
            Action::Deliver,
            Action::Close,
        ];
        let (o, done) = run(o, &actions).unwrap();
        assert_eq!(o.status, Status::Closed);
        assert_eq!(
            done.iter().map(|t| t.notice).collect::<Vec<_>>(),
            vec![
                "order-confirmed",
                "order-paid",
                "order-picked",
                "order-packed",
                "order-shipped",
                "order-delivered",
                "order-closed"
            ]
        );
        assert_eq!(done[4].stock, StockEffect::Ship);
    }

    #[test]
    fn orders_not_taken_on_a_call_need_the_confirmation_call() {
        for s in [Source::WebForm, Source::Api, Source::Chat, Source::Email, Source::Messenger] {
            let o = order(s, DeliveryMethod::Post, PaymentMethod::CardLink, Terms::Prepaid);
            assert_eq!(
                apply(&o, &Action::Confirm { call_done: false }),
                Err(LifecycleError::ConfirmationCallNeeded(s))
            );
            assert!(apply(&o, &Action::Confirm { call_done: true }).is_ok());
        }
        assert!(!needs_confirmation_call(Source::Call));
    }

    #[test]
    fn cash_on_delivery_is_paid_at_the_door_and_prepaid_cannot_skip_payment() {
        let o = order(Source::Call, DeliveryMethod::Courier, PaymentMethod::CashOnDelivery, Terms::OnDelivery);
        let (o, done) = run(
            o,
            &[Action::Confirm { call_done: false }, Action::Pick, Action::Pack, ship(), Action::Deliver, Action::Close],
        )
        .unwrap();
        assert_eq!((o.status, o.paid, done[4].received), (Status::Closed, 10_000, 10_000));
        let o = order(Source::Call, DeliveryMethod::Courier, PaymentMethod::CardLink, Terms::Prepaid);
        assert_eq!(
            run(o.clone(), &[Action::Confirm { call_done: false }, Action::Pick]).unwrap_err(),
            LifecycleError::NotPaid
        );
        assert!(matches!(
            run(o, &[Action::Confirm { call_done: false }, Action::Pay { amount: 9_999 }]),
            Err(LifecycleError::WrongAmount { got: 9_999, .. })
        ));
    }

    #[test]
    fn shipping_needs_a_carrier_and_for_post_a_tracking_number_self_pickup_is_handed_over() {
        let mut o = order(Source::Call, DeliveryMethod::Post, PaymentMethod::CardLink, Terms::Prepaid);
        o.status = Status::Packed;
        assert_eq!(
            apply(&o, &Action::Ship { carrier: " ".into(), tracking: "x".into() }),
            Err(LifecycleError::ShippingField("carrier"))
        );
        assert_eq!(
            apply(&o, &Action::Ship { carrier: "Kazpost".into(), tracking: "".into() }),
            Err(LifecycleError::ShippingField("tracking number"))
        );
        assert!(matches!(apply(&o, &Action::Deliver), Err(LifecycleError::NotAllowed { .. })));
        o.delivery = DeliveryMethod::SelfPickup;
        assert!(matches!(apply(&o, &ship()), Err(LifecycleError::NotAllowed { .. })));
        assert_eq!(apply(&o, &Action::Deliver).unwrap().stock, StockEffect::Ship);
    }

    #[test]
    fn cancellation_refunds_what_was_paid_from_the_allowed_states() {
        let mut o = order(Source::Call, DeliveryMethod::Courier, PaymentMethod::CardLink, Terms::Prepaid);
        o.status = Status::Paid;
        o.paid = 10_000;
        let t = apply(&o, &Action::Cancel { reason: CancelReason::Stock }).unwrap();
        assert_eq!(
            (t.to, t.refund, t.stock, t.notice),
            (Status::Cancelled, 10_000, StockEffect::Release, "order-cancelled")
        );
        o.status = Status::Shipped;
        assert!(
            apply(&o, &Action::Cancel { reason: CancelReason::Stock }).is_err(),
            "shipped goods are not a stock problem"
        );
        assert_eq!(
            apply(&o, &Action::Cancel { reason: CancelReason::DeliveryProblem }).unwrap().stock,
            StockEffect::Return
        );
        for s in [Status::Delivered, Status::Closed, Status::Cancelled] {
            o.status = s;
            assert!(apply(&o, &Action::Cancel { reason: CancelReason::Customer }).is_err(), "{s:?}");
        }
        o.status = Status::New;
        o.paid = 0;
        assert_eq!(apply(&o, &Action::Cancel { reason: CancelReason::Customer }).unwrap().refund, 0);
    }

    #[test]
    fn deferred_terms_close_unpaid_and_statuses_round_trip() {
        let o = order(Source::Call, DeliveryMethod::Courier, PaymentMethod::BankTransfer, Terms::Deferred { days: 14 });
        let (o, _) = run(
            o,
            &[Action::Confirm { call_done: false }, Action::Pick, Action::Pack, ship(), Action::Deliver, Action::Close],
        )
        .unwrap();
        assert_eq!((o.status, o.paid), (Status::Closed, 0));
        for s in ["new", "confirmed", "paid", "picked", "packed", "shipped", "delivered", "closed", "cancelled"] {
            assert_eq!(Status::parse(s).map(Status::as_str), Some(s));
        }
        assert!(!PaymentMethod::CardLink.allows(Terms::Deferred { days: 1 }));
    }

    #[test]
    fn delivery_costs_by_method_and_free_threshold() {
        let tariffs = [
            DeliveryTariff { method: DeliveryMethod::Courier, price: 150_000, free_from: Some(3_000_000) },
            DeliveryTariff { method: DeliveryMethod::SelfPickup, price: 0, free_from: None },
        ];
        assert_eq!(delivery_cost(&tariffs, DeliveryMethod::Courier, 2_999_999), Some(150_000));
        assert_eq!(delivery_cost(&tariffs, DeliveryMethod::Courier, 3_000_000), Some(0));
        assert_eq!(delivery_cost(&tariffs, DeliveryMethod::SelfPickup, 1), Some(0));
        assert_eq!(delivery_cost(&tariffs, DeliveryMethod::Post, 1), None);
    }

    #[test]
    fn a_new_order_is_checked_field_by_field() {
        let cat =
            import(b"sku,name_ru,price_retail,stock,listed\nA,a,1,main:5,\nB,b,1,main:5,no\n", &ImportRules::default())
                .unwrap()
                .unwrap()
                .catalogue;
        let mut o = NewOrder {
            lines: vec![("A".into(), 5)],
            receiver: Receiver { name: "Айгүл".into(), phone: "+7 701 123 45 67".into() },
            delivery: DeliveryMethod::Courier,
            address: "Алматы, Абая 1".into(),
            pickup_point: String::new(),
            slot: Some((2_000, 5_600)),
            payment: PaymentMethod::CashOnDelivery,
            terms: Terms::OnDelivery,
        };
        assert_eq!(validate(&o, &cat, 1_000), vec![]);
        o.lines = vec![("A".into(), 6), ("B".into(), 1), ("Z".into(), 1), ("A".into(), 0)];
        o.receiver = Receiver { name: " ".into(), phone: "12".into() };
        o.address.clear();
        o.slot = Some((500, 900));
        o.terms = Terms::Prepaid;
        let got: Vec<(String, &str)> = validate(&o, &cat, 1_000).into_iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(
            got,
            vec![
                ("lines[0].qty".into(), "out-of-stock"),
                ("lines[1].sku".into(), "delisted"),
                ("lines[2].sku".into(), "unknown-item"),
                ("lines[3].sku".into(), "duplicate-line"),
                ("lines[3].qty".into(), "bad-quantity"),
                ("receiver.name".into(), "required"),
                ("receiver.phone".into(), "invalid-phone"),
                ("address".into(), "required"),
                ("slot".into(), "slot-in-past"),
                ("terms".into(), "terms-not-allowed"),
            ]
        );
        o.lines.clear();
        o.delivery = DeliveryMethod::PickupPoint;
        o.slot = None;
        let codes: Vec<(String, &str)> = validate(&o, &cat, 0).into_iter().map(|e| (e.field, e.code)).collect();
        assert!(codes.contains(&("lines".into(), "no-lines")));
        assert!(codes.contains(&("pickup_point".into(), "required")));
        assert!(!codes.iter().any(|(f, _)| f == "address" || f == "slot"));
    }
}
