//! Customers in the JSON API: the card (full personal data, audited), quick
//! search (masked), registration with identities, duplicates and merging,
//! the assigned manager and personal-data consent. Rules live in
//! `domain::customer`; data in `store::customers`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use domain::customer::{DuplicateReason, Identity, IdentityKind, SearchQuery};
use domain::masking::{mask_email, mask_name, mask_phone};
use domain::validate::Invalid;
use serde::{Deserialize, Serialize};
use store::{Customer, DuplicateCandidate, NewCustomer};
use utoipa::{IntoParams, ToSchema};

use crate::auth::SignedInUser;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::AppState;

/// Most identities one request may register.
pub const MAX_IDENTITIES: usize = 20;
/// Most matches a search returns.
pub const SEARCH_LIMIT: i64 = 50;

#[derive(Debug, Serialize, ToSchema)]
pub struct IdentityOut {
    pub kind: IdentityKind,
    /// Normalised: phones `+` and digits with the country code, e-mails lower case.
    pub value: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ManagerOut {
    pub id: i64,
    pub name: String,
}

/// A customer's card with personal data in full.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerOut {
    pub id: i64,
    pub full_name: String,
    /// The main phone.
    pub phone: String,
    /// The main e-mail.
    pub email: String,
    /// retail, key, regional, new, marketer, own_outlet.
    pub client_type: String,
    pub locale: String,
    pub identities: Vec<IdentityOut>,
    /// The assigned manager.
    pub manager: Option<ManagerOut>,
    /// Consent to the processing of personal data.
    pub consent: bool,
    /// When consent was last given or withdrawn (ms since the Unix epoch).
    pub consent_at: Option<i64>,
    /// Set when this customer was merged into another: the survivor's id.
    pub merged_into: Option<i64>,
}

/// A customer as lists show it: personal data masked.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerMatchOut {
    pub id: i64,
    pub full_name: String,
    pub phone: String,
    pub email: String,
    pub client_type: String,
}

