//! A Switchboard app on a fresh database with one user per role, driven
//! in-process through the real router (no network, real middleware).

#![allow(dead_code)]

pub mod mailbox;
pub mod order_fixture;
pub mod orders;

use axum::body::{to_bytes, Body};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use domain::Role;
use server::auth::{random_token, token_hash};
use server::password::{self, HashCost};
use server::{AppState, ServerConfig};
use store::{AuditActor, NewCustomer, NewUser, Store};
use tower::ServiceExt;

pub struct Account {
    pub id: i64,
    pub login: String,
    pub password: String,
    pub bearer: String,
}

pub struct TestApp {
    pub db: testkit::TestDb,
    pub state: AppState,
    pub router: Router,
    /// One account per role, in `Role::ALL` order.
    pub accounts: Vec<(Role, Account)>,
    /// A user no test signs in as: the target of `{id}` in paths.
    pub target_user: i64,
    pub customer: i64,
    pub queue: i64,
    /// The topic `delivery` (Доставка), which `contact` carries.
    pub topic: i64,
    /// The skill `lang_kk` (Казахский язык); nobody has it, nothing requires it.
    pub skill: i64,
    pub contact: i64,
    pub article: i64,
    /// An SLA alert on `contact`.
    pub alert: i64,
}

/// A server-sent-event stream read event by event.
pub struct EventStream {
    body: Body,
    buffer: String,
}

impl EventStream {
    /// The next named event as (name, data), skipping keep-alive comments;
    /// `None` when the stream ends or stays silent for five seconds.
    pub async fn next_event(&mut self) -> Option<(String, String)> {
        use http_body_util::BodyExt;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut name = None;
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = Some(v.trim().to_string());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim());
                    }
                }
                if let Some(name) = name {
                    return Some((name, data));
                }
            }
            let frame = tokio::time::timeout(std::time::Duration::from_secs(5), self.body.frame()).await.ok()??;
            let frame = frame.ok()?;
            if let Some(bytes) = frame.data_ref() {
                self.buffer.push_str(&String::from_utf8_lossy(bytes));
            }
        }
    }

    /// Reads events until one named `name` whose data contains `needle`.
    pub async fn wait_for(&mut self, name: &str, needle: &str) -> Option<String> {
        while let Some((n, data)) = self.next_event().await {
            if n == name && data.contains(needle) {
                return Some(data);
            }
        }
        None
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn location(&self) -> Option<&str> {
        self.headers.get("location").and_then(|v| v.to_str().ok())
    }

    /// The value a `Set-Cookie` header gives cookie `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }
}

pub async fn app(db: testkit::TestDb) -> TestApp {
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    let config = ServerConfig { hash_cost: HashCost::TEST, ..ServerConfig::default() };
    let state = AppState::new(store.clone(), config).await.expect("state builds");
    let mut accounts = Vec::new();
    for role in Role::ALL {
        let login = role.as_str().replace('_', "-");
        let password = format!("pw-{login}-123");
        let hash = password::hash(&password, HashCost::TEST).expect("hash");
        let u = store
            .create_user(
                &NewUser {
                    login: login.clone(),
                    name: format!("Тест {login}"),
                    password_hash: hash,
                    locale: "ru".into(),
                    roles: vec![role],
                },
                &AuditActor::cli(),
            )
            .await
            .expect("create user");
        let bearer = random_token();
        store.create_api_token(u.id, "test", &token_hash(&bearer), &AuditActor::cli()).await.expect("token");
        accounts.push((role, Account { id: u.id, login, password, bearer }));
    }
    let target = store
        .create_user(
            &NewUser {
                login: "target".into(),
                name: "Цель Тестов".into(),
                password_hash: password::hash("target-password", HashCost::TEST).expect("hash"),
                locale: "kk".into(),
                roles: vec![Role::Operator],
            },
            &AuditActor::cli(),
        )
        .await
        .expect("target user");
    let customer = store
        .create_customers(&[NewCustomer {
            full_name: "Ахметова Айгерим Сериковна".into(),
            phone: "+77011234567".into(),
            email: "aigerim@mail.kz".into(),
            client_type: "key".into(),
            locale: "kk".into(),
            created_at: 0,
            consent_at: None,
        }])
        .await
        .expect("customer")[0];
    let queue = store.create_queue("support", "Поддержка", "Қолдау", "Support").await.expect("queue").id;
    let topic = store
        .create_topic(
            &store::topics::NewTopic {
                parent_id: None,
                code: "delivery".into(),
                name_ru: "Доставка".into(),
                name_kk: "Жеткізу".into(),
                name_en: "Delivery".into(),
                contact_type: Some(domain::contact::ContactType::Information),
                position: 0,
            },
            &AuditActor::cli(),
        )
        .await
        .expect("topic")
        .id;
    let skill = store
        .create_skill("lang_kk", "Казахский язык", "Қазақ тілі", "Kazakh language", &AuditActor::cli())
        .await
        .expect("skill")
        .id;
    let new = store::contacts::NewContact {
        channel: domain::contact::Channel::Voice,
        direction: domain::contact::Direction::Inbound,
        contact_type: domain::contact::ContactType::Information,
        topic: "delivery".into(),
        priority: 0,
        subject: "Где мой заказ?".into(),
        customer_id: Some(customer),
        queue_id: queue,
    };
    let contact = state.dispatch.create_contact(&store, &new, &AuditActor::cli()).await.expect("contact").id;
    let article = kb::Article {
        id: 501,
        version: 1,
        lang: kb::Lang::Ru,
        title: "Доставка заказа".into(),
        body: "Доставка заказов по городу занимает 1–2 дня.".into(),
        category: "delivery".into(),
        tags: vec!["доставка".into()],
        valid_from: None,
        valid_until: None,
        updated_at: store::now_ms(),
    };
    server::kb_pages::save_article(&state, &article).await.expect("article");
    let router = server::routes::router(state.clone());
    let alert = store
        .raise_alert(contact, "first_response", "at_risk", None, store::now_ms())
        .await
        .expect("alert")
        .expect("a new alert")
        .id;
    TestApp {
        db,
        state,
        router,
        accounts,
        target_user: target.id,
        customer,
        queue,
        topic,
        skill,
        contact,
        article: article.id,
        alert,
    }
}

