//! `switchboard user …`: user administration from the server's shell, for
//! the first administrator and for recovery. Every change is audited as `cli`.

use std::io::BufRead;

use anyhow::{bail, Context};
use clap::Subcommand;
use domain::Role;
use server::password::{self, HashCost};
use store::{AuditActor, NewUser, Store};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user.
    Add {
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
        /// Role ids, repeatable or comma-separated (operator, senior_operator,
        /// quality_specialist, resource_planner, supervisor, head_of_centre,
        /// store_manager, administrator).
        #[arg(long = "role", value_delimiter = ',')]
        roles: Vec<String>,
        #[arg(long, default_value = "ru")]
        locale: String,
        /// The password; prefer --password-stdin or SWITCHBOARD_PASSWORD so it
        /// does not show in the process list.
        #[arg(long, env = "SWITCHBOARD_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a user's password (ends their sessions).
    Passwd {
        #[arg(long)]
        login: String,
        #[arg(long, env = "SWITCHBOARD_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Replace a user's roles.
    Role {
        #[arg(long)]
        login: String,
        /// The complete new set of role ids, comma-separated (may be empty).
        #[arg(long = "set", value_delimiter = ',', num_args = 0..)]
        roles: Vec<String>,
    },
    /// Issue an API bearer token for a user and print it.
    Token {
        #[arg(long)]
        login: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
    /// List users and their roles.
    List,
}

fn parse_roles(raw: &[String]) -> anyhow::Result<Vec<Role>> {
    raw.iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| Role::parse(s.trim()).with_context(|| format!("unknown role {s:?}")))
        .collect()
}

fn read_password(flag: Option<String>, stdin: bool) -> anyhow::Result<String> {
    match (flag, stdin) {
        (Some(p), false) => Ok(p),
        (None, true) => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            Ok(line.trim_end_matches(['\r', '\n']).to_string())
        }
        (Some(_), true) => bail!("give the password either with --password or on stdin, not both"),
        (None, false) => bail!("no password: use --password-stdin, --password or SWITCHBOARD_PASSWORD"),
    }
}

async fn user_id(store: &Store, login: &str) -> anyhow::Result<i64> {
    Ok(store.user_by_login(login).await?.with_context(|| format!("no user {login:?}"))?.id)
}

pub async fn run(store: &Store, cmd: UserCommand, cost: HashCost) -> anyhow::Result<()> {
    let actor = AuditActor::cli();
    match cmd {
        UserCommand::Add { login, name, roles, locale, password, password_stdin } => {
            let password = read_password(password, password_stdin)?;
            domain::validate::password(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
            let password_hash = password::hash(&password, cost).map_err(|e| anyhow::anyhow!(e))?;
            let roles = parse_roles(&roles)?;
            let user = store.create_user(&NewUser { login, name, password_hash, locale, roles }, &actor).await?;
            println!("created user {} (id {})", user.login, user.id);
        }
        UserCommand::Passwd { login, password, password_stdin } => {
            let password = read_password(password, password_stdin)?;
            domain::validate::password(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
            let hash = password::hash(&password, cost).map_err(|e| anyhow::anyhow!(e))?;
            store.set_password_hash(user_id(store, &login).await?, &hash, &actor).await?;
            println!("password of {login} changed");
        }
        UserCommand::Role { login, roles } => {
            let roles = parse_roles(&roles)?;
            let user = store.set_roles(user_id(store, &login).await?, &roles, &actor).await?;
            let names: Vec<&str> = user.roles.iter().map(|r| r.as_str()).collect();
            println!("roles of {login}: {}", names.join(","));
        }
        UserCommand::Token { login, name } => {
            let token = server::auth::random_token();
            store
                .create_api_token(user_id(store, &login).await?, &name, &server::auth::token_hash(&token), &actor)
                .await?;
            println!("{token}");
        }
        UserCommand::List => {
            for u in store.list_users().await? {
                let names: Vec<&str> = u.roles.iter().map(|r| r.as_str()).collect();
                println!(
                    "{}\t{}\t{}\t{}",
                    u.login,
                    if u.active { "active" } else { "inactive" },
                    names.join(","),
                    u.name
                );
            }
        }
    }
    Ok(())
}