impl From<&Customer> for CustomerMatchOut {
    fn from(c: &Customer) -> CustomerMatchOut {
        CustomerMatchOut {
            id: c.id,
            full_name: mask_name(&c.full_name),
            phone: mask_phone(&c.phone),
            email: mask_email(&c.email),
            client_type: c.client_type.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchOut {
    /// What the query was read as: phone, email, contact or name.
    pub matched_by: String,
    pub customers: Vec<CustomerMatchOut>,
}

/// A possible duplicate (masked).
#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateOut {
    pub customer: CustomerMatchOut,
    /// 0–100, higher is likelier.
    pub score: u32,
    pub reasons: Vec<DuplicateReason>,
}

impl From<&DuplicateCandidate> for DuplicateOut {
    fn from(d: &DuplicateCandidate) -> DuplicateOut {
        DuplicateOut { customer: (&d.customer).into(), score: d.score, reasons: d.reasons.clone() }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// A phone in any format, an e-mail, part of a name, or a contact's number (`№ 123`).
    pub q: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityIn {
    pub kind: IdentityKind,
    /// As typed; normalised before storing.
    pub value: String,
}

/// A customer to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCustomerIn {
    pub full_name: String,
    /// Default `new`.
    pub client_type: Option<String>,
    /// `ru` (default), `kk` or `en`.
    pub locale: Option<String>,
    /// At least one phone, e-mail or chat handle.
    pub identities: Vec<IdentityIn>,
    /// Consent to the processing of personal data given now (default no).
    #[serde(default)]
    pub consent: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedOut {
    pub customer: CustomerOut,
    /// Customers already sharing an identity with the new one (masked).
    pub duplicates: Vec<DuplicateOut>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeIn {
    /// The customer merged into the one in the path; it stops being listed.
    pub duplicate_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MergeOut {
    pub survivor: i64,
    pub duplicate: i64,
    pub identities_moved: i64,
    pub contacts_moved: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ManagerIn {
    /// A user holding store manager, senior operator, supervisor or head of centre; `null` clears.
    #[serde(default)]
    pub manager_id: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentIn {
    pub consent: bool,
}

/// The full card of a customer (identities and manager name loaded).
pub async fn card(st: &AppState, c: Customer) -> Result<CustomerOut, ApiError> {
    let identities = st
        .store
        .customer_identities(c.id)
        .await?
        .into_iter()
        .map(|i| IdentityOut { kind: i.kind, value: i.value })
        .collect();
    let manager = match c.manager_id {
        Some(m) => st.store.user_by_id(m).await?.map(|u| ManagerOut { id: u.id, name: u.name }),
        None => None,
    };
    Ok(CustomerOut {
        id: c.id,
        full_name: c.full_name,
        phone: c.phone,
        email: c.email,
        client_type: c.client_type,
        locale: c.locale,
        identities,
        manager,
        consent: c.consent,
        consent_at: c.consent_at,
        merged_into: c.merged_into,
    })
}

/// A customer's card with personal data in full; every call is audited.
#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers",
    params(("id" = i64, Path, description = "Customer id")),
    responses((status = 200, body = CustomerOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn customer(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
) -> Result<Json<CustomerOut>, ApiError> {
    let c = st.store.customer(id).await?.ok_or_else(|| ApiError::not_found("customer"))?;
    st.store.audit(&caller.actor(), "customer.view", &format!("customer:{id}"), "api").await?;
    Ok(Json(card(&st, c).await?))
}

/// Quick search by phone (any format), e-mail, part of the name (any case)
/// or a contact's number; results are masked (open the card to see more).
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", params(SearchParams),
    responses((status = 200, body = SearchOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn search(State(st): State<AppState>, Query(p): Query<SearchParams>) -> Result<Json<SearchOut>, ApiError> {
    let query = SearchQuery::parse(p.q.as_deref().unwrap_or(""))?;
    let found = st.store.search_customers(&query, SEARCH_LIMIT).await?;
    Ok(Json(SearchOut { matched_by: query.key().to_string(), customers: found.iter().map(Into::into).collect() }))
}

/// Checks a new customer at the edge and normalises its identities.
pub fn validate_new(input: NewCustomerIn) -> Result<(NewCustomer, Vec<Identity>), Invalid> {
    domain::validate::display_name(&input.full_name)?;
    let client_type = input.client_type.unwrap_or_else(|| "new".into());
    domain::customer::client_type(&client_type)?;
    let locale = input.locale.unwrap_or_else(|| "ru".into());
    domain::validate::locale(&locale)?;
    if input.identities.is_empty() || input.identities.len() > MAX_IDENTITIES {
        return Err(Invalid { field: "identities", code: "identity-required" });
    }
    let identities =
        input.identities.iter().map(|i| Identity::new(i.kind, &i.value)).collect::<Result<Vec<_>, Invalid>>()?;
    let now = store::now_ms();
    let new = NewCustomer {
        full_name: input.full_name.trim().to_string(),
        phone: String::new(),
        email: String::new(),
        client_type,
        locale,
        created_at: now,
        consent_at: input.consent.then_some(now),
    };
    Ok((new, identities))
}

/// Registers a customer with identities. A customer sharing an identity with
/// an existing one is still created; the response lists those candidates.
#[utoipa::path(post, path = "/api/v1/customers", tag = "customers", request_body = NewCustomerIn,
    responses((status = 201, body = CreatedOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    ApiJson(input): ApiJson<NewCustomerIn>,
) -> Result<(StatusCode, Json<CreatedOut>), ApiError> {
    let (new, identities) = validate_new(input)?;
    let id = st.store.register_customer(&new, &identities, &caller.actor()).await?;
    let c = st.store.customer(id).await?.ok_or_else(|| ApiError::not_found("customer"))?;
    let duplicates = st.store.customer_duplicates(id).await?.iter().map(Into::into).collect();
    Ok((StatusCode::CREATED, Json(CreatedOut { customer: card(&st, c).await?, duplicates })))
}

/// Customers that look like the same person (masked), likeliest first.
#[utoipa::path(get, path = "/api/v1/customers/{id}/duplicates", tag = "customers",
    params(("id" = i64, Path, description = "Customer id")),
    responses((status = 200, body = Vec<DuplicateOut>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn duplicates(State(st): State<AppState>, Path(id): Path<i64>) -> Result<Json<Vec<DuplicateOut>>, ApiError> {
    Ok(Json(st.store.customer_duplicates(id).await?.iter().map(Into::into).collect()))
}

/// Merges `duplicate_id` into this customer: identities and contacts move
/// here, the duplicate is marked merged; one transaction, audited. Merging
/// into itself or a merged customer is refused with 422 and changes nothing.
#[utoipa::path(post, path = "/api/v1/customers/{id}/merge", tag = "customers", request_body = MergeIn,
    params(("id" = i64, Path, description = "The surviving customer")),
    responses((status = 200, body = MergeOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn merge(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<MergeIn>,
) -> Result<Json<MergeOut>, ApiError> {
    let o = st.store.merge_customers(id, input.duplicate_id, &caller.actor()).await?;
    Ok(Json(MergeOut {
        survivor: o.survivor,
        duplicate: o.duplicate,
        identities_moved: o.identities_moved,
        contacts_moved: o.contacts_moved,
    }))
}

/// Assigns (or clears) the customer's manager; audited.
#[utoipa::path(put, path = "/api/v1/customers/{id}/manager", tag = "customers", request_body = ManagerIn,
    params(("id" = i64, Path, description = "Customer id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn set_manager(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ManagerIn>,
) -> Result<StatusCode, ApiError> {
    st.store.set_customer_manager(id, input.manager_id, &caller.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records the customer's consent to personal-data processing (given or
/// withdrawn now); audited.
#[utoipa::path(put, path = "/api/v1/customers/{id}/consent", tag = "customers", request_body = ConsentIn,
    params(("id" = i64, Path, description = "Customer id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn set_consent(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ConsentIn>,
) -> Result<StatusCode, ApiError> {
    st.store.set_customer_consent(id, input.consent, store::now_ms(), &caller.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}
