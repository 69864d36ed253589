//! `olke serve`: the web application ([`crate::web`]) on a local address.

use std::net::SocketAddr;

use anyhow::{bail, Context, Result};
use clap::Args;

use crate::archive::Archive;
use crate::catalog::CatalogError;
use crate::config::Config;
use crate::web::{self, security::StaffGate};

#[derive(Args, Debug)]
pub(super) struct ServeArgs {
    /// The address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    bind: SocketAddr,
    /// Cookies only over HTTPS (Secure, __Host- names), for a server behind a TLS proxy
    /// (as `[web] secure_cookies = true` in olke.toml).
    #[arg(long)]
    secure_cookies: bool,
}

pub(super) fn run(archive: &Archive, args: ServeArgs) -> Result<u8> {
    if !archive.exists() {
        return Err(CatalogError::NoArchive(archive.root().to_path_buf()).into());
    }
    let mut config = Config::load(archive)?;
    config.web.secure_cookies |= args.secure_cookies;
    let token = web::staff_token(&config);
    let max_connections = config.web.max_connections;
    if token.as_ref().is_some_and(|t| t.chars().count() < StaffGate::MIN_TOKEN_CHARS) {
        bail!("the staff token is shorter than {} characters; choose a longer one (OLKE_STAFF_TOKEN or [web] staff_token)", StaffGate::MIN_TOKEN_CHARS);
    }
    if token.is_none() {
        eprintln!(
            "olke: no staff token (OLKE_STAFF_TOKEN or [web] staff_token in olke.toml): the staff pages are closed"
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.bind)
            .await
            .with_context(|| format!("cannot listen on {}", args.bind))?;
        let app = web::app(archive.clone(), config, token);
        eprintln!("olke: serving {} on http://{}/", archive.root().display(), listener.local_addr()?);
        web::serve(listener, app, max_connections).await?;
        Ok(0)
    })
}
