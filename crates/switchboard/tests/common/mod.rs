//! The real `switchboard serve` binary for the tests that kill it: start,
//! call its API with a bearer token, stop on drop.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_switchboard");
/// A fixed secret key, so no test writes a key file next to its database
/// (or, for PostgreSQL, into the working folder).
pub const TEST_KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

pub struct Server {
    pub child: Child,
    pub url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `serve` on a free port with `envs`, once it prints its URL.
pub fn start(db_url: &str, envs: &[(&str, &str)]) -> Server {
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--database", db_url, "--listen", "127.0.0.1:0"])
        .env("SWITCHBOARD_LOG", "warn")
        .env("SWITCHBOARD_SECRET_KEY", TEST_KEY)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        let line = lines.next().expect("serve printed its URL").expect("read stdout");
        if let Some(u) = line.strip_prefix("Switchboard serving: ") {
            break u.trim_end_matches('/').to_string();
        }
    };
    Server { child, url }
}

/// A JSON API call; `Err("transport: …")` when the server is gone.
pub fn call(agent: &ureq::Agent, method: &str, url: &str, token: &str, body: Option<Value>) -> Result<Value, String> {
    let req = agent.request(method, url).set("Authorization", &format!("Bearer {token}"));
    let resp = match body {
        Some(b) => req.send_json(b),
        None => req.call(),
    };
    match resp {
        Ok(r) if r.status() == 204 => Ok(Value::Null),
        Ok(r) => r.into_json().map_err(|e| e.to_string()),
        Err(ureq::Error::Status(code, r)) => Err(format!("{code}: {}", r.into_string().unwrap_or_default())),
        Err(e) => Err(format!("transport: {e}")),
    }
}