impl TestApp {
    pub fn account(&self, role: Role) -> &Account {
        &self.accounts.iter().find(|(r, _)| *r == role).expect("account for role").1
    }

    /// A fresh browser session for a user: (cookie header value, csrf token).
    pub async fn session(&self, user_id: i64) -> (String, String) {
        let token = random_token();
        let csrf = random_token();
        self.state.store.create_session(&token_hash(&token), user_id, &csrf, 3_600_000, None).await.expect("session");
        (format!("sb_session={token}"), csrf)
    }

    /// Sends a request and reads the whole reply; of an event stream (which
    /// never ends by itself) only the first event.
    pub async fn send(&self, req: Request<Body>) -> Reply {
        let resp = self.router.clone().oneshot(req).await.expect("router answers");
        let status = resp.status();
        let headers = resp.headers().clone();
        if headers.get("content-type").is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream")) {
            let mut events = EventStream { body: resp.into_body(), buffer: String::new() };
            let body = events.next_event().await.map(|(name, data)| format!("event: {name}\ndata: {data}"));
            return Reply { status, headers, body: body.unwrap_or_default() };
        }
        let bytes = to_bytes(resp.into_body(), usize::MAX).await.expect("body");
        Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    /// Opens a server-sent-event stream.
    pub async fn events(&self, path: &str, headers: &[(&str, &str)]) -> EventStream {
        let resp = self.router.clone().oneshot(build(Method::GET, path, headers, Body::empty())).await.expect("answer");
        assert_eq!(resp.status(), StatusCode::OK, "event stream {path}");
        EventStream { body: resp.into_body(), buffer: String::new() }
    }

    pub async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        self.send(build(Method::GET, path, headers, Body::empty())).await
    }

    /// The raw body of a GET with a session cookie (downloads).
    pub async fn get_bytes(&self, path: &str, cookie: &str) -> Vec<u8> {
        let resp = self.router.clone().oneshot(build(Method::GET, path, &[("cookie", cookie)], Body::empty())).await;
        let resp = resp.expect("router answers");
        assert_eq!(resp.status(), StatusCode::OK, "GET {path}");
        to_bytes(resp.into_body(), usize::MAX).await.expect("body").to_vec()
    }

    pub async fn api(&self, method: Method, path: &str, bearer: Option<&str>, json: Option<&str>) -> Reply {
        let auth = bearer.map(|b| format!("Bearer {b}"));
        let mut headers: Vec<(&str, &str)> = Vec::new();
        if let Some(a) = &auth {
            headers.push(("authorization", a));
        }
        if json.is_some() {
            headers.push(("content-type", "application/json"));
        }
        let body = json.map(|j| Body::from(j.to_string())).unwrap_or_else(Body::empty);
        self.send(build(method, path, &headers, body)).await
    }

    /// A form post with a session cookie; `csrf` is put in the form when given.
    pub async fn form(&self, path: &str, cookie: &str, csrf: Option<&str>, fields: &[(&str, &str)]) -> Reply {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        if let Some(c) = csrf {
            ser.append_pair("csrf", c);
        }
        for (k, v) in fields {
            ser.append_pair(k, v);
        }
        let body = ser.finish();
        let headers = [("cookie", cookie), ("content-type", "application/x-www-form-urlencoded")];
        self.send(build(Method::POST, path, &headers, Body::from(body))).await
    }
}

pub fn build(method: Method, path: &str, headers: &[(&str, &str)], body: Body) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(path);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(body).expect("request")
}

/// A multipart/form-data body: text fields, then files as (field, file name, content type, bytes).
pub fn multipart(boundary: &str, fields: &[(&str, &str)], files: &[(&str, &str, &str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for (field, filename, ctype, content) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n\
                 Content-Type: {ctype}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    body
}
